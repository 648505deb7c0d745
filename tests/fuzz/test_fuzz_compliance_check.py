"""``compliance check``'s input: any attempt document gets a decision or a coded error.

The document is parsed in ``services/compliance/checks.py`` (``parse_attempt_document``,
called by the public handler ``check_attempt``); an instant is ISO 8601 text between
1900 and 2200 (``services.inputs.PlausibleInstant``), never a bare number.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz.common import FUZZ, json_values, result_or_coded_error
from tideover.domain.errors import ValidationError
from tideover.services.compliance.checks import check_attempt

BASE: dict[str, Any] = {
    "attempt": {
        "borrower_id": "B1",
        "debt_id": "L1",
        "channel": "call",
        "actor": "creditor",
        "planned_at": "2026-03-02T10:00:00+08:00",
        "message": "您好，您的账单已逾期，请尽快还款。",
    },
    "borrower": {"time_zones": ["Asia/Shanghai"]},
    "history": [{"at": "2026-03-01T10:00:00+08:00", "outcome": "no_answer"}],
}


instants = st.one_of(
    st.datetimes(
        min_value=datetime(1, 1, 2),  # noqa: DTZ001 - naive bounds of an aware strategy
        max_value=datetime(2999, 12, 31),  # noqa: DTZ001 - later years are slow in the gate
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]
        ),
    ).map(datetime.isoformat),
    st.integers(-(10**12), 10**12),
    st.sampled_from(["0001-01-01T00:00:00+14:00", "now", ""]),
)


def _documents() -> st.SearchStrategy[dict[str, Any]]:
    paths = [
        ("attempt", "planned_at"),
        ("attempt", "channel"),
        ("attempt", "actor"),
        ("attempt", "message"),
        ("attempt", "borrower_id"),
        ("borrower", "time_zones"),
        ("borrower", "holds"),
        ("history",),
    ]

    def build(changes: list[tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
        doc = copy.deepcopy(BASE)
        for path, value in changes:
            target: Any = doc
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        return doc

    value = st.one_of(json_values, instants)
    return st.lists(st.tuples(st.sampled_from(paths), value), max_size=3).map(build)


@FUZZ
@given(_documents())
@example({**BASE, "attempt": {**BASE["attempt"], "planned_at": "0001-01-01T00:00:00+14:00"}})
def test_any_attempt_document_gets_a_decision_or_a_coded_error(document: dict[str, Any]) -> None:
    result_or_coded_error(lambda: check_attempt(pack="CN", document=document))


@pytest.mark.parametrize(
    "planned_at",
    ["0001-01-01T00:00:00+14:00", "0001-01-01T10:00:00Z", "9999-12-31T23:59:59-12:00"],
)
def test_an_instant_at_the_edge_of_the_calendar_is_a_validation_error(planned_at: str) -> None:
    document = copy.deepcopy(BASE)
    document["attempt"]["planned_at"] = planned_at
    with pytest.raises(ValidationError):
        check_attempt(pack="CN", document=document)


@pytest.mark.parametrize("planned_at", [1767225600, "1767225600"])
def test_a_bare_number_is_not_read_as_a_unix_time(planned_at: object) -> None:
    document = copy.deepcopy(BASE)
    document["attempt"]["planned_at"] = planned_at
    with pytest.raises(ValidationError):
        check_attempt(pack="CN", document=document)


def test_the_base_document_gets_a_decision() -> None:
    assert check_attempt(pack="CN", document=copy.deepcopy(BASE)) is not None
