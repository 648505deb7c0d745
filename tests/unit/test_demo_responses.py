"""The simulated borrowers' response rules: reproducible, common to platforms, monotone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tideover.demo.responses import Contact, draw, keeps_promise, respond

DAY = date(2026, 11, 30)
CHANNELS = ("sms", "email", "app_push", "letter", "robot_call", "human_call", "field_visit")


def _contact(account: str, *, channel: str = "human_call", tone: str = "neutral", dpd: int = 10,
             recent: int = 1) -> Contact:  # fmt: skip
    return Contact(account, channel, tone, dpd, recent)


def test_draws_are_reproducible_and_uniform_enough() -> None:
    values = [draw(7, "L", i) for i in range(20_000)]
    assert values == [draw(7, "L", i) for i in range(20_000)]
    assert all(0 <= v < 1 for v in values)
    assert abs(sum(values) / len(values) - Decimal("0.5")) < Decimal("0.01")
    assert draw(7, "L", 1) != draw(8, "L", 1)  # the seed matters


def test_the_same_contact_gets_the_same_answer_whatever_the_platform() -> None:
    # Nothing about the platform goes into a draw: two platforms sharing a book share luck.
    answers = [respond(_contact(f"L{i}"), on=DAY, seed=1) for i in range(500)]
    assert answers == [respond(_contact(f"L{i}"), on=DAY, seed=1) for i in range(500)]


@given(st.integers(0, 10_000), st.sampled_from(CHANNELS), st.integers(1, 200))
def test_a_supportive_tone_never_loses_a_payment_a_neutral_one_gets(
    n: int, channel: str, dpd: int
) -> None:
    neutral = respond(_contact(f"L{n}", channel=channel, dpd=dpd), on=DAY, seed=3)
    supportive = respond(
        _contact(f"L{n}", channel=channel, dpd=dpd, tone="supportive"), on=DAY, seed=3
    )
    assert neutral.pays <= supportive.pays
    assert supportive.complaint <= neutral.complaint  # and complains no more


@given(st.integers(0, 10_000), st.integers(0, 12))
def test_more_contacts_never_buy_a_payment_and_never_spare_a_complaint(n: int, extra: int) -> None:
    few = respond(_contact(f"L{n}", recent=1), on=DAY, seed=5)
    many = respond(_contact(f"L{n}", recent=1 + extra), on=DAY, seed=5)
    assert many.complaint >= few.complaint
    assert many.pays <= few.pays


def test_firm_pressure_complains_more_over_a_large_population() -> None:
    def complaints(tone: str) -> int:
        return sum(
            respond(_contact(f"L{i}", tone=tone, recent=6), on=DAY, seed=11).complaint
            for i in range(20_000)
        )

    assert complaints("firm") > 2 * complaints("supportive")


def test_nobody_reached_means_no_payment_promise_or_complaint() -> None:
    for i in range(2_000):
        r = respond(_contact(f"L{i}", channel="robot_call"), on=DAY, seed=2)
        if r.outcome == "no_answer":
            assert (r.pays, r.promises, r.complaint) == (False, False, False)


def test_promises_to_people_are_kept_more_often_than_promises_to_machines() -> None:
    def kept(channel: str) -> int:
        return sum(
            keeps_promise(f"L{i}", made_on=DAY, channel=channel, seed=9) for i in range(10_000)
        )

    assert kept("human_call") > kept("robot_call") > 0
