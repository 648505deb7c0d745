"""Listings never cut a value: on an 80-column terminal, in a pipe, as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from tideover.cli import output
from tideover.cli.tables import Column, Listing, plain, shown

LOAN_ID = "LC2018Q1-00042-借据-0000000000000000001"
BALANCE = Decimal("148604171.35")


def _listing() -> Listing:
    listing = Listing(
        "KPIs",
        [
            Column("as_of", "date"),
            Column("loan_id", "loan"),
            Column("balance", "balance", "right", places=2),
            Column("accounts", "accounts", "right"),
            Column("note", "note"),
        ],
    )
    listing.add(date(2026, 11, 30), LOAN_ID, BALANCE, 1234567, "a rather long note " * 4)
    listing.add(date(2026, 12, 1), "L2", Decimal("0.5"), 0, None)
    return listing


def _printed(console: Console) -> str:
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


@pytest.mark.parametrize("terminal", [True, False], ids=["80-column terminal", "pipe"])
def test_no_value_is_cut_at_80_columns(terminal: bool) -> None:
    output.set_language("en")
    console = Console(file=io.StringIO(), width=80, force_terminal=terminal, color_system=None)
    _listing().print(console=console)
    text = _printed(console)
    assert "…" not in text
    for whole in (LOAN_ID, "148,604,171.35", "1,234,567", "2026-11-30", "0.50"):
        assert whole in text
    lines = [line for line in text.splitlines() if LOAN_ID in line]
    assert len(lines) == 1  # one row, one line: grep and awk read it


def test_a_table_is_drawn_only_when_it_fits() -> None:
    output.set_language("en")
    wide = Console(file=io.StringIO(), width=250, force_terminal=True, color_system=None)
    _listing().print(console=wide)
    assert "│" in _printed(wide) or "┃" in _printed(wide)
    narrow = Console(file=io.StringIO(), width=80, force_terminal=True, color_system=None)
    _listing().print(console=narrow)
    assert "│" not in _printed(narrow)


def test_csv_and_json_give_the_values_themselves(capsys: pytest.CaptureFixture[str]) -> None:
    _listing().print(csv_out=True)
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == {
        "as_of": "2026-11-30",
        "loan_id": LOAN_ID,
        "balance": "148604171.35",
        "accounts": "1234567",
        "note": "a rather long note " * 4,
    }
    assert rows[1]["note"] == ""
    _listing().print(json_out=True)
    assert json.loads(capsys.readouterr().out)[1]["balance"] == "0.5"


def test_chinese_cells_are_aligned_by_their_width() -> None:
    output.set_language("zh")
    listing = Listing("借据", [Column("id", "编号"), Column("name", "姓名")])
    listing.add("L1", "张伟")
    listing.add("L22", "Li")
    console = Console(file=io.StringIO(), width=80, force_terminal=False)
    listing.print(console=console)
    lines = _printed(console).splitlines()
    assert lines[1:] == ["编号  姓名", "L1    张伟", "L22   Li"]


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_a_shown_amount_reads_back_as_the_value(value: Decimal) -> None:
    for language in ("en", "zh"):
        output.set_language(language)
        assert Decimal(shown(value, 2).replace(",", "")) == value
    assert Decimal(plain(value)) == value


def test_weekdays_and_numbers_follow_the_locale() -> None:
    output.set_language("zh")
    assert output.texts().weekday(date(2026, 3, 10)) == "周二"
    assert shown(True) == "是"
    output.set_language("en")
    assert output.texts().weekday(date(2026, 3, 10)) == "Tue"
    assert output.texts().percent(Decimal("0.1299"), 2) == "12.99%"
    output.set_language(None)
