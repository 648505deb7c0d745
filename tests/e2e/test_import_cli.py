"""`tideover import` with a Chinese lender's own files: --check, --mapping, --date-format,
warnings and the summary in either language, nothing cut when piped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tideover.cli.main import run

IMPORTS = Path(__file__).parents[1] / "data" / "import"
AS_OF = ["--platform", "acme", "--as-of", "2026-03-01"]


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    assert run(["init"]) == 0
    assert run(["platform", "set", "acme", "--name", "Acme 消费金融", "--currency", "CNY"]) == 0
    return tmp_path


def test_check_reports_the_warnings_and_writes_nothing(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    path = str(IMPORTS / "borrowers_gbk.csv")
    assert run(["import", "borrowers", path, *AS_OF, "--check"]) == 0
    out = capsys.readouterr().out
    assert "Warnings (imported all the same)" in out
    assert "5001**********0046" in out
    assert "500100199003120046" not in out
    assert "read as gb18030 (detected)" in out
    assert "checked, nothing written" in out
    assert "would write 4" in out
    assert "…" not in out
    assert run(["import", "borrowers", path, *AS_OF, "--check", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["checked_only"], result["written"]) == (True, 4)
    assert [w["code"] for w in result["report"]["warnings"]] == ["unknown_region"] * 2
    # Nothing was stored: the loans of these borrowers are refused, row by row.
    loans = [
        "import",
        "loans",
        str(IMPORTS / "loans_excel_gbk.csv"),
        *AS_OF,
        "--mapping",
        str(IMPORTS / "loans_excel.mapping.yaml"),
    ]
    assert run([*loans, "--check", "--json"]) == 1
    assert {e["code"] for e in json.loads(capsys.readouterr().out)["report"]["errors"]} == {
        "unknown_borrower"
    }


def test_the_exports_import_and_speak_chinese(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    steps = [
        ["import", "borrowers", str(IMPORTS / "borrowers_gbk.csv"), *AS_OF],
        [
            "import",
            "loans",
            str(IMPORTS / "loans_excel_gbk.csv"),
            *AS_OF,
            "--mapping",
            str(IMPORTS / "loans_excel.mapping.yaml"),
        ],
        ["import", "payments", str(IMPORTS / "payments_spelled.csv"), *AS_OF],
        [
            "import",
            "payments",
            str(IMPORTS / "payments_day_first.csv"),
            *AS_OF,
            "--date-format",
            "DD/MM/YYYY",
        ],
    ]
    capsys.readouterr()
    for step in steps:
        assert run(["--lang", "zh", *step]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "已接受" in out
    assert "写入 4" in out
    assert "写入 5" in out
    assert "请人工核实" in out
    for english in ("accepted", "written", "rows", "Warnings", "row ", "reason"):
        assert english not in out


def test_an_ambiguous_date_names_the_option_and_a_typo_the_column(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    path = IMPORTS / "payments_day_first.csv"
    assert run(["import", "payments", str(path), *AS_OF]) == 1
    assert "--date-format DD/MM/YYYY" in capsys.readouterr().out
    typo = cli_env / "payments.csv"
    typo.write_text("payment_id,loan_idd,amount,paid_on\nP1,L1,1,2026-01-01\n", encoding="utf-8")
    assert run(["import", "payments", str(typo), *AS_OF]) == 1
    err = capsys.readouterr().err
    assert "missing required columns: loan_id" in err
    assert "did you mean the file's 'loan_idd'?" in err
