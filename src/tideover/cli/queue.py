"""``tideover queue list|assign|reassign|callback``: collector work queues."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.labels import label
from tideover.cli.output import JsonOption, _, console, print_json
from tideover.cli.portfolio import parse_date
from tideover.cli.tables import Column, CsvOption, Listing

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
    csv_out: CsvOption = False,
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
    listing = Listing(
        _("Queue items"),
        [
            Column("item_id", "id", "right"),
            Column("as_of", _("date")),
            Column("queue", _("queue")),
            Column("account_id", _("account")),
            Column("jurisdiction", _("juris.")),
            Column("first", _("first")),
            Column("priority", _("priority"), "right"),
            Column("state", _("state")),
            Column("assigned_to", _("collector")),
            Column("unassigned_reason", _("why unassigned")),
        ],
    )
    first = {2: "callback", 1: "promise"}

    def word(kind: str, code: str | None) -> str:
        # CSV keeps the stored codes; a person reads them as words.
        return (code or "") if csv_out else label(kind, code)

    for item in result.items:
        listing.add(
            item.item_id,
            item.as_of,
            item.queue,
            item.account_id,
            item.jurisdiction or "?",
            word("first", first.get(item.precedence)),
            item.priority,
            word("queue_state", item.state),
            item.assigned_to or "",
            word("unassigned", item.unassigned_reason),
        )
    listing.print(csv_out=csv_out)


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
        _(
            "%(assigned)s assigned; left open: %(value)s with no permitted collector, "
            "%(capacity_exhausted)s for lack of capacity",
            assigned=counts["assigned"],
            value=counts["no_permitted_collector"],
            capacity_exhausted=counts["capacity_exhausted"],
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
            _("give --item or --from (not both)"),
            param_hint="--item/--from",
        )
    if item is not None and to is None:
        raise typer.BadParameter(_("--item needs --to"), param_hint="--to")
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
        _(
            "callback %(callback_id)s for loan %(loan)s on %(on)s",
            callback_id=result.callback_id,
            loan=loan,
            on=result.on.isoformat(),
        ),
        markup=False,
    )


def _time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            _("%(text)s is not a time (HH:MM)", text=repr(text)),
            param_hint="--at",
        ) from None


def _render_moves(moves: Sequence[ItemMove], left: Sequence[LeftOpen]) -> None:
    for move in moves:
        day, source = move.as_of.isoformat(), move.source or "-"
        console.print(
            _(
                "item %(item_id)s (%(day)s, %(jurisdiction)s): %(source)s → %(to)s",
                item_id=move.item_id,
                day=day,
                jurisdiction=move.jurisdiction,
                source=source,
                to=move.to,
            ),
            markup=False,
        )
    for item in left:
        console.print(
            _(
                "item %(item_id)s back in the open queue (%(reason)s)",
                item_id=item.item_id,
                reason=item.reason,
            ),
            markup=False,
        )
    if not moves and not left:
        console.print(_("nothing to move"), markup=False)
