"""The Monte Carlo: reproducible, common random numbers, monotone, the gate obeyed, money whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.compliance.loader import load_pack
from tideover.policy.document import CompiledPolicy, load_policy, parse_policy
from tideover.simulate import cells as cells_module
from tideover.simulate.behaviour import POOLED, BehaviourModel
from tideover.simulate.book import Book
from tideover.simulate.engine import Settings, simulate
from tideover.simulate.errors import BookRejected, SimulationOutOfRange
from tideover.simulate.gate import MonthGate, month_gate, open_gate
from tideover.simulate.measures import COUNT, KPIS
from tideover.simulate.month import next_state
from tideover.simulate.priors import load_priors
from tideover.simulate.program import Program
from tideover.simulate.results import SimulationResult
from tideover.simulate.states import D1, D3, D4, C

EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
MATRIX = np.array(
    [
        [0.939, 0.061, 0, 0],
        [0.253, 0.684, 0.063, 0],
        [0.159, 0.425, 0.159, 0.257],
        [0.031, 0.273, 0.051, 0.645],
    ]
)
# Exactly the reference treatment in every window: one text, two collector calls, neutral.
REFERENCE_POLICY = """
schema_version: 1
policy: reference
names: {en: Reference, zh: 参照}
jurisdiction: CN
templates: [text, script]
segments:
  - {id: everyone, names: {en: Everyone, zh: 全部}, default: true, treatment: reference}
treatments:
  reference:
    steps:
      - {at: 1, every: 30, until: 1000, channel: sms, template: text, tone: neutral}
      - {at: 5, every: 30, until: 1000, channel: human_call, template: script, tone: neutral,
         queue: q, priority: 50}
      - {at: 15, every: 30, until: 1000, channel: human_call, template: script, tone: neutral,
         queue: q, priority: 50}
"""
SILENT_POLICY = """
schema_version: 1
policy: silent
names: {en: Silent, zh: 不联系}
jurisdiction: CN
segments:
  - {id: everyone, names: {en: Everyone, zh: 全部}, default: true, treatment: nothing}
treatments:
  nothing: {steps: []}
"""


def _model(scale: float = 1e8) -> BehaviourModel:
    counts = np.round(MATRIX * scale).astype(np.int64)[None]
    return BehaviourModel("test", (POOLED,), counts, 20.0, "reference matrix")


def _book(n: int, *, missed: int | np.ndarray = 0, dispute: bool = False, seed: int = 0) -> Book:
    rng = np.random.default_rng(seed)
    installment = rng.integers(5_000, 50_000, n)
    missed_array = np.broadcast_to(np.asarray(missed, dtype=np.int8), (n,)).copy()
    return Book(
        account_ids=tuple(f"L{i}" for i in range(n)),
        missed=missed_array,
        balance=installment * (24 + missed_array),
        installment=installment,
        product=np.zeros(n, dtype=np.int16),
        products=("loan",),
        band=rng.integers(0, 5, n).astype(np.int16),
        bands=("A", "B", "C", "D", "E"),
        revolving=np.zeros(n, dtype=bool),
        months_on_book=np.full(n, 12, dtype=np.int64),
        score=rng.integers(0, 10_000, n),
        score_known=np.ones(n, dtype=bool),
        vulnerable=rng.random(n) < 0.05,
        dispute=np.full(n, dispute),
        hardship=rng.random(n) < 0.05,
    )


def _program(policy: CompiledPolicy, gate: MonthGate | None = None) -> Program:
    return Program.build(policy, gate=gate or month_gate(load_pack("CN")), priors=load_priors())


def _run(
    policy: CompiledPolicy,
    book: Book,
    *,
    months: int = 3,
    runs: int = 4,
    seed: int = 9,
    gate: MonthGate | None = None,
    uncertain: bool = True,
) -> SimulationResult:
    return simulate(
        program=_program(policy, gate),
        model=_model(),
        book=book,
        priors=load_priors(),
        settings=Settings(
            months=months, runs=runs, seed=seed, platform="sim", prior_uncertainty=uncertain
        ),
    )


def _example(name: str) -> CompiledPolicy:
    return load_policy(EXAMPLES / f"{name}.yaml")


def test_the_same_seed_gives_the_same_result_and_another_seed_another() -> None:
    book = _book(3000, missed=np.arange(3000) % 5)
    a = _run(_example("supportive"), book)
    b = _run(_example("supportive"), book)
    c = _run(_example("supportive"), book, seed=10)
    assert np.array_equal(a.counts, b.counts)
    assert not np.array_equal(a.counts, c.counts)


def test_two_policies_on_one_book_see_the_same_priors() -> None:
    book = _book(500)
    a = _run(_example("supportive"), book)
    b = _run(_example("aggressive"), book)
    assert np.array_equal(a.prior_draws, b.prior_draws)
    assert (
        a.counts[:, 0, COUNT["open_start"]].tolist() == b.counts[:, 0, COUNT["open_start"]].tolist()
    )


def test_the_reference_treatment_reproduces_the_fitted_matrix() -> None:
    n = 60_000
    policy = parse_policy(REFERENCE_POLICY)
    for start, row in ((0, C), (1, D1), (3, D3), (4, D4)):
        result = _run(policy, _book(n, missed=start), months=1, runs=1, uncertain=False)
        counts = result.counts[0, 0]
        if row == C:
            rolled = counts[COUNT["rolled"]] / n
            assert rolled == pytest.approx(MATRIX[C, D1], abs=0.005)
        else:
            cured = counts[COUNT["cured"]] / n
            assert cured == pytest.approx(MATRIX[row, C], abs=0.008)


def test_no_contact_never_cures_more_than_the_reference() -> None:
    book = _book(5000, missed=np.arange(5000) % 4)
    reference = _run(parse_policy(REFERENCE_POLICY), book, months=1, runs=6)
    silent = _run(parse_policy(SILENT_POLICY), book, months=1, runs=6)
    cured_reference = reference.counts[:, 0, COUNT["cured"]]
    cured_silent = silent.counts[:, 0, COUNT["cured"]]
    assert (cured_silent <= cured_reference).all()  # common random numbers: run by run
    assert silent.counts[..., COUNT["contacts"]].sum() == 0
    assert silent.counts[..., COUNT["cost"]].sum() == 0


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.lists(st.floats(0.01, 1.0), min_size=4, max_size=4),
            st.sampled_from([C, D1, D3, D4]),
            st.floats(0, 0.999),
            st.floats(-2, 2),
            st.floats(0, 2),
            st.floats(0.05, 0.95),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_more_lift_never_leaves_an_account_worse(rows: list) -> None:
    weights = np.array([r[0] for r in rows])
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)[:, :3]
    start = np.array([r[1] for r in rows], dtype=np.int8)
    u = np.array([r[2] for r in rows])
    lift = np.array([r[3] for r in rows])
    more = lift + np.array([r[4] for r in rows])
    within = np.array([r[5] for r in rows])
    columns = (cumulative[:, 0], cumulative[:, 1], cumulative[:, 2])
    full = np.column_stack([np.zeros(len(start)), cumulative])
    better = full[np.arange(len(start)), start]  # the shares of the states before the start
    low = next_state(columns, better, start, lift, u, within)
    high = next_state(columns, better, start, more, u, within)
    assert (high <= low).all()


def test_a_held_account_is_never_contacted() -> None:
    book = _book(2000, missed=1, dispute=True)  # the policy has no segment for disputes
    held = _run(parse_policy(REFERENCE_POLICY), book, months=2, runs=2)
    assert held.counts[..., COUNT["contacts"]].sum() == 0
    free = _run(parse_policy(REFERENCE_POLICY), book, months=2, runs=2, gate=open_gate())
    assert free.counts[..., COUNT["contacts"]].sum() > 0


def test_a_cap_is_obeyed_and_what_it_refuses_is_counted() -> None:
    book = _book(2000, missed=1)
    capped = _run(
        _example("aggressive"), book, months=2, runs=2, gate=month_gate(load_pack("US-NYC"))
    )
    per_account = capped.kpi("contacts_per_account")
    assert (per_account <= 3 * 30 / 7 + 1e-6).all()  # at most three contacts in any seven days
    assert (capped.counts[..., COUNT["denied"]] > 0).all()


def test_money_stays_in_whole_minor_units() -> None:
    result = _run(_example("supportive"), _book(3000, missed=np.arange(3000) % 6))
    for name in ("recovered", "collected", "waived", "cost", "open_end_balance", "overdue_start"):
        values = result.counts[..., COUNT[name]]
        assert np.array_equal(values, np.round(values)), name


def test_relief_plans_come_only_from_a_policy_that_offers_them() -> None:
    book = _book(4000, missed=np.arange(4000) % 4)
    supportive = _run(_example("supportive"), book, months=4)
    aggressive = _run(_example("aggressive"), book, months=4)
    assert supportive.counts[..., COUNT["plans_taken"]].sum() > 0
    assert aggressive.counts[..., COUNT["plans_taken"]].sum() == 0


def test_cells_give_exactly_what_direct_evaluation_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    book = _book(1500, missed=np.arange(1500) % 6)
    cached = _run(_example("supportive"), book)
    monkeypatch.setattr(cells_module, "MAX_CELLS", 0)  # every account evaluated afresh
    direct = _run(_example("supportive"), book)
    assert np.allclose(cached.counts, direct.counts)


def test_every_kpi_is_reported_for_every_run_and_month() -> None:
    result = _run(_example("supportive"), _book(1000, missed=np.arange(1000) % 3), months=2, runs=3)
    assert result.kpis.shape == (3, 2, len(KPIS))
    summary = result.summary()
    assert len(summary) == 2 * len(KPIS)
    dq30 = next(i for i in summary if i.kpi == "dq30_rate" and i.month == 2)
    assert dq30.low is not None
    assert dq30.high is not None
    assert dq30.low <= dq30.high


def test_months_and_runs_out_of_range_are_refused_before_any_work() -> None:
    for months, runs in ((0, 1), (61, 1), (1, 0), (1, 10_001)):
        with pytest.raises(SimulationOutOfRange) as caught:
            Settings(months=months, runs=runs, seed=1, platform="p")
        assert caught.value.zh != caught.value.en


def test_an_inconsistent_book_is_refused() -> None:
    book = _book(3)
    with pytest.raises(BookRejected):
        Book(**{**book.__dict__, "balance": np.array([1, 2], dtype=np.int64)})
    with pytest.raises(BookRejected):
        Book(**{**book.__dict__, "installment": np.array([1, -2, 3], dtype=np.int64)})
    with pytest.raises(BookRejected):
        Book(**{**book.__dict__, "account_ids": ("a", "a", "b")})
