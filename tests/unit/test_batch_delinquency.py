"""The vectorised DPD and bucket computation agrees with the per-loan domain code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.batch.delinquency import (
    DelinquencyColumns,
    InstallmentColumns,
    PauseColumns,
    compute_delinquency,
    compute_delinquency_table,
    merge_pauses,
)
from tideover.domain.days import NO_DATE, day_number
from tideover.domain.delinquency import (
    DEFAULT_BUCKETS,
    BucketScheme,
    PausePeriod,
    days_past_due,
)
from tideover.domain.delinquency import merge_pauses as reference_merge
from tideover.domain.errors import ValidationError

AS_OF = date(2026, 11, 28)


@dataclass(frozen=True)
class LoanCase:
    installments: list[tuple[date, date | None]] = field(default_factory=list)
    pauses: list[PausePeriod] = field(default_factory=list)


def days(n: int) -> date:
    """The date ``n`` days after AS_OF (negative: before)."""
    return AS_OF + timedelta(days=n)


# -- the reference: the domain, one loan at a time ---------------------------------


def oldest_unpaid(installments: Sequence[tuple[date, date | None]], as_of: date) -> date | None:
    unpaid = [
        due for due, settled in installments if due < as_of and not (settled and settled <= as_of)
    ]
    return min(unpaid, default=None)


def domain_results(
    loans: Sequence[LoanCase], as_of: date, scheme: BucketScheme
) -> list[tuple[date | None, int, str]]:
    results = []
    for loan in loans:
        oldest = oldest_unpaid(loan.installments, as_of)
        dpd = days_past_due(oldest, as_of, loan.pauses)
        results.append((oldest, dpd, scheme.bucket_for(dpd).label))
    return results


# -- the same loans as columns -------------------------------------------------------


def as_columns(loans: Sequence[LoanCase]) -> tuple[InstallmentColumns, PauseColumns]:
    """datetime64 columns, NaT while unpaid."""
    rows = [(i, due, settled) for i, loan in enumerate(loans) for due, settled in loan.installments]
    pause_rows = [(i, p.start, p.end) for i, loan in enumerate(loans) for p in loan.pauses]
    installments = InstallmentColumns(
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype="datetime64[D]"),
        np.array([r[2] if r[2] else "NaT" for r in rows], dtype="datetime64[D]"),
    )
    pauses = PauseColumns(
        np.array([r[0] for r in pause_rows], dtype=np.int64),
        np.array([r[1] for r in pause_rows], dtype="datetime64[D]"),
        np.array([r[2] for r in pause_rows], dtype="datetime64[D]"),
    )
    return installments, pauses


def as_day_numbers(
    installments: InstallmentColumns, pauses: PauseColumns
) -> tuple[InstallmentColumns, PauseColumns]:
    """int32 day numbers, NO_DATE while unpaid."""

    def numbers(values: np.ndarray) -> np.ndarray:
        out = values.astype(np.int64)
        out[np.isnat(values)] = NO_DATE
        return out.astype(np.int32)

    return (
        InstallmentColumns(
            installments.loan_index.astype(np.int32),
            numbers(installments.due_date),
            numbers(installments.settled_on),
        ),
        PauseColumns(
            pauses.loan_index.astype(np.int32), numbers(pauses.start), numbers(pauses.end)
        ),
    )


def vectorised_results(result: DelinquencyColumns) -> list[tuple[date | None, int, str]]:
    oldest = result.oldest_unpaid_due_dates().tolist()
    return [
        (due, int(dpd), result.labels[code])
        for due, dpd, code in zip(oldest, result.dpd, result.bucket_code, strict=True)
    ]


def run(
    loans: Sequence[LoanCase], as_of: date = AS_OF, scheme: BucketScheme = DEFAULT_BUCKETS
) -> list[tuple[date | None, int, str]]:
    """Vectorised results, after checking datetime64 and day-number input agree."""
    installments, pauses = as_columns(loans)
    from_dates = compute_delinquency(
        installments, pauses, n_loans=len(loans), as_of=as_of, scheme=scheme
    )
    from_numbers = compute_delinquency(
        *as_day_numbers(installments, pauses), n_loans=len(loans), as_of=as_of, scheme=scheme
    )
    assert vectorised_results(from_numbers) == vectorised_results(from_dates)
    return vectorised_results(from_dates)


# -- hand-written edge cases -------------------------------------------------------------

EDGE_CASES = {
    "no installments": (LoanCase(), 0),
    "all paid": (LoanCase([(days(-60), days(-61)), (days(-30), days(-25))]), 0),
    "settled on as_of": (LoanCase([(days(-10), days(0))]), 0),
    "settled the day after as_of": (LoanCase([(days(-10), days(1))]), 10),
    "due on as_of": (LoanCase([(days(0), None)]), 0),
    "due the day before as_of": (LoanCase([(days(-1), None)]), 1),
    "not due yet": (LoanCase([(days(5), None)]), 0),
    "oldest of several unpaid": (
        LoanCase([(days(-5), None), (days(-95), None), (days(-65), days(-3))]),
        95,
    ),
    "pause covering the whole period": (
        LoanCase([(days(-40), None)], [PausePeriod(days(-100), days(30))]),
        0,
    ),
    "overlapping pauses count once": (
        LoanCase(
            [(days(-100), None)],
            [PausePeriod(days(-90), days(-60)), PausePeriod(days(-70), days(-50))],
        ),
        100 - 41,
    ),
    "pause nested in another": (
        LoanCase(
            [(days(-100), None)],
            [PausePeriod(days(-90), days(-50)), PausePeriod(days(-80), days(-70))],
        ),
        100 - 41,
    ),
    "adjacent pauses": (
        LoanCase(
            [(days(-100), None)],
            [PausePeriod(days(-90), days(-81)), PausePeriod(days(-80), days(-71))],
        ),
        80,
    ),
    "pause after as_of": (LoanCase([(days(-20), None)], [PausePeriod(days(1), days(9))]), 20),
    "pause ending on the due date": (
        LoanCase([(days(-20), None)], [PausePeriod(days(-30), days(-20))]),
        20,
    ),
    "pause starting before the due date": (
        LoanCase([(days(-20), None)], [PausePeriod(days(-30), days(-11))]),
        11,
    ),
    "pause ending after as_of": (
        LoanCase([(days(-20), None)], [PausePeriod(days(-4), days(40))]),
        15,
    ),
    "pause on a loan with nothing unpaid": (
        LoanCase([(days(-20), days(-20))], [PausePeriod(days(-4), days(40))]),
        0,
    ),
}


@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edge_case_matches_domain_and_expected_dpd(name: str) -> None:
    # Other loans around the case check that nothing leaks between loans.
    neighbour = LoanCase([(days(-400), None)], [PausePeriod(days(-300), days(-201))])
    loans = [neighbour, EDGE_CASES[name][0], neighbour]
    expected = domain_results(loans, AS_OF, DEFAULT_BUCKETS)
    assert run(loans) == expected
    assert expected[1][1] == EDGE_CASES[name][1]
    assert expected[0][1] == 300


def test_all_edge_cases_in_one_portfolio() -> None:
    loans = [case for case, _ in EDGE_CASES.values()]
    assert run(loans) == domain_results(loans, AS_OF, DEFAULT_BUCKETS)


def test_custom_bucket_scheme_boundaries() -> None:
    scheme = BucketScheme.from_upper_bounds(("current", "early", "late"), (0, 9))
    loans = [LoanCase([(days(-n), None)]) for n in (0, 1, 9, 10, 400)]
    result = run(loans, scheme=scheme)
    assert [label for _, _, label in result] == ["current", "early", "early", "late", "late"]
    assert result == domain_results(loans, AS_OF, scheme)


def test_default_buckets_at_every_boundary() -> None:
    boundaries = [0, 1, 30, 31, 60, 61, 90, 91, 120, 121, 150, 151, 180, 181, 5000]
    loans = [LoanCase([(days(-n), None)]) for n in boundaries]
    result = run(loans)
    assert result == domain_results(loans, AS_OF, DEFAULT_BUCKETS)
    # Each bucket's lowest and highest DPD (M0 has one value; 5000 stands in for M6+'s "no end").
    labels = ["M0", *(label for label in DEFAULT_BUCKETS.labels[1:] for _ in ("lowest", "highest"))]
    assert [label for _, _, label in result] == labels


def test_oldest_unpaid_due_dates_are_nat_when_nothing_is_unpaid() -> None:
    installments, pauses = as_columns([LoanCase(), LoanCase([(days(-3), None)])])
    result = compute_delinquency(
        installments, pauses, n_loans=3, as_of=AS_OF, scheme=DEFAULT_BUCKETS
    )
    assert result.oldest_unpaid_due.tolist() == [NO_DATE, day_number(days(-3)), NO_DATE]
    assert np.isnat(result.oldest_unpaid_due_dates()).tolist() == [True, False, True]


def test_merge_pauses_joins_overlapping_and_adjacent_runs_per_loan() -> None:
    loan = np.array([1, 0, 1, 1, 0, 1])
    start = np.array([10, 5, 1, 30, 5, 16])
    end = np.array([20, 7, 3, 40, 6, 25])
    merged = merge_pauses(loan, start, end)
    assert [m.tolist() for m in merged] == [[0, 1, 1, 1], [5, 1, 10, 30], [7, 3, 25, 40]]


_PAUSE = st.tuples(st.integers(0, 60), st.integers(0, 15)).map(lambda p: (p[0], p[0] + p[1]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), _PAUSE), max_size=25))
def test_merge_pauses_is_the_domain_merge_loan_by_loan(
    rows: list[tuple[int, tuple[int, int]]],
) -> None:
    """The vectorised merge against the reference ``domain.delinquency.merge_pauses``."""
    loan = np.array([r[0] for r in rows], dtype=np.int64)
    start = np.array([r[1][0] for r in rows], dtype=np.int64)
    end = np.array([r[1][1] for r in rows], dtype=np.int64)
    runs = list(zip(*(m.tolist() for m in merge_pauses(loan, start, end)), strict=True))
    expected = [
        (k, *run)
        for k in sorted({r[0] for r in rows})
        for run in reference_merge(p for i, p in rows if i == k)
    ]
    assert runs == expected


# -- Arrow in and out ------------------------------------------------------------------


def test_arrow_table_matches_columns() -> None:
    loans = [case for case, _ in EDGE_CASES.values()]
    installments, pauses = as_columns(loans)
    table = compute_delinquency_table(
        pa.table(
            {
                "loan_index": installments.loan_index,
                "due_date": pa.array(installments.due_date, type=pa.date32()),
                "settled_on": pa.array(installments.settled_on, type=pa.date32()),
            }
        ),
        pa.table(
            {
                "loan_index": pauses.loan_index,
                "start": pa.array(pauses.start, type=pa.date32()),
                "end": pa.array(pauses.end, type=pa.date32()),
            }
        ),
        n_loans=len(loans),
        as_of=AS_OF,
        scheme=DEFAULT_BUCKETS,
    )
    expected = domain_results(loans, AS_OF, DEFAULT_BUCKETS)
    assert table.column("oldest_unpaid_due").to_pylist() == [e[0] for e in expected]
    assert table.column("dpd").to_pylist() == [e[1] for e in expected]
    assert table.column("bucket").to_pylist() == [e[2] for e in expected]
    assert table.column("bucket_code").type == pa.int8()


def test_arrow_refuses_missing_due_dates_and_columns() -> None:
    due = pa.array([date(2026, 1, 1), None], type=pa.date32())
    installments = pa.table({"loan_index": [0, 0], "due_date": due, "settled_on": due})
    no_pauses = pa.table({"loan_index": pa.array([], pa.int64()), "start": [], "end": []})
    with pytest.raises(ValidationError, match="'due_date' has missing values"):
        compute_delinquency_table(
            installments, no_pauses, n_loans=1, as_of=AS_OF, scheme=DEFAULT_BUCKETS
        )
    valid = installments.slice(0, 1)
    without_end = no_pauses.drop_columns(["end"])
    with pytest.raises(ValidationError, match="column 'end' is missing"):
        compute_delinquency_table(
            valid, without_end, n_loans=1, as_of=AS_OF, scheme=DEFAULT_BUCKETS
        )


# -- refused input ---------------------------------------------------------------------


def test_refuses_loan_index_out_of_range() -> None:
    installments, pauses = as_columns([LoanCase(), LoanCase([(days(-1), None)])])
    with pytest.raises(
        ValidationError, match=r"installments.loan_index: values must lie in 0\.\.0"
    ):
        compute_delinquency(installments, pauses, n_loans=1, as_of=AS_OF, scheme=DEFAULT_BUCKETS)


def test_refuses_pause_ending_before_it_starts() -> None:
    pauses = PauseColumns(np.array([0]), np.array([day_number(days(-1))]), np.array([0]))
    installments, _ = as_columns([LoanCase([(days(-1), None)])])
    with pytest.raises(ValidationError, match="ends before it starts") as raised:
        compute_delinquency(installments, pauses, n_loans=1, as_of=AS_OF, scheme=DEFAULT_BUCKETS)
    assert "结束日早于开始日" in raised.value.zh


def test_refuses_missing_due_date_and_unequal_columns() -> None:
    nat_due = InstallmentColumns(
        np.array([0]), np.array(["NaT"], dtype="datetime64[D]"), np.array([NO_DATE])
    )
    with pytest.raises(ValidationError, match="due_date: a date is missing"):
        compute_delinquency(
            nat_due, PauseColumns.empty(), n_loans=1, as_of=AS_OF, scheme=DEFAULT_BUCKETS
        )
    short = InstallmentColumns(np.array([0, 0]), np.array([1, 2]), np.array([NO_DATE]))
    with pytest.raises(ValidationError, match="different lengths"):
        compute_delinquency(
            short, PauseColumns.empty(), n_loans=1, as_of=AS_OF, scheme=DEFAULT_BUCKETS
        )


def test_refuses_non_date_columns() -> None:
    floats = InstallmentColumns(np.array([0]), np.array([1.5]), np.array([NO_DATE]))
    with pytest.raises(ValidationError, match="expected dates"):
        compute_delinquency(
            floats, PauseColumns.empty(), n_loans=1, as_of=AS_OF, scheme=DEFAULT_BUCKETS
        )


def test_refuses_schemes_too_large_for_int8_codes() -> None:
    scheme = BucketScheme.from_upper_bounds([f"B{i}" for i in range(128)], range(127))
    installments, pauses = as_columns([LoanCase()])
    with pytest.raises(ValidationError, match="at most 127"):
        compute_delinquency(installments, pauses, n_loans=1, as_of=AS_OF, scheme=scheme)


# -- property: vectorised == domain loop on random portfolios --------------------------

offsets = st.integers(min_value=-150, max_value=40)


@st.composite
def installment(draw: st.DrawFn) -> tuple[date, date | None]:
    due = days(draw(offsets))
    paid_after = draw(st.none() | st.integers(min_value=-15, max_value=160))
    return due, None if paid_after is None else due + timedelta(days=paid_after)


@st.composite
def pause(draw: st.DrawFn) -> PausePeriod:
    start = days(draw(st.integers(min_value=-170, max_value=20)))
    return PausePeriod(start, start + timedelta(days=draw(st.integers(0, 80))))


loan_cases = st.builds(
    LoanCase,
    st.lists(installment(), max_size=6),
    st.lists(pause(), max_size=4),
)


@st.composite
def bucket_schemes(draw: st.DrawFn) -> BucketScheme:
    bounds = sorted(draw(st.sets(st.integers(min_value=0, max_value=200), max_size=6)))
    return BucketScheme.from_upper_bounds([f"B{i}" for i in range(len(bounds) + 1)], bounds)


@settings(max_examples=300, deadline=None)
@given(
    loans=st.lists(loan_cases, max_size=8),
    scheme=st.sampled_from([DEFAULT_BUCKETS]) | bucket_schemes(),
    as_of_shift=st.integers(min_value=-30, max_value=30),
    data=st.data(),
)
def test_vectorised_equals_domain_loop(
    loans: list[LoanCase], scheme: BucketScheme, as_of_shift: int, data: st.DataObject
) -> None:
    as_of = days(as_of_shift)
    installments, pauses = as_columns(loans)
    # Rows in any order: the computation must not rely on rows being sorted by loan.
    rows = data.draw(st.permutations(range(installments.loan_index.size)))
    pause_rows = data.draw(st.permutations(range(pauses.loan_index.size)))
    shuffled = InstallmentColumns(*(a[list(rows)] for a in _fields(installments)))
    shuffled_pauses = PauseColumns(*(a[list(pause_rows)] for a in _fields(pauses)))
    result = compute_delinquency(
        shuffled, shuffled_pauses, n_loans=len(loans), as_of=as_of, scheme=scheme
    )
    assert vectorised_results(result) == domain_results(loans, as_of, scheme)


def _fields(columns: InstallmentColumns | PauseColumns) -> tuple[np.ndarray, ...]:
    if isinstance(columns, InstallmentColumns):
        return columns.loan_index, columns.due_date, columns.settled_on
    return columns.loan_index, columns.start, columns.end
