"""``tideover cycle rollback``: undo a platform's cycle from a date, under four eyes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.output import N_, JsonOption, _, console, print_json
from tideover.cli.portfolio import parse_date
from tideover.cli.tables import Column, CsvOption, Listing

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
def list_requests(
    platform: PlatformOption, json_out: JsonOption = False, csv_out: CsvOption = False
) -> None:
    """Every rollback request of the platform, newest first."""
    from tideover.bootstrap import open_app
    from tideover.services.cycle.rollback import list_rollbacks

    with open_app() as app_:
        result = list_rollbacks(uow=app_.uow(), platform=platform)
    if json_out:
        print_json(result)
        return
    listing = Listing(
        _("%(platform)s: cycle rollbacks", platform=platform),
        [
            Column("request_id", _("request")),
            Column("to_date", _("to")),
            Column("state", _("state")),
            Column("requested_by", _("asked by")),
            Column("decided_by", _("decided by")),
            Column("reason", _("reason")),
        ],
    )
    for r in result.requests:
        state = r.state if csv_out else _state(r.state)
        listing.add(r.request_id, r.to_date, state, r.requested_by, r.decided_by or "", r.reason)
    listing.print(csv_out=csv_out)


_STATES = {"requested": N_("requested"), "done": N_("done"), "rejected": N_("rejected")}


def _state(state: str) -> str:
    return _(_STATES[state]) if state in _STATES else state


def _show(result: CycleRollback, json_out: bool) -> None:
    if json_out:
        print_json(result)
        return
    if result.state == "requested":
        console.print(
            _(
                "%(platform)s: rollback %(request_id)s to %(to_date)s requested; another user "
                "approves it with `tideover cycle rollback approve --platform %(platform)s "
                "%(request_id)s --by USER`",
                platform=result.platform,
                request_id=result.request_id,
                to_date=result.to_date.isoformat(),
            ),
            markup=False,
        )
        return
    if result.state == "rejected":
        console.print(
            _(
                "%(platform)s: rollback %(request_id)s rejected; nothing changed",
                platform=result.platform,
                request_id=result.request_id,
            ),
            markup=False,
        )
        return
    removed = result.removed or {}
    console.print(
        _(
            "%(platform)s: rolled back to %(to_date)s (%(request_id)s): %(removed)s runs "
            "abandoned, %(removed2)s pending messages and %(removed3)s unworked queue items "
            "removed (%(removed4)s sent messages and %(removed5)s worked items kept); run the "
            "cycle again from %(to_date)s",
            platform=result.platform,
            to_date=result.to_date.isoformat(),
            request_id=result.request_id,
            removed=removed.get("runs", 0),
            removed2=removed.get("outbox_messages", 0),
            removed3=removed.get("queue_items", 0),
            removed4=removed.get("outbox_messages_kept", 0),
            removed5=removed.get("queue_items_kept", 0),
        ),
        markup=False,
    )
