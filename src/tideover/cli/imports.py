"""``tideover import {borrowers,loans,payments} FILE --platform P``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.output import N_, JsonOption, _, console, locale, print_json, progress_bars
from tideover.cli.portfolio import parse_date
from tideover.cli.tables import Column, Listing
from tideover.ingest.contract import Kind as ImportKind

if TYPE_CHECKING:
    from tideover.services.portfolio.results import ImportResult, RecordError

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
EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="The file's text encoding, e.g. gb18030 or utf-8 (default: UTF-8, else detected).",
    ),
]
MappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        help="A YAML file reading the file's own column names (and values) as the "
        "contract's (docs/import.md).",
    ),
]
DateFormatOption = Annotated[
    str | None,
    typer.Option(
        "--date-format",
        help="The order of dates that read two ways: DD/MM/YYYY or MM/DD/YYYY.",
    ),
]
CheckOption = Annotated[
    bool,
    typer.Option("--check", help="Check everything and report it; write nothing (a dry run)."),
]


def _run(
    kind: ImportKind,
    path: Path,
    platform: str,
    options: dict[str, object],
    as_of: str | None,
    json_out: bool,
) -> int:
    from tideover.bootstrap import open_app
    from tideover.services.platforms import business_date_of
    from tideover.services.portfolio.imports import import_file

    with open_app() as opened:
        if as_of:
            today = parse_date(as_of, "--as-of")
        else:
            today = business_date_of(uow=opened.uow(), platform=platform)
        with progress_bars(disable=json_out) as progress:
            result = import_file(
                uow=opened.uow(),
                platform=platform,
                kind=kind,
                path=path,
                today=today,
                progress=progress,
                **options,  # type: ignore[arg-type]
            )
    if json_out:
        print_json(result)
    else:
        render(result)
    return 0 if result.accepted else 1


def render(result: ImportResult) -> None:
    """The errors, the warnings and one line saying what happened, in the reader's language."""
    report = result.report
    if report.errors:
        _problems(
            _("%(file)s: %(rows)s rows, %(valid)s valid, %(rejected)s rejected")
            % {
                "file": report.file,
                "rows": report.total_rows,
                "valid": report.valid_rows,
                "rejected": report.rejected_rows,
            },
            report.errors,
        )
    if report.warnings:
        _problems(_("Warnings (imported all the same)"), report.warnings)
    if result.encoding_detected:
        console.print(_("read as %(encoding)s (detected)", encoding=result.encoding))
    values = {
        "kind": _(KIND_NAMES[result.kind]),
        "file": result.file,
        "rows": result.rows,
        "written": result.written,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
    }
    if result.checked_only:
        line = (
            _(
                "%(kind)s from %(file)s: checked, nothing written · rows %(rows)s · would "
                "write %(written)s · unchanged %(unchanged)s · rejected %(rejected)s"
            )
            if result.accepted
            else _(
                "%(kind)s from %(file)s: checked, would be refused · rows %(rows)s · "
                "unchanged %(unchanged)s · rejected %(rejected)s"
            )
        )
    elif result.accepted:
        line = _(
            "%(kind)s from %(file)s: accepted · rows %(rows)s · written %(written)s · "
            "unchanged %(unchanged)s · rejected %(rejected)s"
        )
    else:
        line = _(
            "%(kind)s from %(file)s: rejected, nothing written · rows %(rows)s · "
            "unchanged %(unchanged)s · rejected %(rejected)s"
        )
    console.print(line % {k: _count(v) for k, v in values.items()}, markup=False)


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _problems(title: str, problems: Sequence[RecordError]) -> None:
    listing = Listing(
        title,
        [
            Column("row", _("row"), "right"),
            Column("field", _("field")),
            Column("value", _("value")),
            Column("reason", _("reason")),
        ],
    )
    for problem in problems:
        row = problem.row if problem.row else _("file")
        listing.add(str(row), problem.field, problem.value, problem.reason(locale()))
    listing.print()


KIND_NAMES = {"borrowers": N_("borrowers"), "loans": N_("loans"), "payments": N_("payments")}

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
        encoding: EncodingOption = None,
        mapping: MappingOption = None,
        date_format: DateFormatOption = None,
        check: CheckOption = False,
    ) -> None:
        options: dict[str, object] = {
            "skip_invalid": skip_invalid,
            "fmt": fmt,
            "future_payments_by": future_payments_by,
            "encoding": encoding,
            "mapping": mapping,
            "date_format": date_format,
            "checked_only": check,
        }
        raise typer.Exit(_run(kind, path, platform, options, as_of, json_out))

    command.__doc__ = _HELP[kind]
    return command


for _kind in _HELP:
    app.command(_kind)(_command(_kind))
