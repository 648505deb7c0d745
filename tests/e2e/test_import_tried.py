"""docs/import.md's table of small files run through ``tideover import --check`` says what
each gives now: every file is run again, as the table says, and every row compared.

The table's grammar, read here so that it cannot drift from what the command does:

- *row* ``file``: ``read as `ENCODING```, `` (detected)`` when it was guessed, then
  ``, warning `CODE```; or ``refused `CODE`: `QUOTE`, ...`` for a file refused whole;
- *row* N: ``imported``, ``imported, warning `CODE```, or ``error `CODE```;
- after a code, ``: `QUOTE`, ...`` are pieces of the reason as printed;
- the *input* column's backticked values are in the file's record N as it was read.

A file's records are all in the table: a record added to a file without its row fails.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tideover.cli.main import run

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "import.md"
IMPORTS = ROOT / "tests" / "data" / "import"
TRIED = IMPORTS / "tried"
MARKER = "rerun by tests/e2e/test_import_tried.py"
AS_OF = ["--platform", "acme", "--as-of", "2026-03-31"]
_QUOTED = re.compile(r"`([^`]*)`")


@dataclass(frozen=True)
class Row:
    file: str
    options: tuple[str, ...]
    row: str  # "file" or a record number
    input: str
    gives: str


def table_rows() -> list[Row]:
    text = DOCS.read_text(encoding="utf-8").split(MARKER, 1)[1]
    rows: list[Row] = []
    for line in text.splitlines():
        if not line.startswith("| `"):
            if rows:
                break
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        file, options, row, given, gives = cells
        argv = () if options == "—" else tuple(shlex.split(options.replace("`", "")))
        rows.append(Row(file.strip("`"), argv, row, given, gives))
    return rows


def groups() -> dict[tuple[str, tuple[str, ...]], list[Row]]:
    found: dict[tuple[str, tuple[str, ...]], list[Row]] = {}
    for row in table_rows():
        found.setdefault((row.file, row.options), []).append(row)
    return found


def _quotes(text: str) -> list[str]:
    """The backticked pieces after a code's ``: ``."""
    after = text.split(": ", 1)
    return _QUOTED.findall(after[1]) if len(after) == 2 else []


def _argv(file: str, options: tuple[str, ...]) -> list[str]:
    kind = file.split("_", 1)[0]
    resolved = [str(TRIED / o) if o.endswith((".yaml", ".yml")) else o for o in options]
    return ["import", kind, str(TRIED / file), *AS_OF, "--check", "--json", *resolved]


@pytest.fixture
def platform(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    assert run(["init"]) == 0
    assert run(["platform", "set", "acme", "--name", "Acme", "--currency", "CNY",
                "--time-zone", "Asia/Shanghai"]) == 0  # fmt: skip
    for kind in ("borrowers", "loans"):
        assert run(["import", kind, str(IMPORTS / f"{kind}.csv"), *AS_OF]) == 0


def test_the_table_covers_what_the_issue_asks_for() -> None:
    rows = table_rows()
    assert len(rows) >= 50
    text = " ".join(r.input + " " + r.gives for r in rows)
    for needed in ("utf-8", "byte-order mark", "gb18030", "GBK", "no encoding", "12,000.00",
                   "１２，０００．００", "-1,000.00", "2026/03/10", "2026年3月10日", "20260310",
                   "03/10/2026", "等额本息", "unknown_region", "invalid_national_id",
                   "did you mean the file's"):  # fmt: skip
        assert needed in text, needed
    assert any("--date-format" in " ".join(r.options) for r in rows)
    assert any("--mapping" in " ".join(r.options) for r in rows)


def test_each_file_tried_gives_what_the_table_says(
    platform: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # One platform for every file: --check writes nothing, so the files cannot meet.
    wrong = []
    for (file, options), rows in groups().items():
        capsys.readouterr()
        code = run(_argv(file, options))
        out, err = capsys.readouterr()
        try:
            _check_group(rows, code, out, err)
        except AssertionError as failure:
            wrong.append(f"{file} {' '.join(options)}: {failure}")
    assert wrong == [], "\n".join(wrong)


def _check_group(rows: list[Row], code: int, out: str, err: str) -> None:
    whole = next((r for r in rows if r.row == "file"), None)
    if whole is not None and whole.gives.startswith("refused"):
        assert code == 1
        refused = re.match(r"refused `(\w+)`", whole.gives)
        assert refused is not None, whole.gives
        assert f"[{refused.group(1)}]" in err, err
        for quote in _quotes(whole.gives):
            assert quote in err, (quote, err)
        assert [r for r in rows if r.row != "file"] == []
        return
    result: dict[str, Any] = json.loads(out)
    report = result["report"]
    if whole is not None:
        _check_file(whole, result)
    records = [r for r in rows if r.row != "file"]
    lines = [
        line
        for line in (TRIED / rows[0].file).read_bytes().decode(result["encoding"]).splitlines()
        if line.strip()
    ][1:]
    assert [int(r.row) for r in records] == list(range(1, len(lines) + 1)), "a record untold"
    for record in records:
        number = int(record.row)
        for value in _QUOTED.findall(record.input):
            assert value in lines[number - 1], (value, lines[number - 1])
        _check_record(record, number, report)
    failed = any(r.gives.startswith("error") for r in records)
    assert code == (1 if failed else 0), err
    if not failed:
        assert result["written"] == len(records)


def _check_file(row: Row, result: dict[str, Any]) -> None:
    read = re.match(r"read as `([\w-]+)`( \(detected\))?", row.gives)
    assert read is not None, row.gives
    assert result["encoding"] == read.group(1)
    assert result["encoding_detected"] is (read.group(2) is not None)
    warned = re.search(r"warning `(\w+)`", row.gives)
    warnings = [w for w in result["report"]["warnings"] if w["row"] == 0]
    assert [w["code"] for w in warnings] == ([warned.group(1)] if warned else [])
    reasons = " ".join(w["reason_en"] for w in warnings)
    for quote in _quotes(row.gives.split("warning", 1)[-1]) if warned else []:
        assert quote in reasons, (quote, reasons)


def _check_record(row: Row, number: int, report: dict[str, Any]) -> None:
    errors = [e for e in report["errors"] if e["row"] == number]
    warnings = [w for w in report["warnings"] if w["row"] == number]
    error = re.match(r"error `(\w+)`", row.gives)
    if error is not None:
        assert {e["code"] for e in errors} == {error.group(1)}, (row, errors)
        reasons = " ".join(e["reason_en"] for e in errors)
        for quote in _quotes(row.gives):
            assert quote in reasons, (quote, reasons)
        return
    assert row.gives.startswith("imported"), row.gives
    assert errors == [], (row, errors)
    warned = re.search(r"warning `(\w+)`", row.gives)
    assert [w["code"] for w in warnings] == ([warned.group(1)] if warned else []), row
