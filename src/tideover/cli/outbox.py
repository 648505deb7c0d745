"""``tideover outbox run|list|receipt|opt-out``: the outbox worker and what it did."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from tideover.cli.output import JsonOption, console, print_json, say

app = typer.Typer(
    help="The outbox: send what is due, list messages, record receipts and opt-outs.",
    no_args_is_help=True,
)

PlatformOption = Annotated[str, typer.Option(help="Platform code.")]


def _pairs(values: list[str], option: str, cast: type = str) -> dict[str, object]:
    from tideover.domain.errors import UsageError

    found: dict[str, object] = {}
    for value in values:
        key, sep, raw = value.partition("=")
        if not sep or not key or not raw:
            raise UsageError(
                f"{option} takes CHANNEL=VALUE, not {value!r}",
                f"{option} 的格式为 渠道=值，而不是 {value!r}",
            )
        try:
            found[key] = cast(raw)
        except ValueError:
            raise UsageError(
                f"{option}: {raw!r} is not a number", f"{option}：{raw!r} 不是数字"
            ) from None
    return found


@app.command("run")
def run(
    platform: PlatformOption,
    limit: Annotated[int | None, typer.Option(help="At most this many messages.")] = None,
    channel: Annotated[
        list[str] | None, typer.Option(help="Only this channel (repeatable).")
    ] = None,
    rate: Annotated[list[str] | None, typer.Option(help="CHANNEL=messages/s (repeatable).")] = None,
    fallback: Annotated[
        list[str] | None,
        typer.Option(help="CHANNEL=OTHER: send on OTHER when the gate refuses CHANNEL."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Render, check, gate and send every due message of PLATFORM once."""
    from tideover.bootstrap import open_app
    from tideover.services.comms.channels import server_channels
    from tideover.services.comms.worker import run_outbox

    rates = {k: float(v) for k, v in _pairs(rate or [], "--rate", float).items()}  # type: ignore[arg-type]
    fallbacks = {k: str(v) for k, v in _pairs(fallback or [], "--fallback").items()}
    with open_app() as opened:
        channels = server_channels(opened.settings)
        try:
            done = run_outbox(
                uow_factory=opened.uow,
                platform=platform,
                channels=channels,
                limit=limit,
                only=tuple(channel or ()),
                rates=rates,
                fallback=fallbacks,
            )
        finally:
            channels.close()
    if json_out:
        print_json(done)
        return
    console.print(
        say(
            f"{done.picked} picked: {done.sent} sent, {done.deferred} deferred, {done.retried} "
            f"to retry, {done.failed} failed, {done.dropped} dropped",
            f"取出 {done.picked} 条：发送 {done.sent}，推迟 {done.deferred}，待重试 "
            f"{done.retried}，失败 {done.failed}，放弃 {done.dropped}",
        ),
        markup=False,
    )


@app.command("list")
def list_(
    platform: PlatformOption,
    since: Annotated[str | None, typer.Option(help="First date (ISO).")] = None,
    until: Annotated[str | None, typer.Option(help="Last date (ISO).")] = None,
    state: Annotated[list[str] | None, typer.Option(help="State (repeatable).")] = None,
    channel: Annotated[list[str] | None, typer.Option(help="Channel (repeatable).")] = None,
    account: Annotated[str | None, typer.Option(help="One account.")] = None,
    offset: int = 0,
    limit: int = 100,
    json_out: JsonOption = False,
) -> None:
    """Outbox messages by date, state, channel and account."""
    from tideover.bootstrap import open_app
    from tideover.services.comms.outbox import list_outbox

    with open_app() as opened:
        page = list_outbox(
            uow=opened.uow(),
            platform=platform,
            first=_day(since, "--since"),
            last=_day(until, "--until"),
            states=tuple(state or ()),
            channels=tuple(channel or ()),
            account_id=account,
            offset=offset,
            limit=limit,
        )
    if json_out:
        print_json(page)
        return
    for m in page.items:
        console.print(
            f"{m.message_id}\t{m.as_of}\t{m.account_id}\t{m.channel}\t{m.template}\t{m.state}"
            f"\t{m.error_code or ''}",
            markup=False,
        )
    console.print(say(f"{page.total} message(s)", f"共 {page.total} 条"), markup=False)


def _day(value: str | None, option: str) -> date | None:
    from tideover.domain.errors import UsageError

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option}: {value!r} is not a date (YYYY-MM-DD)",
            f"{option}：{value!r} 不是日期（YYYY-MM-DD）",
        ) from None


@app.command("receipt")
def receipt(
    message_id: Annotated[int, typer.Argument(help="Outbox message id.")],
    platform: PlatformOption,
    status: Annotated[str, typer.Option(help="delivered or failed.")],
    json_out: JsonOption = False,
) -> None:
    """Record a provider's delivery receipt."""
    from tideover.bootstrap import open_app
    from tideover.services.comms.outbox import record_receipt

    with open_app() as opened:
        done = record_receipt(
            uow=opened.uow(), platform=platform, message_id=message_id, status=status
        )
    if json_out:
        print_json(done)
        return
    console.print(f"{done.message_id}\t{done.state}", markup=False)


@app.command("opt-out")
def opt_out(
    borrower: Annotated[str, typer.Argument(help="Borrower id.")],
    channel: Annotated[str, typer.Argument(help="sms, email, letter or app_push.")],
    platform: PlatformOption,
    source: Annotated[str, typer.Option(help="Where it came from (reply, link, staff).")] = "staff",
    undo: Annotated[bool, typer.Option("--undo", help="Opt back in.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Stop (or allow again) one channel for one borrower: the others are untouched."""
    from tideover.bootstrap import open_app
    from tideover.services.comms.outbox import set_opt_out

    with open_app() as opened:
        done = set_opt_out(
            uow=opened.uow(),
            platform=platform,
            borrower_id=borrower,
            channel=channel,
            opted_out=not undo,
            source=source,
        )
    if json_out:
        print_json(done)
        return
    console.print(f"{done.borrower_id}\t{done.channel}\topted_out={done.opted_out}", markup=False)
