"""``tideover cycle rollback``: undo a platform's cycle from a date, under four eyes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tideover.cli.output import JsonOption, console, print_json, say
from tideover.cli.portfolio import parse_date

if TYPE_CHECKING:
    from tideover.services.cycle.rollback import CycleRollback

app = typer.Typer(
    help="Roll the daily cycle back to a date: one user asks, another approves.",
    no_args_is_help=True,
)

PlatformOption = Annotated[str, typer.Option(help="Platform code.")]
ByOption = Annotated[str, typer.Option(help="Who acts (a user who may run the cycle).")]


@app.command("request")
def request(
    platform: PlatformOption,
    to: Annotated[str, typer.Option("--to", help="First date to undo (YYYY-MM-DD).")],
    by: ByOption,
    reason: Annotated[str, typer.Option(help="Why (kept with the request and audited).")],
    json_out: JsonOption = False,
) -> None:
    """Ask to undo the runs of --to and every later date; another user decides."""
    from tideover.bootstrap import open_app
    from tideover.services.cycle.rollback import request_rollback

    with open_app() as app_:
        result = request_rollback(
            uow=app_.uow(), platform=platform, to_date=parse_date(to, "--to"), by=by,
            reason=reason,
        )  # fmt: skip
    _show(result, json_out)


@app.command("approve")
def approve(
    platform: PlatformOption,
    request_id: Annotated[str, typer.Argument(help="The request, e.g. RB-1.")],
    by: ByOption,
    json_out: JsonOption = False,
) -> None:
    """Carry out a request someone else made: the runs from its date are undone."""
    from tideover.bootstrap import open_app
    from tideover.services.cycle.rollback import approve_rollback

    with open_app() as app_:
        result = approve_rollback(uow=app_.uow(), platform=platform, request_id=request_id, by=by)
    _show(result, json_out)


@app.command("reject")
def reject(
    platform: PlatformOption,
    request_id: Annotated[str, typer.Argument(help="The request, e.g. RB-1.")],
    by: ByOption,
    reason: Annotated[str, typer.Option(help="Why not (audited).")],
    json_out: JsonOption = False,
) -> None:
    """Decline a request someone else made; nothing changes."""
    from tideover.bootstrap import open_app
    from tideover.services.cycle.rollback import reject_rollback

    with open_app() as app_:
        result = reject_rollback(
            uow=app_.uow(), platform=platform, request_id=request_id, by=by, reason=reason
        )
    _show(result, json_out)


@app.command("list")
def list_requests(platform: PlatformOption, json_out: JsonOption = False) -> None:
    """Every rollback request of the platform, newest first."""
    from tideover.bootstrap import open_app
    from tideover.services.cycle.rollback import list_rollbacks

    with open_app() as app_:
        result = list_rollbacks(uow=app_.uow(), platform=platform)
    if json_out:
        print_json(result)
        return
    table = Table(title=say(f"{platform}: cycle rollbacks", f"{platform}：日终批处理回滚"))
    headers = [("request", "申请"), ("to", "回滚至"), ("state", "状态"), ("asked by", "申请人"),
               ("decided by", "决定人"), ("reason", "原因")]  # fmt: skip
    for en, zh in headers:
        table.add_column(say(en, zh))
    for r in result.requests:
        table.add_row(
            r.request_id, r.to_date.isoformat(), _state(r.state), r.requested_by,
            r.decided_by or "", r.reason,
        )  # fmt: skip
    console.print(table)


_STATES = {"requested": "待决定", "done": "已执行", "rejected": "已驳回"}


def _state(state: str) -> str:
    return say(state, _STATES.get(state, state))


def _show(result: CycleRollback, json_out: bool) -> None:
    if json_out:
        print_json(result)
        return
    if result.state == "requested":
        console.print(
            say(
                f"{result.platform}: rollback {result.request_id} to "
                f"{result.to_date.isoformat()} requested; another user approves it with "
                f"`tideover cycle rollback approve --platform {result.platform} "
                f"{result.request_id} --by USER`",
                f"{result.platform}：已申请回滚 {result.request_id}（回滚至 "
                f"{result.to_date.isoformat()}）；须由另一位用户执行 `tideover cycle rollback "
                f"approve --platform {result.platform} {result.request_id} --by 用户` 批准",
            ),
            markup=False,
        )
        return
    if result.state == "rejected":
        console.print(
            say(
                f"{result.platform}: rollback {result.request_id} rejected; nothing changed",
                f"{result.platform}：回滚 {result.request_id} 已驳回；未作任何更改",
            ),
            markup=False,
        )
        return
    removed = result.removed or {}
    console.print(
        say(
            f"{result.platform}: rolled back to {result.to_date.isoformat()} "
            f"({result.request_id}): {removed.get('runs', 0)} runs abandoned, "
            f"{removed.get('outbox_messages', 0)} pending messages and "
            f"{removed.get('queue_items', 0)} unworked queue items removed "
            f"({removed.get('outbox_messages_kept', 0)} sent messages and "
            f"{removed.get('queue_items_kept', 0)} worked items kept); "
            f"run the cycle again from {result.to_date.isoformat()}",
            f"{result.platform}：已回滚至 {result.to_date.isoformat()}（{result.request_id}）："
            f"作废 {removed.get('runs', 0)} 次运行，删除 {removed.get('outbox_messages', 0)} "
            f"条待发消息和 {removed.get('queue_items', 0)} 条未处理的队列任务（保留已发消息 "
            f"{removed.get('outbox_messages_kept', 0)} 条、已处理任务 "
            f"{removed.get('queue_items_kept', 0)} 条）；请从 {result.to_date.isoformat()} "
            "起重新运行日终批处理",
        ),
        markup=False,
    )
