"""``tideover collectors`` and ``tideover queue`` over a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli.main import run
from tideover.domain.borrowers import Borrower
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import USD, Money
from tideover.domain.schedules import build_schedule, terms_for

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
DAY = "2026-03-02"
COLLECTORS_YAML = """\
collectors:
  - {id: amy, name: Amy Lee, team: east, role: team_lead,
     jurisdictions: [US, US-MA], queues: [early], daily_capacity: 2}
  - {id: bob, name: Bob Ray, team: east, role: collector,
     jurisdictions: US, queues: "*", daily_capacity: 2}
"""
COLLECTORS_CSV = """\
id,name,team,role,jurisdictions,queues,daily_capacity,active
cal,Cal Wu,west,collector,US;US-NY,early;late,1,true
dan,Dan Po,west,collector,US-XX,early,1,true
eve,Eve Ng,west,boss,US,early,1,true
"""


def _item(account: str, borrower: str, place: str, priority: int) -> dict[str, Any]:
    return {
        "account_id": account,
        "borrower_id": borrower,
        "step": "call#0",
        "channel": "human_call",
        "template": "call_script",
        "tone": "neutral",
        "segment": "early",
        "arm": "",
        "treatment": "call",
        "rescheduled": False,
        "rule_ids": [],
        "queue": "early",
        "priority": priority,
        "due_at": datetime(2026, 3, 2, 14, 0, tzinfo=UTC),
        "state": "open",
        "assigned_to": None,
        "jurisdiction": place,
        "offers": [],
        "summary": {"dpd": 12},
        "run_id": 1,
    }


@pytest.fixture
def bank(
    uow_factory: UowFactory, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Platform ``bank`` with calls due on ``DAY`` for borrowers in MA, NY and CA."""
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    terms = terms_for(
        principal=Money.of("5000", USD),
        annual_rate=Decimal("0.18"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2025, 6, 1),
    )
    places = {"B1": "US-MA", "B2": "US-NY", "B3": "US-CA", "B4": "US-CA"}
    with uow_factory() as unit:
        unit.platforms.ensure(
            "bank", name="Bank", currency=USD, settings={"time_zone": "America/New_York"}
        )
        unit.platforms.ensure("other", name="Other", currency=USD, settings={})
        unit.borrowers("bank").add_many(
            [Borrower(platform="bank", borrower_id=b, name=b) for b in places]
        )
        unit.loans("bank").add_many(
            [Loan("bank", f"L{b[1]}", b, terms, build_schedule(terms)) for b in places]
        )
        rows = [_item(f"L{b[1]}", b, place, 100 - n) for n, (b, place) in enumerate(places.items())]
        unit.cycle("bank").replace_queue_items(date.fromisoformat(DAY), rows)
        unit.commit()
    (tmp_path / "team.yaml").write_text(COLLECTORS_YAML, encoding="utf-8")
    (tmp_path / "west.csv").write_text(COLLECTORS_CSV, encoding="utf-8")
    return tmp_path


def _ok(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    code = run([*argv, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 1) -> str:
    assert run(argv) == code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


def test_collectors_and_queues_from_the_command_line(
    bank: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    imported = _ok(
        capsys,
        ["collectors", "import", str(bank / "team.yaml"), "--platform", "bank", "--by", "lee"],
    )
    assert imported["added"] == ["amy", "bob"]
    # A bad file stores nothing and names every bad row.
    err = _refused(
        capsys,
        ["collectors", "import", str(bank / "west.csv"), "--platform", "bank", "--by", "lee"],
    )
    assert "2 bad record(s)" in err
    assert "row 3" in err
    assert "row 4" in err
    listed = _ok(capsys, ["collectors", "list", "--platform", "bank"])
    assert [c["collector_id"] for c in listed["collectors"]] == ["amy", "bob"]

    assigned = _ok(capsys, ["queue", "assign", "--platform", "bank", "--date", DAY])
    assert assigned["counts"]["assigned"] == 3
    assert assigned["counts"]["no_permitted_collector"] == 1  # New York: nobody holds US-NY
    queue = _ok(capsys, ["queue", "list", "--platform", "bank", "--date", DAY])
    by_account = {i["account_id"]: i for i in queue["items"]}
    assert by_account["L1"]["assigned_to"] == "amy"  # Massachusetts: only amy
    assert by_account["L2"]["unassigned_reason"] == "no_permitted_collector"
    # California: bob (0 of 2) before amy (1 of 2), then level at 1 of 2: amy by id.
    mine = _ok(capsys, ["queue", "list", "--platform", "bank", "--collector", "bob"])
    assert {i["account_id"] for i in mine["items"]} == {"L3"}

    # Cal holds US-NY: added by hand, then given the New York item.
    _ok(
        capsys,
        [
            "collectors", "add", "--platform", "bank", "--id", "cal", "--name", "Cal Wu",
            "--team", "west", "--jurisdiction", "US,US-NY", "--queue", "early",
            "--capacity", "1", "--by", "lee",
        ],
    )  # fmt: skip
    ny = str(by_account["L2"]["item_id"])
    moved = _ok(
        capsys,
        ["queue", "reassign", "--platform", "bank", "--item", ny, "--to", "cal", "--by", "lee"],
    )
    assert moved["moves"][0]["to"] == "cal"
    # Refused, each with one clear line and nothing changed.
    before = _ok(capsys, ["queue", "list", "--platform", "bank"])
    ma = str(by_account["L1"]["item_id"])
    ca = str(by_account["L3"]["item_id"])
    cases = [
        (["--item", ma, "--to", "bob"], "permitted for US only"),  # Massachusetts needs US-MA
        (["--item", ca, "--to", "cal"], "would exceed the daily capacity"),
        (["--item", ca, "--to", "nobody"], "'nobody' is not a collector of platform 'bank'"),
        (["--item", "99999", "--to", "cal"], "queue item 99999 not found"),
    ]
    for args, message in cases:
        err = _refused(capsys, ["queue", "reassign", "--platform", "bank", *args, "--by", "lee"])
        assert message in err
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh")
    err = _refused(
        capsys,
        ["queue", "reassign", "--platform", "bank", "--item", ma, "--to", "bob", "--by", "x"],
    )
    assert "仅获准处理" in err
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    # Usage errors: exit 2.
    _refused(capsys, ["queue", "reassign", "--platform", "bank", "--by", "lee"], code=2)
    _refused(capsys, ["queue", "reassign", "--platform", "bank", "--item", ma, "--by", "x"], code=2)
    assert _ok(capsys, ["queue", "list", "--platform", "bank"]) == before

    # Bob is away: his items go to the others by rule (none has room: they stay open) ...
    away = _ok(capsys, ["queue", "reassign", "--platform", "bank", "--from", "bob", "--by", "lee"])
    assert (away["moves"], [x["reason"] for x in away["left"]]) == ([], ["capacity_exhausted"])
    _ok(capsys, ["collectors", "set", "--platform", "bank", "--id", "amy", "--capacity", "3",
                 "--by", "lee"])  # fmt: skip
    # An absent collector stays active: assignment by rule gives bob (0 of 2) the item again.
    assigned = _ok(capsys, ["queue", "assign", "--platform", "bank", "--date", DAY])
    assert assigned["by_collector"] == {"bob": 1}
    # Amy leaves for good: her California item goes to bob, Massachusetts to nobody.
    gone = _ok(
        capsys, ["collectors", "deactivate", "--platform", "bank", "--id", "amy", "--by", "lee"]
    )
    assert gone["changed"] == {"active": False}
    held = _ok(capsys, ["queue", "list", "--platform", "bank", "--collector", "amy"])
    assert held["items"] == []
    loads = _ok(capsys, ["collectors", "list", "--platform", "bank", "--date", DAY])
    assert {c["collector_id"]: c["load"] for c in loads["collectors"]} == {
        "amy": 0,
        "bob": 2,
        "cal": 1,
    }
    assert [x["reason"] for x in gone["left"]] == ["no_permitted_collector"]
    # A callback request, and a human-readable listing.
    callback = _ok(
        capsys,
        [
            "queue", "callback", "--platform", "bank", "--loan", "L3", "--on", "2099-01-05",
            "--at", "10:30", "--by", "lee",
        ],
    )  # fmt: skip
    assert callback["at"] == "2099-01-05T10:30:00-05:00"  # New York time
    err = _refused(
        capsys,
        ["queue", "callback", "--platform", "bank", "--loan", "L3", "--on", "2001-01-01",
         "--by", "lee"],
    )  # fmt: skip
    assert "before today" in err
    assert run(["queue", "list", "--platform", "bank", "--date", DAY]) == 0
    assert "US-MA" in capsys.readouterr().out
    # Another platform sees none of it.
    assert _ok(capsys, ["collectors", "list", "--platform", "other"])["collectors"] == []
    err = _refused(capsys, ["queue", "list", "--platform", "other", "--collector", "cal"])
    assert "'cal' is not a collector of platform 'other'" in err
