"""``tideover audit verify``: re-check a platform's hash-chained audit trail."""

from __future__ import annotations

from typing import Annotated

import typer

from tideover.cli.output import JsonOption, _, console, either, error_console, print_json

app = typer.Typer(help="The append-only, hash-chained audit trail.", no_args_is_help=True)


@app.command("verify")
def verify(
    platform: Annotated[str, typer.Option(help="Platform whose audit trail to verify.")],
    expected_head: Annotated[
        str | None,
        typer.Option(help="Last record hash kept outside the database (default: the stored head)."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Say which record was edited, deleted or reordered; exit 1 when the chain is broken."""
    from tideover.bootstrap import open_app
    from tideover.services.compliance.checks import verify_audit_trail

    with open_app() as opened:
        result = verify_audit_trail(
            uow=opened.uow(), platform=platform, expected_head=expected_head
        )
    if json_out:
        print_json(result)
    elif result.ok:
        head = result.head
        where = f"; head {head.seq} {head.hash}" if head else ""
        console.print(
            _(
                "%(platform)s: audit trail intact, %(records)s record(s)%(where)s",
                platform=platform,
                records=result.records,
                where=where,
            ),
            markup=False,
        )
    else:
        for issue in result.issues:
            error_console.print(
                f"{platform}: {issue.problem}: {either(issue.en, issue.zh)}",
                markup=False,
                highlight=False,
            )
        error_console.print(
            _(
                "%(platform)s: audit trail BROKEN (%(issues)s problem(s))",
                platform=platform,
                issues=len(result.issues),
            ),
            style="red",
        )
    if not result.ok:
        raise typer.Exit(1)
