"""``tideover audit verify``: re-check a platform's hash-chained audit trail."""

from __future__ import annotations

from typing import Annotated

import typer

from tideover.cli.output import JsonOption, console, error_console, print_json, say

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
            say(
                f"{platform}: audit trail intact, {result.records} record(s){where}",
                f"{platform}：审计记录链完好，共 {result.records} 条{where}",
            ),
            markup=False,
        )
    else:
        for issue in result.issues:
            error_console.print(
                f"{platform}: {issue.problem}: {say(issue.en, issue.zh)}",
                markup=False,
                highlight=False,
            )
        error_console.print(
            say(
                f"{platform}: audit trail BROKEN ({len(result.issues)} problem(s))",
                f"{platform}：审计记录链已被破坏（{len(result.issues)} 处问题）",
            ),
            style="red",
        )
    if not result.ok:
        raise typer.Exit(1)
