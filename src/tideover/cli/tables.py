"""Listings that never lie by omission: a table, plain columns, CSV or JSON.

A value is never cut: an id, an amount or a date shown as ``148,604,17…`` is
a wrong value, not a shorter one.  So a listing is drawn as a Rich table only
on a terminal wide enough for every cell; on a narrow terminal, in a pipe or
a file it is printed as plain columns at their full width (lines longer than
the screen wrap in the terminal, whole), and ``--csv`` / ``--json`` give the
values themselves (amounts as plain decimals, dates as ISO) for programs.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tideover.cli import output

CsvOption = Annotated[
    bool, typer.Option("--csv", help="Print CSV: one line per row, values as stored.")
]
Justify = Literal["left", "right"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: ``key`` names it in CSV and JSON, ``header`` is what a person reads."""

    key: str
    header: str
    justify: Justify = "left"
    places: int | None = None  # decimals an amount is shown with (grouped by the locale)


def shown(value: object, places: int | None = None) -> str:
    """A value as a person reads it: grouped digits in the reader's locale, ISO dates."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return output._("yes") if value else output._("no")
    if isinstance(value, int | Decimal):
        return output.texts().number(value, places)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def plain(value: object) -> str:
    """A value as a program reads it: no grouping, ISO dates, empty for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


@dataclass(slots=True)
class Listing:
    """Rows of values under named columns, printed whole in any of four forms."""

    title: str
    columns: Sequence[Column]
    rows: list[Sequence[object]] = field(default_factory=list)
    note: str | None = None  # a line after the rows (a hint), never part of CSV or JSON

    def add(self, *values: object) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"{len(values)} values for {len(self.columns)} columns")
        self.rows.append(values)

    def records(self) -> list[dict[str, str]]:
        return [
            {c.key: plain(v) for c, v in zip(self.columns, row, strict=True)} for row in self.rows
        ]

    def print(
        self,
        *,
        csv_out: bool = False,
        json_out: bool = False,
        console: Console | None = None,
    ) -> None:
        """CSV, JSON (the records), or the table a person reads (see the module's doc)."""
        if csv_out:
            write_csv([c.key for c in self.columns], self.records())
            return
        if json_out:
            sys.stdout.write(json.dumps(self.records(), ensure_ascii=False, indent=2) + "\n")
            return
        target = console or output.console
        cells = [
            [shown(v, c.places) for c, v in zip(self.columns, row, strict=True)]
            for row in self.rows
        ]
        if target.is_terminal and _natural_width(self.columns, cells) <= target.width:
            target.print(_rich_table(self.title, self.columns, cells))
        else:
            _print_plain(target, self.title, self.columns, cells)
        if self.note:
            target.print(Text(self.note))


def write_csv(keys: Sequence[str], records: Iterable[dict[str, str]]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=list(keys), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)


def _widths(columns: Sequence[Column], cells: Sequence[Sequence[str]]) -> list[int]:
    return [
        max([cell_len(c.header), *(_longest_line(row[i]) for row in cells)])
        for i, c in enumerate(columns)
    ]


def _longest_line(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def _natural_width(columns: Sequence[Column], cells: Sequence[Sequence[str]]) -> int:
    # Rich's default box: one border each side and " | " between cells.
    return sum(_widths(columns, cells)) + 3 * len(columns) + 1


def _rich_table(title: str, columns: Sequence[Column], cells: Sequence[Sequence[str]]) -> Table:
    table = Table(title=Text(title))
    for column in columns:
        # "fold", never "ellipsis": should the terminal shrink, a value breaks, it is not cut.
        table.add_column(Text(column.header), justify=column.justify, overflow="fold")
    for row in cells:
        # Text, not str: values come from files and people, and "[...]" would be Rich markup.
        table.add_row(*(Text(cell) for cell in row))
    return table


def _print_plain(
    target: Console, title: str, columns: Sequence[Column], cells: Sequence[Sequence[str]]
) -> None:
    """Columns two spaces apart at their full width; a line break inside a cell becomes
    " / " so that one row stays one line (grep, sort and awk read it)."""
    flat = [[cell.replace("\n", " / ") for cell in row] for row in cells]
    widths = _widths(columns, flat)
    lines = [title] if title else []
    for row in [[c.header for c in columns], *flat]:
        parts = [
            _pad(cell, width, column.justify)
            for cell, width, column in zip(row, widths, columns, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
    # Straight to the file, not through Rich: Rich would wrap at its idea of a width.
    target.file.write("\n".join(lines) + "\n")
    target.file.flush()


def _pad(text: str, width: int, justify: Justify) -> str:
    gap = " " * (width - cell_len(text))
    return gap + text if justify == "right" else text + gap
