"""``tideover import {borrowers,loans,payments} FILE --platform P``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from tideover.cli.output import JsonOption, console, locale, print_json, say
from tideover.cli.portfolio import parse_date
from tideover.ingest.contract import Kind as ImportKind

if TYPE_CHECKING:
    from tideover.services.portfolio.results import ImportReport, ImportResult

app = typer.Typer(
    help="Import borrowers, loans or payments from CSV, Parquet or JSON Lines (docs/import.md).",
    no_args_is_help=True,
)

FileArgument = Annotated[
    Path, typer.Argument(help="The file: .csv, .parquet or .jsonl.", show_default=False)
]
PlatformOption = Annotated[str, typer.Option(help="Platform code the records belong to.")]
SkipOption = Annotated[
    bool,
    typer.Option(
        "--skip-invalid", help="Write the valid rows and report the rest (default: all or nothing)."
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option("--format", help="csv, parquet or jsonl (default: from the extension)."),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Business date for the future-date check (default: today there)."),
]


FutureOption = Annotated[
    str | None,
    typer.Option(
        "--future-payments-by",
        help="Accept payments valued after the business date (at most a year): the user "
        "who allows it, recorded in the audit trail.",
    ),
]


def _run(
    kind: ImportKind,
    path: Path,
    platform: str,
    skip_invalid: bool,
    fmt: str | None,
    as_of: str | None,
    json_out: bool,
    future_payments_by: str | None = None,
) -> int:
    from tideover.bootstrap import open_app
    from tideover.services.platforms import business_date_of
    from tideover.services.portfolio.imports import import_file

    with open_app() as app:
        if as_of:
            today = parse_date(as_of, "--as-of")
        else:
            today = business_date_of(uow=app.uow(), platform=platform)
        result = import_file(
            uow=app.uow(),
            platform=platform,
            kind=kind,
            path=path,
            today=today,
            skip_invalid=skip_invalid,
            fmt=fmt,
            future_payments_by=future_payments_by,
        )
    if json_out:
        print_json(result)
    else:
        _render(result)
    return 0 if result.accepted else 1


def _render(result: ImportResult) -> None:
    if result.report.errors:
        _render_errors(result.report, locale())
    verdict = say("accepted", "已接受") if result.accepted else say("rejected", "已拒绝")
    console.print(
        say(
            f"{result.kind} from {result.file}: {verdict} · rows {result.rows:,} · "
            f"written {result.written:,} · unchanged {result.unchanged:,} · "
            f"rejected {result.rejected:,}",
            f"{result.file} 中的 {result.kind}：{verdict} · 行数 {result.rows:,} · "
            f"写入 {result.written:,} · 未变 {result.unchanged:,} · 拒绝 {result.rejected:,}",
        )
    )


def _render_errors(report: ImportReport, locale: str) -> None:
    """The errors as a table, in Chinese when ``locale`` starts with zh."""
    zh = locale.lower().startswith("zh")
    title = (
        f"{report.file}：{report.kind} 共 {report.total_rows} 行，有效 {report.valid_rows} 行，"
        f"拒绝 {report.rejected_rows} 行"
        if zh
        else f"{report.file}: {report.total_rows} {report.kind} rows, {report.valid_rows} valid, "
        f"{report.rejected_rows} rejected"
    )
    headers = ("行", "字段", "值", "原因") if zh else ("row", "field", "value", "reason")
    table = Table(title=Text(title))
    table.add_column(headers[0], justify="right")
    for header in headers[1:]:
        table.add_column(header, overflow="fold")
    for error in report.errors:
        # Text, not str: values come from the file and "[...]" would be Rich markup.
        cells = (error.field, error.value, error.reason(locale))
        table.add_row(str(error.row), *(Text(cell) for cell in cells))
    console.print(table)


_HELP: dict[ImportKind, str] = {
    "borrowers": "Import borrowers (before their loans).",
    "loans": "Import loans; their schedules are built from the terms.",
    "payments": "Import payments and reversals (ids unique per platform).",
}


def _command(kind: ImportKind) -> Callable[..., None]:
    def command(
        path: FileArgument,
        platform: PlatformOption,
        skip_invalid: SkipOption = False,
        fmt: FormatOption = None,
        as_of: AsOfOption = None,
        json_out: JsonOption = False,
        future_payments_by: FutureOption = None,
    ) -> None:
        raise typer.Exit(
            _run(kind, path, platform, skip_invalid, fmt, as_of, json_out, future_payments_by)
        )

    command.__doc__ = _HELP[kind]
    return command


for _kind in _HELP:
    app.command(_kind)(_command(_kind))
