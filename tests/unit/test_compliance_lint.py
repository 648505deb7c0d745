"""The policy linter, derived from each pack rule's text and its boundaries."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from tideover.compliance import ActorRole, Target, load_pack
from tideover.compliance.lint import (
    DEFAULT_SEND_TIMES,
    LintReport,
    Location,
    Severity,
    TemplateText,
    lint,
    pack_codes,
)
from tideover.domain.errors import ValidationError
from tideover.policy import CompiledPolicy, load_policy, parse_policy
from tideover.policy.model import Channel as StepChannel
from tideover.policy.model import Names, Policy, Segment, Step, Treatment

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "tideover" / "policy" / "examples"


def example(name: str) -> CompiledPolicy:
    return load_policy(EXAMPLES / f"{name}.yaml")


def policy(steps: str, *, extra: str = "", jurisdiction: str = "CN") -> CompiledPolicy:
    """One overdue segment whose treatment ``t`` has ``steps`` (YAML flow items)."""
    return parse_policy(
        f"""
schema_version: 1
policy: probe
names: {{en: Probe, zh: 探针}}
jurisdiction: {jurisdiction}
templates: [tpl, tpl_cp, tpl_3p]
segments:
  - {{id: overdue, names: {{en: Overdue, zh: 逾期}}, condition: dpd >= 1, treatment: t}}
  - {{id: current, names: {{en: Current, zh: 正常}}, default: true, treatment: none}}
treatments:
  none: {{steps: []}}
  t:
    steps:
{steps}
{extra}
"""
    )


def ids(report: LintReport, severity: Severity | None = None) -> set[str]:
    return {f.rule_id for f in report.findings if severity is None or f.severity is severity}


def call(
    at: int, *, every: int | None = None, until: int | None = None, robot: bool = False
) -> str:
    repeat = f", every: {every}, until: {until}" if every else ""
    if robot:
        return f"      - {{at: {at}{repeat}, channel: robot_call, template: tpl}}"
    return f"      - {{at: {at}{repeat}, channel: human_call, queue: q, priority: 50}}"


# --- the two shipped examples -------------------------------------------------------------


def test_aggressive_is_blocked_under_us_by_the_7_in_7_call_cap() -> None:
    report = lint(example("aggressive"), [load_pack("US")])
    assert not report.approvable
    (finding,) = [f for f in report.blocking if f.rule_id == "US-7IN7-ATTEMPTS"]
    assert finding.location == Location(("overdue",), "daily_pressure", 0)
    assert "14 attempts" in finding.en
    assert "14" in finding.zh
    assert finding.pack == "US"


def test_regulation_f_binds_collectors_not_the_creditor_itself() -> None:
    report = lint(example("aggressive"), [load_pack("US")], actor=ActorRole.CREDITOR)
    assert "US-7IN7-ATTEMPTS" not in ids(report)
    assert report.approvable  # TCPA consent and unchecked templates are warnings


def test_aggressive_under_state_overlays_breaks_their_caps_too() -> None:
    assert {"US-MA-CALLS"} <= ids(lint(example("aggressive"), [load_pack("US-MA")]))
    assert {"US-NYC-FREQ"} <= ids(lint(example("aggressive"), [load_pack("US-NYC")]))


def test_aggressive_under_cn_keeps_within_the_daily_call_caps() -> None:
    # Two calls a day (robot + human) stay within 3 connected / 6 unanswered per day.
    report = lint(example("aggressive"), [load_pack("CN")])
    assert not ids(report) & {"CN-FREQ-CONNECTED", "CN-FREQ-ATTEMPTS", "CN-HOURS"}
    # Warnings only: unchecked templates, and the day-45 visit whose team the gate checks.
    assert ids(report) == {"LINT-TEMPLATE-TEXT", "CN-VISIT"}
    assert report.approvable


def test_aggressive_with_a_threatening_firm_template_is_blocked_under_cn() -> None:
    texts = {
        "sms_overdue_firm": "【某某金融】您已逾期，今天不还款，我们就通知你单位和家人，后果自负。"
    }
    report = lint(example("aggressive"), [load_pack("CN")], templates=texts)
    blocking = [f for f in report.blocking if f.rule_id == "CN-LANG"]
    assert blocking
    assert blocking[0].location.template == "sms_overdue_firm"
    assert blocking[0].location.treatment == "daily_pressure"


def test_supportive_passes_cn_with_only_the_unchecked_templates_warning() -> None:
    report = lint(example("supportive"), [load_pack("CN")])
    assert report.approvable
    assert ids(report) == {"LINT-TEMPLATE-TEXT"}


def test_no_forbearance_route_blocks_under_uk_and_eu() -> None:
    for code, rule in (("UK", "UK-FORB"), ("EU", "EU-FORB"), ("IE", "EU-FORB")):
        report = lint(example("aggressive"), [load_pack(code)])
        found = [f for f in report.blocking if f.rule_id == rule]
        assert {f.location for f in found} == {
            Location(),
            Location(("late",), "escalation", 3),  # the legal referral on day 60
        }
        assert rule not in ids(lint(example("supportive"), [load_pack(code)]))


# --- frequency caps -----------------------------------------------------------------------


def test_seven_calls_in_seven_days_pass_and_the_eighth_blocks() -> None:
    us = [load_pack("US")]
    seven = policy(call(1, every=1, until=30))
    assert "US-7IN7-ATTEMPTS" not in ids(lint(seven, us))
    eight = policy("\n".join([call(1, every=1, until=30), call(4, robot=True)]))
    (finding,) = [f for f in lint(eight, us).blocking if f.rule_id == "US-7IN7-ATTEMPTS"]
    assert "8 attempts" in finding.en


def test_more_calls_a_day_than_cn_allows_connected() -> None:
    cn = [load_pack("CN")]
    three = "\n".join([call(1, every=1, until=9), call(2, every=1, until=9), call(3, robot=True)])
    assert "CN-FREQ-CONNECTED" not in ids(lint(policy(three), cn))
    four = "\n".join([three, call(3, every=1, until=9)])
    report = lint(policy(four), cn)
    assert "CN-FREQ-CONNECTED" in ids(report, Severity.BLOCKING)
    assert "CN-FREQ-ATTEMPTS" not in ids(report)  # 6 unanswered a day are allowed


def test_a_calendar_month_cap_is_checked_on_every_31_day_span() -> None:
    ie = [load_pack("IE")]
    sms = "      - {{at: {}, channel: sms, template: tpl}}"
    spaced = policy("\n".join(sms.format(d) for d in (1, 11, 21, 32)))
    assert "IE-FREQ" not in ids(lint(spaced, ie))
    packed = policy("\n".join(sms.format(d) for d in (1, 11, 21, 31)))
    assert "IE-FREQ" in ids(lint(packed, ie), Severity.BLOCKING)


# --- hours, closed days, quiet periods and consent --------------------------------------------


def test_send_windows_outside_the_pack_hours_block() -> None:
    cn, one = [load_pack("CN")], policy(call(1))
    early = {StepChannel.HUMAN_CALL: (time(7, 59), time(20))}
    assert "CN-HOURS" in ids(lint(one, cn, send_times=early), Severity.BLOCKING)
    edge = {StepChannel.HUMAN_CALL: (time(8), time(22))}  # [08:00, 22:00) exactly
    assert "CN-HOURS" not in ids(lint(one, cn, send_times=edge))
    late = {StepChannel.HUMAN_CALL: (time(8), time(22, 1))}
    assert "CN-HOURS" in ids(lint(one, cn, send_times=late))


def test_the_default_send_windows_fit_every_pack() -> None:
    steps = "\n".join(
        f"      - {{at: {i + 1}, channel: {c.value}, template: tpl}}"
        for i, c in enumerate(DEFAULT_SEND_TIMES)
        if not c.is_human
    )
    compiled = policy(steps + "\n" + call(20))
    for code in ("CN", "US", "UK", "IE"):
        time_rules = {r.id for r in load_pack(code).rules if r.kind == "time_window"}
        assert not ids(lint(compiled, [load_pack(code)])) & time_rules


def test_a_daily_step_over_a_week_falls_on_the_uk_closed_sunday() -> None:
    uk = [load_pack("UK")]
    assert "UK-TIME" in ids(lint(policy(call(1, every=1, until=7)), uk), Severity.WARNING)
    assert "UK-TIME" not in ids(lint(policy(call(1, every=1, until=6)), uk))
    assert "UK-TIME" not in ids(lint(policy(call(1, every=7, until=70)), uk))  # same weekday


def test_calls_closer_than_the_quiet_period_warn() -> None:
    us = [load_pack("US")]
    assert "US-7IN7-QUIET" not in ids(lint(policy(call(1, every=7, until=29)), us))
    report = lint(policy(call(1, every=6, until=29)), us)
    assert "US-7IN7-QUIET" in ids(report, Severity.WARNING)


def test_robot_calls_need_consent_under_tcpa() -> None:
    report = lint(policy(call(1, robot=True)), [load_pack("US")])
    assert "US-TCPA" in ids(report, Severity.WARNING)


# --- recipients and templates -------------------------------------------------------------

SMS = "      - {at: 3, channel: sms, template: tpl}"
CP_SMS = "      - {at: 5, channel: sms, template: tpl_cp}"


def test_a_contact_person_template_disclosing_the_debt_blocks() -> None:
    texts = {
        "tpl": TemplateText("【某某金融】您的借款已逾期，请通过App还款。", sender_name="某某金融"),
        "tpl_cp": TemplateText(
            "您好，您的朋友张三欠款已逾期，请转告他尽快还款。", target=Target.CONTACT_PERSON
        ),
    }
    report = lint(policy("\n".join([SMS, CP_SMS])), [load_pack("CN")], templates=texts)
    disclosures = [f for f in report.blocking if f.rule_id == "CN-DISCLOSE"]
    assert {f.location.template for f in disclosures} == {"tpl_cp"}
    assert "CN-CONTACT-PERSON" in ids(report, Severity.WARNING)  # only when unreachable


def test_third_party_steps_are_refused_in_cn_and_limited_to_once_in_us() -> None:
    texts = {"tpl_3p": TemplateText("Please ask Ann to call us back.", target=Target.THIRD_PARTY)}
    once = policy("      - {at: 5, channel: sms, template: tpl_3p}")
    assert "CN-CONTACT-PERSON" in ids(lint(once, [load_pack("CN")], templates=texts))
    assert "US-3P" not in ids(lint(once, [load_pack("US")], templates=texts))
    twice = policy("      - {at: 5, every: 10, until: 15, channel: sms, template: tpl_3p}")
    assert "US-3P" in ids(lint(twice, [load_pack("US")], templates=texts), Severity.BLOCKING)


def test_missing_texts_and_unknown_senders_are_warnings() -> None:
    one = policy("\n".join([SMS, call(4).replace("}", ", template: tpl_cp}")]))
    report = lint(one, [load_pack("CN")], templates={"tpl_cp": "你好，这里是某某金融。"})
    assert report.approvable
    by_rule = {f.rule_id: f for f in report.warnings}
    assert by_rule["LINT-TEMPLATE-TEXT"].location.template == "tpl"
    assert by_rule["CN-IDENT"].location.template == "tpl_cp"  # call script: name the lender
    named = lint(
        one,
        [load_pack("CN")],
        templates={"tpl_cp": "你好，这里是某某金融。"},
        sender_name="某某金融",
    )
    assert "CN-IDENT" not in ids(named)


def test_a_human_step_without_a_queue_blocks() -> None:
    # The document checks refuse this; the linter still guards policies built in code.
    bare = Policy(
        policy="bare",
        names=Names(en="Bare", zh="空"),
        jurisdiction="CN",
        segments=[Segment(id="all", names=Names(en="All", zh="全部"), default=True, treatment="t")],
        treatments={"t": Treatment(steps=[Step(at=1, channel=StepChannel.FIELD_VISIT)])},
    )
    report = lint(CompiledPolicy(bare, {}, {}), [load_pack("CN")])
    assert [(f.rule_id, f.location) for f in report.blocking] == [
        ("LINT-QUEUE", Location(("all",), "t", 0))
    ]


def test_every_finding_explains_itself_in_both_languages() -> None:
    for name in ("aggressive", "supportive"):
        for code in ("CN", "US", "UK", "IE"):
            for f in lint(example(name), [load_pack(code)]).findings:
                assert f.en
                assert f.zh
                assert f.en != f.zh


# --- which packs ------------------------------------------------------------------------------


def test_pack_codes_come_from_rule_packs_and_jurisdiction() -> None:
    assert pack_codes(example("supportive").policy) == ("CN",)
    assert pack_codes(policy(call(1), jurisdiction="GB").policy) == ("UK",)
    assert pack_codes(policy(call(1), jurisdiction="US-MA").policy) == ("US-MA",)
    assert pack_codes(policy(call(1), jurisdiction="US-CA").policy) == ("US",)
    assert pack_codes(policy(call(1), jurisdiction="FR").policy) == ("EU",)
    assert pack_codes(policy(call(1), jurisdiction="JP").policy) == ()


def test_an_unknown_rule_pack_is_refused() -> None:
    with pytest.raises(ValidationError, match="xx"):
        pack_codes(example("supportive").policy.model_copy(update={"rule_packs": ["xx"]}))
