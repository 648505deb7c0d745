"""``tideover outbox run|list|receipt|opt-out``: the outbox worker and what it did."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from tideover.cli.output import JsonOption, _, console, print_json
from tideover.i18n import N_

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
                N_("%(option)s takes CHANNEL=VALUE, not %(value)s"),
                option=option,
                value=repr(value),
            )
        try:
            found[key] = cast(raw)
        except ValueError:
            raise UsageError(
                N_("%(option)s: %(raw)s is not a number"), option=option, raw=repr(raw)
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
        _(
            "%(picked)s picked: %(sent)s sent, %(deferred)s deferred, %(retried)s to retry, "
            "%(failed)s failed, %(dropped)s dropped",
            picked=done.picked,
            sent=done.sent,
            deferred=done.deferred,
            retried=done.retried,
            failed=done.failed,
            dropped=done.dropped,
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
    console.print(_("%(total)s message(s)", total=page.total), markup=False)


def _day(value: str | None, option: str) -> date | None:
    from tideover.domain.errors import UsageError

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            N_("%(option)s: %(value)s is not a date (YYYY-MM-DD)"),
            option=option,
            value=repr(value),
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


@app.command("policy-notices")
def policy_notices_cmd(
    version: Annotated[int, typer.Argument(help="Policy version.")],
    platform: PlatformOption,
    as_of: Annotated[str, typer.Option("--as-of", help="Business date of the portfolio.")],
    effective: Annotated[str, typer.Option(help="Date the change takes effect.")],
    reason_zh: Annotated[str, typer.Option("--reason-zh", help="Why, in Chinese.")],
    reason_en: Annotated[str, typer.Option("--reason-en", help="Why, in English.")],
    send: Annotated[bool, typer.Option("--send", help="Queue them (active version).")] = False,
    by: Annotated[str | None, typer.Option("--by", help="Who sends them.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Preview (or, with --send, queue) the notices owed for a policy version."""
    from tideover.bootstrap import open_app
    from tideover.services.comms.notices import policy_notices

    with open_app() as opened:
        done = policy_notices(
            uow=opened.uow(),
            platform=platform,
            version=version,
            as_of=_day(as_of, "--as-of") or date.min,
            effective_from=_day(effective, "--effective") or date.min,
            reason={"zh-CN": reason_zh, "en": reason_en},
            queue=send,
            by=by,
        )
    if json_out:
        print_json(done)
        return
    for line in done.notices[:5]:
        console.print(f"--- {line.account_id} ({line.language}, {line.channel})", markup=False)
        console.print(line.body, markup=False)
    console.print(
        _(
            "%(accounts)s account(s) owed a notice; %(queued)s queued",
            accounts=done.accounts,
            queued=done.queued,
        ),
        markup=False,
    )


@app.command("rights-statement")
def rights_statement_cmd(
    platform: PlatformOption,
    account: Annotated[str | None, typer.Option(help="Send it to this account's borrower.")] = None,
    channel: Annotated[str, typer.Option(help="letter or email.")] = "letter",
    language: Annotated[str, typer.Option(help="zh-CN or en (shown).")] = "zh-CN",
    by: Annotated[str | None, typer.Option("--by", help="Who sends it.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Show the jurisdiction's rights statement with its sources, or send it to a borrower."""
    from tideover.bootstrap import open_app
    from tideover.services.comms.statements import rights_statement, send_rights_statement

    with open_app() as opened:
        if account is None:
            shown = rights_statement(uow=opened.uow(), platform=platform, language=language)
            if json_out:
                print_json(shown)
                return
            for s in shown.sections:
                console.print(f"{s.title}\n{s.text}", markup=False)
                for x in s.sources:
                    console.print(f"  [{x.confidence}] {x.document} {x.article}", markup=False)
            return
        queued = send_rights_statement(
            uow=opened.uow(), platform=platform, account_id=account, channel=channel, by=by or ""
        )
    if json_out:
        print_json(queued)
        return
    console.print(f"{queued.message_id}\t{queued.step}", markup=False)


@app.command("validation-notice")
def validation_notice_cmd(
    account: Annotated[str, typer.Argument(help="Account id.")],
    platform: PlatformOption,
    itemization_date: Annotated[str, typer.Option(help="The itemisation date (ISO).")],
    itemization: Annotated[str, typer.Option(help="Owed on that date (major units).")],
    current: Annotated[str, typer.Option(help="Owed now (major units).")],
    by: Annotated[str, typer.Option("--by", help="Who sends it.")],
    interest: str = "0",
    fees: str = "0",
    payments: str = "0",
    credits: str = "0",
    channel: Annotated[str, typer.Option(help="letter or email.")] = "letter",
    json_out: JsonOption = False,
) -> None:
    """Queue the validation notice of 12 CFR 1006.34 for one account."""
    from tideover.bootstrap import open_app
    from tideover.domain.money import Money, currency
    from tideover.services.comms.statements import send_validation_notice

    with open_app() as opened:
        with opened.uow() as uow:
            record = uow.platforms.get(platform)
        code = record.currency if record is not None else currency("USD")

        def money(text: str) -> Money:
            from tideover.domain.errors import UsageError

            try:
                return Money.of(text, code)
            except (ArithmeticError, ValueError):
                raise UsageError(N_("%(text)s is not an amount"), text=repr(text)) from None

        queued = send_validation_notice(
            uow=opened.uow(),
            platform=platform,
            account_id=account,
            channel=channel,
            by=by,
            itemization_date=_day(itemization_date, "--itemization-date") or date.min,
            itemization=money(itemization),
            interest=money(interest),
            fees=money(fees),
            payments=money(payments),
            credits=money(credits),
            current=money(current),
        )
    if json_out:
        print_json(queued)
        return
    console.print(f"{queued.message_id}\t{queued.step}", markup=False)
