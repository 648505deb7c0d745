"""``tideover compliance hold add|lift|list``: holds that stop contact with a borrower.

Registered under ``tideover compliance`` by ``tideover.cli.main``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, TypeVar

import typer

from tideover.cli.compliance import choice_of, instant_of
from tideover.cli.labels import label
from tideover.cli.output import JsonOption, _, console, print_json
from tideover.cli.tables import Column, CsvOption, Listing

E = TypeVar("E", bound=StrEnum)


app = typer.Typer(
    help="Holds on contacting a borrower: add, lift, list (every change is audited).",
    no_args_is_help=True,
)

HoldPlatformOption = Annotated[str, typer.Option(help="Platform of the borrower.")]
BorrowerOption = Annotated[str, typer.Option("--borrower", help="Borrower id.")]
ByOption = Annotated[str, typer.Option("--by", help="Who makes the change (name or user id).")]
ReasonOption = Annotated[str, typer.Option(help="Why (kept with the hold and in the audit).")]
KINDS_HELP = (
    "dispute, cease_contact, legal_representation, breathing_space, bankruptcy, deceased "
    "or complaint_under_investigation."
)


@app.command("add")
def hold_add(
    platform: HoldPlatformOption,
    borrower: BorrowerOption,
    kind: Annotated[str, typer.Option(help=KINDS_HELP)],
    reason: ReasonOption,
    by: ByOption,
    debt: Annotated[str | None, typer.Option(help="Only this debt (default every debt).")] = None,
    start: Annotated[
        str | None, typer.Option(help="Start, ISO 8601 with offset (default now).")
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="Planned end, ISO 8601 with offset (default none).")
    ] = None,
    hold_id: Annotated[str | None, typer.Option("--id", help="Hold id (default new).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Put a hold on a borrower: the gate denies every contact it covers."""
    from tideover.bootstrap import open_app
    from tideover.compliance.contacts import HoldKind
    from tideover.services.compliance.holds import add_hold

    with open_app() as opened:
        saved = add_hold(
            uow=opened.uow(),
            platform=platform,
            borrower_id=borrower,
            kind=choice_of(HoldKind, kind, "--kind"),
            reason=reason,
            by=by,
            debt_id=debt,
            start=instant_of(start, "--start") if start else None,
            end=instant_of(end, "--end") if end else None,
            hold_id=hold_id,
        )
    if json_out:
        print_json(saved)
        return
    starts = saved.starts_at.isoformat()
    console.print(
        _(
            "hold %(hold_id)s (%(kind)s) on %(borrower)s from %(starts)s",
            hold_id=saved.hold_id,
            kind=saved.kind,
            borrower=borrower,
            starts=starts,
        ),
        markup=False,
    )


@app.command("lift")
def hold_lift(
    platform: HoldPlatformOption,
    borrower: BorrowerOption,
    reason: ReasonOption,
    by: ByOption,
    hold_id: Annotated[str | None, typer.Option("--id", help="The hold to lift.")] = None,
    kind: Annotated[
        str | None, typer.Option(help="Lift every hold of this kind in force instead.")
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="When it ends, ISO 8601 with offset (default now).")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Lift a borrower's hold (by id, or every hold of a kind in force)."""
    from tideover.bootstrap import open_app
    from tideover.compliance.contacts import HoldKind
    from tideover.services.compliance.holds import lift_hold

    with open_app() as opened:
        lifted = lift_hold(
            uow=opened.uow(),
            platform=platform,
            borrower_id=borrower,
            by=by,
            reason=reason,
            hold_id=hold_id,
            kind=choice_of(HoldKind, kind, "--kind") if kind else None,
            at=instant_of(at, "--at") if at else None,
        )
    if json_out:
        print_json(lifted.holds)
        return
    for h in lifted.holds:
        at_text = h.lifted_at.isoformat() if h.lifted_at else "-"  # always set once lifted
        console.print(
            _(
                "lifted hold %(hold_id)s (%(kind)s) at %(at_text)s",
                hold_id=h.hold_id,
                kind=h.kind,
                at_text=at_text,
            ),
            markup=False,
        )


@app.command("list")
def hold_list(
    platform: HoldPlatformOption,
    borrower: BorrowerOption,
    include_ended: Annotated[
        bool, typer.Option("--all", help="Also holds that ended or were lifted.")
    ] = False,
    json_out: JsonOption = False,
    csv_out: CsvOption = False,
) -> None:
    """List a borrower's holds (those not ended unless --all)."""
    from tideover.bootstrap import open_app
    from tideover.services.compliance.holds import list_holds

    with open_app() as opened:
        holds = list_holds(
            uow=opened.uow(), platform=platform, borrower_id=borrower, include_ended=include_ended
        )
    if json_out:
        print_json(holds.holds)
        return
    listing = Listing(
        _("Holds"),
        [
            Column("hold_id", "id"),
            Column("kind", _("kind")),
            Column("debt_id", _("debt")),
            Column("starts_at", _("from")),
            Column("until", _("until")),
            Column("in_force", _("in force")),
            Column("reason", _("reason")),
        ],
    )
    for h in holds.holds:
        listing.add(
            h.hold_id,
            h.kind if csv_out else label("hold", h.kind),
            h.debt_id or ("" if csv_out else _("all")),
            h.starts_at,
            h.until,
            h.in_force,
            h.reason,
        )
    listing.print(csv_out=csv_out)
