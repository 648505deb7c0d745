"""``tideover borrower show`` and ``tideover loan show``: one borrower or loan, whole.

The same read handler as the collector's workbench and ``GET
/api/v1/borrowers/{id}`` (``services.portfolio.borrower_view``): each loan
where it stands on the business date, its schedule in force, payments, DPD
and bucket over the last 90 days, score with reasons, promises, hardship
applications and plans; the borrower's contacts and holds.  Personal data is
masked unless ``--reveal-pii`` names a user whose role may see it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.lookup_render import render_borrower, render_loan
from tideover.cli.output import JsonOption, print_json

if TYPE_CHECKING:
    from pathlib import Path

    from tideover.bootstrap import App

borrower_app = typer.Typer(
    help="Borrowers: one borrower with their loans and history (the 360 view).",
    no_args_is_help=True,
)
loan_app = typer.Typer(
    help="Loans: one loan where it stands, with its history.", no_args_is_help=True
)

PlatformOption = Annotated[str, typer.Option(help="Platform code.")]
RevealOption = Annotated[
    str | None,
    typer.Option(
        "--reveal-pii",
        metavar="USER",
        help="Show names, ID and phone numbers unmasked: the user asking, whose role "
        "must allow it (pii:read).",
        show_default=False,
    ),
]

__all__ = ["borrower_app", "loan_app"]


def _scores(opened: App) -> Path:
    return opened.settings.data_dir / "scores"


@borrower_app.command("show")
def show_borrower(
    borrower_id: Annotated[str, typer.Argument(help="The borrower's id.", show_default=False)],
    platform: PlatformOption,
    reveal_pii: RevealOption = None,
    json_out: JsonOption = False,
) -> None:
    """The borrower 360: contact data, every loan where it stands and its history,
    contacts and holds."""
    from tideover.bootstrap import open_app
    from tideover.domain.permissions import Permission
    from tideover.services.common import acting_with
    from tideover.services.portfolio.borrower_view import borrower_view

    with open_app() as opened:
        if reveal_pii is not None:
            with opened.uow() as uow:
                acting_with(uow, platform, reveal_pii, Permission.PII_READ)
        view = borrower_view(
            uow=opened.uow(),
            platform=platform,
            borrower_id=borrower_id,
            reveal_pii=reveal_pii is not None,
            scores_dir=_scores(opened),
        )
    if json_out:
        print_json(view)
    else:
        render_borrower(view)


@loan_app.command("show")
def show_loan(
    loan_id: Annotated[str, typer.Argument(help="The loan's id.", show_default=False)],
    platform: PlatformOption,
    json_out: JsonOption = False,
) -> None:
    """One loan where it stands: schedule in force, payments, DPD and buckets over time,
    score with reasons, promises, applications and plans."""
    from tideover.bootstrap import open_app
    from tideover.services.portfolio.borrower_view import loan_view

    with open_app() as opened:
        detail = loan_view(
            uow=opened.uow(), platform=platform, loan_id=loan_id, scores_dir=_scores(opened)
        )
    if json_out:
        print_json(detail)
    else:
        render_loan(detail)
