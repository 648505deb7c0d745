"""Per-record rejection reports: what was wrong, where, why, in en and zh (from the catalogue)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tideover.domain.redact import scrub
from tideover.i18n import N_, Wording


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad field of one record.

    ``row`` is the 1-based record number (see docs/import.md for how it maps
    to a line); ``field`` is a column name, or ``"*"`` when the whole record
    could not be read; ``code`` names the kind of problem (``required``,
    ``not_a_date``, ``unknown_loan``...), stable for programs that group or
    translate the errors.
    """

    row: int
    field: str
    value: str
    reason_en: str
    reason_zh: str
    code: str = "invalid_value"

    def __post_init__(self) -> None:
        # Whoever builds it (a validator, the import service), a row error is printed
        # and saved: an ID number, phone or e-mail in it is masked (domain/redact.py).
        for name in ("field", "value", "reason_en", "reason_zh"):
            object.__setattr__(self, name, scrub(getattr(self, name)))

    @classmethod
    def of(
        cls, row: int, field: str, value: str, reason: Wording, code: str = "invalid_value"
    ) -> RowError:
        """A row error whose reason is written in both languages from the catalogue."""
        return cls(row, field, value, reason.en, reason.zh, code)

    def reason(self, locale: str = "en") -> str:
        return self.reason_zh if locale.lower().startswith("zh") else self.reason_en

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "reason_en": self.reason_en,
            "reason_zh": self.reason_zh,
        }


@dataclass(frozen=True, slots=True)
class RejectionReport:
    """The errors found in one imported file."""

    kind: str
    file: str
    total_rows: int
    valid_rows: int
    errors: tuple[RowError, ...] = field(default_factory=tuple)
    # Doubts that do not refuse anything: about the file (row 0) or a record that passed.
    warnings: tuple[RowError, ...] = field(default_factory=tuple)

    @classmethod
    def build(
        cls,
        *,
        kind: str,
        file: str,
        total_rows: int,
        errors: Sequence[RowError],
        warnings: Sequence[RowError] = (),
    ) -> RejectionReport:
        """A report whose valid-row count follows from the distinct rows in ``errors``."""
        ordered = tuple(sorted(errors, key=lambda e: (e.row, e.field)))
        bad_rows = len({e.row for e in ordered})
        noted = tuple(sorted(warnings, key=lambda e: (e.row, e.field)))
        return cls(kind, file, total_rows, total_rows - bad_rows, ordered, noted)

    @property
    def rejected_rows(self) -> int:
        return self.total_rows - self.valid_rows

    @property
    def ok(self) -> bool:
        return not self.errors

    def pairs(self) -> list[tuple[int, str]]:
        """The (row, field) of every error, in report order."""
        return [(e.row, e.field) for e in self.errors]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "total_rows": self.total_rows,
            "valid_rows": self.valid_rows,
            "rejected_rows": self.rejected_rows,
            "errors": [e.to_json() for e in self.errors],
            "warnings": [e.to_json() for e in self.warnings],
        }

    def render(self, console: Console, locale: str = "en") -> None:
        """Print the errors as a table, in Chinese when ``locale`` starts with zh."""
        title = Wording(
            N_("%(file)s: %(total)s %(kind)s rows, %(valid)s valid, %(rejected)s rejected"),
            file=self.file,
            total=self.total_rows,
            kind=self.kind,
            valid=self.valid_rows,
            rejected=self.rejected_rows,
        ).in_language(locale)
        if not self.errors:
            console.print(Text(title))
            return
        headers = [
            Wording(h).in_language(locale)
            for h in (N_("row"), N_("field"), N_("value"), N_("reason"))
        ]
        table = Table(title=Text(title))
        table.add_column(headers[0], justify="right")
        for header in headers[1:]:
            table.add_column(header, overflow="fold")
        for error in self.errors:
            # Text, not str: values come from the file and "[...]" would be Rich markup.
            cells = (error.field, error.value, error.reason(locale))
            table.add_row(str(error.row), *(Text(cell) for cell in cells))
        console.print(table)
