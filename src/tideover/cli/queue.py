"""``tideover queue list|assign|reassign|callback``: collector work queues."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tideover.cli.output import JsonOption, console, print_json, say
from tideover.cli.portfolio import parse_date

if TYPE_CHECKING:
    from tideover.services.queues.results import ItemMove, LeftOpen
    from tideover.services.results import Result

app = typer.Typer(
    help="Collector queues: list, assign, re-assign, callbacks (changes are audited).",
    no_args_is_help=True,
)

PlatformOption = Annotated[str, typer.Option(help="Platform code.")]
DateOption = Annotated[str, typer.Option("--date", help="Business date (YYYY-MM-DD).")]
ByOption = Annotated[str, typer.Option("--by", help="Who makes the change (name or user id).")]


@app.command("list")
def list_(
    platform: PlatformOption,
    date: Annotated[str | None, typer.Option("--date", help="Only this date.")] = None,
    collector: Annotated[str | None, typer.Option(help="Only this collector's items.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Queue items by date and rank: callbacks and promises due first, then priority."""
    from tideover.bootstrap import open_app
    from tideover.services.queues.items import list_queue

    day = parse_date(date, "--date") if date else None
    with open_app() as opened:
        result = list_queue(uow=opened.uow(), platform=platform, as_of=day, collector=collector)
    if json_out:
        print_json(result)
        return
    table = Table(
        "id",
        say("date", "日期"),
        say("queue", "队列"),
        say("account", "借据"),
        say("juris.", "辖区"),
        say("first", "优先"),
        say("priority", "优先级"),
        say("state", "状态"),
        say("collector", "催收员"),
        say("why unassigned", "未分配原因"),
    )
    first = {2: say("callback", "回拨"), 1: say("promise", "承诺"), 0: ""}
    for item in result.items:
        table.add_row(
            str(item.item_id),
            item.as_of.isoformat(),
            item.queue,
            item.account_id,
            item.jurisdiction or "?",
            first.get(item.precedence, ""),
            f"{item.priority:,}",
            item.state,
            item.assigned_to or "",
            item.unassigned_reason or "",
        )
    console.print(table)


@app.command("assign")
def assign(platform: PlatformOption, date: DateOption, json_out: JsonOption = False) -> None:
    """Give the date's open items to active, permitted collectors with capacity left."""
    from tideover.bootstrap import open_app
    from tideover.services.queues.items import assign_queue

    day = parse_date(date, "--date")
    with open_app() as opened:
        result = assign_queue(uow=opened.uow(), platform=platform, as_of=day)
    if json_out:
        print_json(result)
        return
    counts = result.counts
    console.print(
        say(
            f"{counts['assigned']} assigned; left open: {counts['no_permitted_collector']} with "
            f"no permitted collector, {counts['capacity_exhausted']} for lack of capacity",
            f"已分配 {counts['assigned']} 件；未分配：无获准催收员 "
            f"{counts['no_permitted_collector']} 件，容量已满 {counts['capacity_exhausted']} 件",
        ),
        markup=False,
    )


@app.command("reassign")
def reassign(
    platform: PlatformOption,
    by: ByOption,
    item: Annotated[int | None, typer.Option("--item", help="The queue item to move.")] = None,
    source: Annotated[
        str | None, typer.Option("--from", help="Move every item this collector holds.")
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="The collector to give them to (with --from, default: reassign by rule)."
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="With --from: only that date's items.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Move one item (--item) or all of a collector's items (--from) to another collector."""
    from tideover.bootstrap import open_app
    from tideover.services.queues.items import reassign_from, reassign_item

    if (item is None) == (source is None):
        raise typer.BadParameter(
            say("give --item or --from (not both)", "请给出 --item 或 --from（二选一）"),
            param_hint="--item/--from",
        )
    if item is not None and to is None:
        raise typer.BadParameter(say("--item needs --to", "--item 需要 --to"), param_hint="--to")
    day = parse_date(date, "--date") if date else None
    result: Result
    left: Sequence[LeftOpen] = []
    with open_app() as opened:
        if item is not None and to is not None:
            result = one = reassign_item(
                uow=opened.uow(), platform=platform, item_id=item, to=to, by=by
            )
            moves: Sequence[ItemMove] = one.moves
        else:
            result = held = reassign_from(
                uow=opened.uow(),
                platform=platform,
                source=str(source),
                to=to,
                by=by,
                as_of=day,
            )
            moves, left = held.moves, held.left
    if json_out:
        print_json(result)
        return
    _render_moves(moves, left)


@app.command("callback")
def callback(
    platform: PlatformOption,
    loan: Annotated[str, typer.Option("--loan", help="The loan the borrower called about.")],
    on: Annotated[str, typer.Option("--on", help="The day to call back (YYYY-MM-DD).")],
    by: ByOption,
    at: Annotated[
        str | None, typer.Option("--at", help="Time asked for, HH:MM, platform's local time.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="What the borrower asked.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Record a borrower's callback request: that day their items come first."""
    from tideover.bootstrap import open_app
    from tideover.services.queues.items import request_callback

    day = parse_date(on, "--on")
    when = _time(at) if at else None
    with open_app() as opened:
        result = request_callback(
            uow=opened.uow(), platform=platform, loan_id=loan, on=day, at=when, note=note, by=by
        )
    if json_out:
        print_json(result)
        return
    console.print(
        say(
            f"callback {result.callback_id} for loan {loan} on {result.on.isoformat()}",
            f"已登记借据 {loan} 的回拨请求 {result.callback_id}，日期 {result.on.isoformat()}",
        ),
        markup=False,
    )


def _time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            say(f"{text!r} is not a time (HH:MM)", f"{text!r} 不是时间（HH:MM）"),
            param_hint="--at",
        ) from None


def _render_moves(moves: Sequence[ItemMove], left: Sequence[LeftOpen]) -> None:
    for move in moves:
        day, source = move.as_of.isoformat(), move.source or "-"
        console.print(
            say(
                f"item {move.item_id} ({day}, {move.jurisdiction}): {source} → {move.to}",
                f"工单 {move.item_id}（{day}，{move.jurisdiction}）：{source} → {move.to}",
            ),
            markup=False,
        )
    for item in left:
        console.print(
            say(
                f"item {item.item_id} back in the open queue ({item.reason})",
                f"工单 {item.item_id} 退回待分配（{item.reason}）",
            ),
            markup=False,
        )
    if not moves and not left:
        console.print(say("nothing to move", "没有需要改派的工单"), markup=False)
