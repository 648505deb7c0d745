"""The shipped templates, the rights statements, the validation dates, timing and rates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tideover.comms.catalogue import LANGUAGES, MessageChannel, Purpose
from tideover.comms.defaults import default_for, default_template, default_templates
from tideover.comms.review import review_template
from tideover.comms.statements import STATEMENT_PACKS, TOPICS_EXPECTED, statement, statement_text
from tideover.comms.timing import MAX_ATTEMPTS, Quiet, RateLimiter, next_retry, quiet_until
from tideover.comms.validation import assumed_receipt, validation_period_end
from tideover.compliance.contacts import ActorRole
from tideover.compliance.loader import load_pack
from tideover.domain.errors import NotFound
from tideover.services.comms.checking import MessageCheck


def test_every_purpose_has_a_shipped_template_in_both_languages() -> None:
    shipped = default_templates()
    assert {t.text.purpose for t in shipped.values()} == set(Purpose)
    for template in shipped.values():
        assert set(template.text.body) == set(LANGUAGES)
    assert default_template("sms_soft_reminder") == default_template("reminder_sms")
    assert default_for(Purpose.VALIDATION_NOTICE, MessageChannel.LETTER) is not None


@pytest.mark.parametrize("pack", ["CN", "US", "UK", "EU"])
@pytest.mark.parametrize("actor", [ActorRole.CREDITOR, ActorRole.AGENCY])
def test_the_shipped_templates_pass_their_own_review(pack: str, actor: ActorRole) -> None:
    check = MessageCheck(
        [load_pack(pack)], actor=actor, sender_names={"zh-CN": "示例金融", "en": "Example Finance"}
    )
    for name, template in default_templates().items():
        findings = review_template(template.text, check=check.text)
        assert findings == [], (name, findings)


def test_a_missing_opt_out_is_refused_for_a_debt_collector() -> None:
    check = MessageCheck([load_pack("US")], actor=ActorRole.AGENCY)
    found = check.text("Please pay {x}.", MessageChannel.EMAIL, "en")
    assert [f.rule_ids for f in found] == [("US-EOPT",)]


def test_each_statement_covers_the_topics_with_sources() -> None:
    for pack in STATEMENT_PACKS:
        sections = statement(pack)
        assert set(TOPICS_EXPECTED) <= {s.id for s in sections}
        assert all(s.sources and s.text["zh-CN"] and s.text["en"] for s in sections)
    # free debt advice is signposted where the law expects it
    assert "advice" in {s.id for s in statement("UK")} | set()
    assert "MoneyHelper" in statement_text("UK", "en")
    assert "12378" in statement_text("CN", "zh-CN")
    assert "consumerfinance.gov" in statement_text("US", "en")
    with pytest.raises(NotFound):
        statement("XX")


def test_validation_period_counts_business_days_then_thirty() -> None:
    # Tuesday 2026-12-22: receipt skips Christmas and the weekend; then 30 days.
    assert assumed_receipt(date(2026, 12, 22)) == date(2026, 12, 30)
    assert validation_period_end(date(2026, 12, 22)) == date(2027, 1, 29)
    assert assumed_receipt(date(2026, 3, 2)) == date(2026, 3, 9)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
def test_validation_period_is_at_least_35_days(sent: date) -> None:
    end = validation_period_end(sent)
    assert end - sent >= timedelta(days=35)
    assert assumed_receipt(sent).weekday() < 5


def test_quiet_hours_in_every_candidate_zone() -> None:
    quiet = Quiet(time(21, 0), time(8, 0))
    at = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 22:00 Shanghai, 14:00 London
    assert quiet_until(at, ("Europe/London",), quiet) is None
    assert quiet_until(at, ("Asia/Shanghai",), quiet) == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    both = quiet_until(at, ("Asia/Shanghai", "America/New_York"), quiet)
    # 08:00 Shanghai is 19:00 in New York: still allowed there; all zones agree then.
    assert both == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    assert quiet_until(at, ("Asia/Shanghai",), None) is None


@given(
    st.datetimes(
        min_value=datetime(2025, 1, 1),  # noqa: DTZ001 (hypothesis takes naive bounds)
        max_value=datetime(2027, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.sampled_from(["Asia/Shanghai", "America/Los_Angeles", "Europe/London"]),
)
def test_quiet_until_lands_outside_the_quiet_hours(at: datetime, zone: str) -> None:
    from zoneinfo import ZoneInfo

    quiet = Quiet(time(21, 0), time(8, 0))
    later = quiet_until(at, (zone,), quiet)
    moment = later or at
    assert not quiet.covers(moment.astimezone(ZoneInfo(zone)).time())


def test_back_off_doubles_and_stops() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    gaps = [next_retry(at, n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert [g - at for g in gaps[:-1] if g] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert gaps[-1] is None


def test_rate_limit_sleeps_to_keep_the_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(10, burst=1, clock=lambda: now[0], sleep=sleep)
    for _ in range(21):
        limiter.acquire()
    assert now[0] == pytest.approx(2.0)  # 21 sends at 10/s after one free: 2 seconds


@pytest.mark.parametrize("pack", ["CN", "US", "UK", "EU"])
def test_each_statement_passes_the_message_checker(pack: str) -> None:
    check = MessageCheck([load_pack(pack)])
    for language in LANGUAGES:
        text = statement_text(pack, language)
        assert check.text(text, MessageChannel.LETTER, language) == [], (pack, language)
