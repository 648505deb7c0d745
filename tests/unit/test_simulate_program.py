"""A policy over columns agrees with the one-account evaluator; the month-level gate cuts what
the pack forbids."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.compliance.contacts import Channel as GateChannel
from tideover.compliance.contacts import HoldKind
from tideover.compliance.loader import load_pack
from tideover.compliance.rules import QuietPeriodParams
from tideover.policy.document import CompiledPolicy, load_policy
from tideover.policy.evaluate import choose_arm, decide
from tideover.policy.model import Channel, Tone
from tideover.simulate.book import Book
from tideover.simulate.exposure import ON_TIME, Rows, month_exposure
from tideover.simulate.gate import MonthGate, month_gate, open_gate
from tideover.simulate.priors import load_priors
from tideover.simulate.program import Program, relief_of, split_points

EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
BANDS = ("A", "B", "C", "D", "E")
PLATFORM = "sim-test"


def _policy(name: str) -> CompiledPolicy:
    return load_policy(EXAMPLES / f"{name}.yaml")


def _program(name: str, gate: MonthGate | None = None) -> Program:
    return Program.build(_policy(name), gate=gate or open_gate(), priors=load_priors())


ACCOUNTS = st.lists(
    st.tuples(
        st.integers(-1, 8),  # payments missed; -1: current all month
        st.sampled_from(range(len(BANDS))),
        st.integers(0, 10_000),  # score in ten-thousandths
        st.booleans(),  # hardship
        st.booleans(),  # vulnerable
        st.booleans(),  # dispute
        st.integers(0, 5),  # months in segment
    ),
    min_size=1,
    max_size=12,
)


def _book(accounts: list[tuple]) -> Book:
    n = len(accounts)
    return Book(
        account_ids=tuple(f"acct-{i}" for i in range(n)),
        missed=np.zeros(n, dtype=np.int8),
        balance=np.full(n, 100_000, dtype=np.int64),
        installment=np.full(n, 10_000, dtype=np.int64),
        product=np.zeros(n, dtype=np.int16),
        products=("loan",),
        band=np.array([a[1] for a in accounts], dtype=np.int16),
        bands=BANDS,
        revolving=np.zeros(n, dtype=bool),
        months_on_book=np.full(n, 6, dtype=np.int64),
        score=np.array([a[2] for a in accounts], dtype=np.int64),
        score_known=np.ones(n, dtype=bool),
        vulnerable=np.array([a[4] for a in accounts]),
        dispute=np.array([a[5] for a in accounts]),
        hardship=np.array([a[3] for a in accounts]),
    )


def _features(account: tuple, dpd: int, days_in_segment: int) -> dict:
    _, band, score, hardship, vulnerable, dispute, _ = account
    return {
        "dpd": dpd,
        "days_in_segment": days_in_segment,
        "band": BANDS[band],
        "score": Decimal(score).scaleb(-4),
        "hardship_flag": hardship,
        "vulnerable_flag": vulnerable,
        "dispute_flag": dispute,
        "promise_active": False,
        "broken_promises": 0,
    }


@settings(max_examples=60, deadline=None)
@given(accounts=ACCOUNTS, name=st.sampled_from(["supportive", "aggressive"]))
def test_a_month_over_columns_is_the_sum_of_the_evaluator_s_days(accounts: list, name: str) -> None:
    compiled = _policy(name)
    program = _program(name)
    book = _book(accounts)
    n = len(accounts)
    rows = Rows(
        ids=np.arange(n),
        missed=np.array([a[0] for a in accounts], dtype=np.int8),
        hardship=book.hardship,
        segment_months=np.array([a[6] for a in accounts], dtype=np.int64),
        balance=book.balance,
        months_on_book=book.months_on_book,
        arms=program.arm_index(program.arm_buckets(PLATFORM, book.account_ids)),
    )
    exposure = month_exposure(program, book, rows)
    attempts = exposure.steady + exposure.paused
    for i, account in enumerate(accounts):
        missed, months = account[0], account[6]
        days = [0] * 30 if missed == ON_TIME else [30 * missed + 1 + t for t in range(30)]
        expected = np.zeros(len(program.combos))
        first = None
        for t, dpd in enumerate(days):
            decision = decide(
                compiled,
                _features(account, dpd, 30 * months + t),
                platform=PLATFORM,
                account_id=book.account_ids[i],
            )
            first = first or decision
            for action in decision.actions:
                # On time, a step on day 0 of the days-past-due clock comes once.
                on_dpd_clock = not program.clock_segment[
                    program.treatment_ids.index(decision.treatment)
                ]
                if missed == ON_TIME and on_dpd_clock and t > 0:
                    continue
                expected[program.combos.index((action.channel, action.tone))] += 1
        assert first is not None
        assert program.segment_ids[exposure.segment[i]] == first.segment
        assert attempts[i].tolist() == expected.tolist(), (name, account)


def test_arms_agree_with_the_evaluator() -> None:
    compiled = _policy("supportive")
    program = _program("supportive")
    ids = tuple(f"loan-{i}" for i in range(2000))
    arms = program.arm_index(program.arm_buckets(PLATFORM, ids))
    choice = program.arms[0]
    experiment = compiled.policy.experiments[0]
    for i, account_id in enumerate(ids):
        arm_id, _ = choose_arm(experiment, platform=PLATFORM, account_id=account_id)
        assert choice.arm_ids[arms[0, i]] == arm_id


def test_split_points_are_where_days_past_due_conditions_change() -> None:
    assert _program("supportive").split_points == (1, 15, 16, 30, 31)
    trees = [_policy("supportive").segment_conditions["high_risk"].tree]
    assert split_points(trees, "score", 4) == (6000, 6001)


def test_relief_follows_the_offers_limits() -> None:
    offers = _policy("supportive").policy.offers
    hardship = relief_of(offers["hardship_relief"])
    assert hardship.liquidity
    assert hardship.wealth
    assert hardship.months == 12
    assert hardship.waived_share == 0.5  # half of a 100 % interest waiver
    standard = relief_of(offers["standard_relief"])
    assert standard.liquidity
    assert not standard.wealth
    settlement = relief_of(offers["settlement_relief"])
    assert settlement.waived_share == 0.3  # half of the 60 % an interest waiver may forgo


def test_a_cap_across_channels_holds_every_seven_days() -> None:
    program = _program("aggressive", month_gate(load_pack("US-NYC")))
    daily = np.diff(program.allowed_cum, axis=2)
    contacts = daily[:, program.contact_rows, :].sum(axis=1)
    for t in range(len(program.treatment_ids)):
        windows = np.convolve(contacts[t], np.ones(7), mode="valid")
        assert windows.max() <= 3 + 1e-9
    planned = np.diff(program.planned_cum, axis=2)[:, program.contact_rows, :].sum()
    assert planned > contacts.sum()  # the aggressive cadence asks for far more


def test_caps_that_do_not_bind_change_nothing() -> None:
    program = _program("aggressive", month_gate(load_pack("CN")))
    # Two calls a day against a cap of three connected (CN-FREQ-CONNECTED) and six unanswered.
    assert np.allclose(program.allowed_cum, program.planned_cum)


def test_only_rules_that_reach_the_creditor_apply() -> None:
    gate = month_gate(load_pack("US"))
    assert "US-7IN7-ATTEMPTS" not in {rule_id for rule_id, _, _ in gate.caps}  # agencies only
    assert not gate.quiet
    assert gate.blocks_disputes
    assert gate.blocks_complaints
    assert HoldKind.BANKRUPTCY in gate.holds


def test_a_quiet_period_keeps_calls_apart_after_a_conversation() -> None:
    quiet = MonthGate(
        "TEST", "v", (), (("Q", QuietPeriodParams(days=7), frozenset({GateChannel.CALL})),),
        frozenset(),
    )  # fmt: skip
    planned = np.ones((1, 15))
    allowed = quiet.allowed(planned, [Channel.HUMAN_CALL], {GateChannel.CALL: 1.0})
    assert allowed[0].tolist() == [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]


def test_the_program_lists_each_channel_and_tone_once() -> None:
    program = _program("aggressive")
    assert (Channel.ROBOT_CALL, Tone.FIRM) in program.combos
    assert len(set(program.combos)) == len(program.combos)
    assert program.contact_rows.tolist() == [
        c is not Channel.LEGAL_REFERRAL for c, _ in program.combos
    ]
