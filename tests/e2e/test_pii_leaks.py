"""Known personal data, seeded through imports, never shows up where it should not (#14).

The test imports borrowers, loans and payments whose rows hold known ID numbers,
phones, e-mails, names and addresses — valid ones, and invalid ones that force
every row error the import knows — then makes the database refuse a write.  It
greps everything printed (tables, JSON, errors) and the database files for them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tideover.cli.main import run

GOOD_ID, BAD_ID = "11010519491231002X", "110105194912310029"
GOOD_PHONE, BAD_PHONE, ID_PHONE = "13900001111", "1390000222", "13700001234"
EMAIL, BAD_EMAIL = "wang.fang@example.com", "li.si@@example.com"
BAD_NAME, BAD_ADDRESS = "李四光", "上海市浦东新区世纪大道 100 号"

# Printed nowhere, ever.
SECRETS = (GOOD_ID, BAD_ID, GOOD_PHONE, BAD_PHONE, ID_PHONE, "wang.fang", "li.si")
# Printed nowhere: the invalid rows' own names and addresses (valid ones are never shown).
SHOWN_NOWHERE = (BAD_NAME, BAD_ADDRESS)
NEVER_STORED = (GOOD_ID, BAD_ID, GOOD_PHONE, BAD_PHONE, ID_PHONE, "li.si")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    monkeypatch.delenv("TIDEOVER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TIDEOVER_DEBUG", raising=False)
    return tmp_path


def _files(folder: Path) -> dict[str, Path]:
    borrowers = folder / "borrowers.csv"
    borrowers.write_text(
        "borrower_id,name,phone,national_id,address,email\n"
        f"B1,王芳,{GOOD_PHONE},{GOOD_ID},北京市朝阳区建国路 88 号,{EMAIL}\n"
        f"B2,{BAD_NAME},{BAD_PHONE},{BAD_ID},{BAD_ADDRESS},{BAD_EMAIL}\n"
        f"{ID_PHONE}\u202e,{BAD_NAME}{'长' * 200},{GOOD_PHONE};x{BAD_PHONE},{BAD_ID}0,"
        f"{BAD_ADDRESS}\x00,{EMAIL}\n"
        f"B1,{BAD_NAME},{GOOD_PHONE},{GOOD_ID},{BAD_ADDRESS},{EMAIL}\n",
        encoding="utf-8",
    )
    loan = {
        "loan_id": "L1",
        "borrower_id": "B1",
        "principal": "12000.00",
        "annual_rate": "0.12",
        "term": 12,
        "method": "equal-installment",
        "start_date": "2025-01-15",
    }
    unknown_borrower = {**loan, "loan_id": f"L-{GOOD_ID}", "borrower_id": ID_PHONE}
    loans = folder / "loans.jsonl"
    loans.write_text(
        json.dumps(loan)
        + "\n"
        + json.dumps(unknown_borrower)
        + "\n"
        + json.dumps({**loan, "loan_id": "L2"})[:-1]
        + ', "principal": 1e999}\n'
        + f'{{"loan_id": "L3", "note": "{BAD_NAME} {GOOD_PHONE}", "broken": \n',
        encoding="utf-8",
    )
    payments = folder / "payments.csv"
    payments.write_text(
        "payment_id,loan_id,amount,paid_on,channel\n"
        "P1,L1,1071.60,2025-02-15,bank\n"
        f"P2,L1,90000000000000000.00,0001-01-01,call {GOOD_PHONE}\n"
        f"P{GOOD_ID},L{ID_PHONE},1e999,2025-02-15,{EMAIL}\n",
        encoding="utf-8",
    )
    return {"borrowers": borrowers, "loans": loans, "payments": payments}


def test_seeded_personal_data_is_printed_nowhere_and_stored_only_encrypted(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["init"]) == 0
    assert run(["platform", "set", "acme", "--name", "Acme"]) == 0
    (data_dir / "in").mkdir()
    files = _files(data_dir / "in")
    printed = []
    for kind in ("borrowers", "loans", "payments"):
        for extra in ([], ["--json"], ["--skip-invalid"]):
            argv = ["import", kind, str(files[kind]), "--platform", "acme", "--as-of", "2026-03-01"]
            run([*argv, *extra])
            captured = capsys.readouterr()
            printed.append(captured.out + captured.err)
    for locale in ("en", "zh_CN.UTF-8"):
        monkeypatch.setenv("TIDEOVER_LOCALE", locale)
        run(["import", "borrowers", str(files["borrowers"]), "--platform", "acme"])
        captured = capsys.readouterr()
        printed.append(captured.out + captured.err)
    database = (data_dir / "tideover.db").resolve()
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", f"sqlite:///file:{database}?mode=ro&uri=true")
    borrowers = data_dir / "in" / "more.csv"
    borrowers.write_text(
        f"borrower_id,name,phone,national_id\nB9,{BAD_NAME},{GOOD_PHONE},{GOOD_ID}\n",
        encoding="utf-8",
    )
    assert run(["import", "borrowers", str(borrowers), "--platform", "acme"]) == 1
    captured = capsys.readouterr()
    printed.append(captured.out + captured.err)

    everything = "\n".join(printed)
    assert "database_read_only" in everything
    assert "1101**********0029" in everything  # the masks are there, the values are not
    assert "137****1234" in everything
    for secret in (*SECRETS, *SHOWN_NOWHERE):
        assert secret not in everything, secret
    stored = b"".join(p.read_bytes() for p in data_dir.glob("tideover.db*"))
    assert stored, "the database files are where the test looks"
    # Phones and ID numbers are stored encrypted; nothing of a refused row is stored.
    # (A stored borrower's name, address and e-mail are kept in clear by design.)
    for secret in (*NEVER_STORED, *SHOWN_NOWHERE):
        assert secret.encode() not in stored, secret
