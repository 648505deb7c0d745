"""The CLI's single error handler: one line, no SQL, no credentials, no personal data (#14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tideover.cli.main import run

NATIONAL_ID = "11010519491231002X"
PHONE = "13812345678"
PASSWORD = "Sup3r-Secret"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    monkeypatch.delenv("TIDEOVER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TIDEOVER_DEBUG", raising=False)
    return tmp_path


def test_a_read_only_database_is_one_line_without_sql_or_values(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["init"]) == 0
    assert run(["platform", "set", "acme", "--name", "Acme"]) == 0
    borrowers = data_dir / "borrowers.csv"
    borrowers.write_text(
        f"borrower_id,name,phone,national_id,address\nB1,王芳,{PHONE},{NATIONAL_ID},北京市朝阳区\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    database = (data_dir / "tideover.db").resolve()
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", f"sqlite:///file:{database}?mode=ro&uri=true")
    code = run(
        ["import", "borrowers", str(borrowers), "--platform", "acme", "--as-of", "2026-03-01"]
    )
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert code == 1
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error [database_read_only]")
    for leaked in ("INSERT", "[SQL", "parameters", "王芳", PHONE, NATIONAL_ID, "北京市"):
        assert leaked not in captured.err + captured.out


def test_a_read_only_database_speaks_chinese_too(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["init"]) == 0
    database = (data_dir / "tideover.db").resolve()
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", f"sqlite:///file:{database}?mode=ro&uri=true")
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh_CN.UTF-8")
    capsys.readouterr()
    assert run(["platform", "set", "acme", "--name", "Acme"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误 [database_read_only]：")
    assert "只读" in err


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://tideover:{PASSWORD}@127.0.0.1:1/tideover",
        f"postgresql+psycopg://tideover:{PASSWORD}@localhost:1/tideover?connect_timeout=2",
        # An unescaped "@" in the password: SQLAlchemy would take "Secret@127.0.0.1" as host.
        f"postgresql://tideover:Sup3r@{PASSWORD}@127.0.0.1:1/tideover",
        f"postgresql://tideover@127.0.0.1:1/tideover?password={PASSWORD}",
        f"postgresql://tideover:{PASSWORD}@127.0.0.1:1:2/broken",
    ],
)
def test_a_database_url_is_never_printed_with_its_password(
    url: str,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", url)
    code = run(["init"])
    captured = capsys.readouterr()
    assert code != 0
    assert len(captured.err.strip().splitlines()) == 1, captured.err
    assert "Secret" not in captured.err + captured.out
    assert "Sup3r" not in captured.err + captured.out


def test_personal_data_in_an_unexpected_error_is_masked(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(f"borrower {NATIONAL_ID} at {PHONE}\n[SQL: SELECT secret]")

    monkeypatch.setattr("tideover.bootstrap.initialise", boom)
    code = run(["init"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(
        "internal error: RuntimeError: borrower 1101**********002X at 138****5678"
    )
    assert "SELECT" not in err


def test_usage_errors_quoting_a_value_mask_it(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["schedule", "--principal", "1", "--annual-rate", "0.1", "--months", "3"]
    code = run([*argv, "--method", PHONE])
    err = capsys.readouterr().err
    assert code == 2
    assert "Usage" in err
    assert "'138****5678' is not one of" in err
    assert PHONE not in err
