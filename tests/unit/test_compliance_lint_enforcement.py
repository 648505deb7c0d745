"""The linter on legal referrals of time-barred debts (12 CFR 1006.26(b)) and visit teams."""

from __future__ import annotations

from pathlib import Path

import pytest

from tideover.compliance import ActorRole, load_pack
from tideover.compliance.lint import LintReport, Severity, lint
from tideover.policy import CompiledPolicy, load_policy, parse_policy

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "tideover" / "policy" / "examples"


def policy(
    condition: str = "dpd > 60",
    *,
    before: str = "",
    stop_when: str | None = None,
    jurisdiction: str = "US",
    experiment: bool = False,
) -> CompiledPolicy:
    """A late segment whose treatment ``t`` refers to lawyers on day 90."""
    stop = f"\n    stop_when: {stop_when}" if stop_when else ""
    arms = (
        """
experiments:
  - id: exp
    segment: late
    arms:
      - {id: a, role: champion, treatment: soft, weight: 0.5}
      - {id: b, role: challenger, treatment: t, weight: 0.5}
"""
        if experiment
        else ""
    )
    late = (
        f'{{id: late, names: {{en: Late, zh: 后期}}, condition: "{condition}", '
        f"treatment: {'soft' if experiment else 't'}, offers: relief}}"
    )
    return parse_policy(
        f"""
schema_version: 1
policy: probe
names: {{en: Probe, zh: 探针}}
jurisdiction: {jurisdiction}
templates: [tpl]
segments:
{before}  - {late}
  - {{id: current, names: {{en: Current, zh: 正常}}, default: true, treatment: none}}
treatments:
  none: {{steps: []}}
  soft: {{steps: [{{at: 61, channel: letter, template: tpl}}]}}
  t:
    steps:
      - {{at: 61, channel: letter, template: tpl}}
      - {{at: 90, channel: legal_referral, template: tpl, queue: legal, priority: 90}}{stop}
offers:
  relief: {{options: [extension], max_extension_months: 6}}
{arms}"""
    )


def tbd(report: LintReport) -> list[tuple[str, int | None, Severity]]:
    return [
        (f.location.treatment or "", f.location.step, f.severity)
        for f in report.findings
        if f.rule_id == "US-TBD"
    ]


def test_a_referral_that_could_reach_time_barred_debts_is_a_warning() -> None:
    report = lint(policy(), [load_pack("US")])
    assert tbd(report) == [("t", 1, Severity.WARNING)]
    (finding,) = [f for f in report.findings if f.rule_id == "US-TBD"]
    assert finding.location.segments == ("late",)
    assert "NOT time_barred" in finding.en
    assert "诉讼时效" in finding.zh
    assert finding.pack == "US"
    assert report.approvable  # the gate refuses the referral itself


@pytest.mark.parametrize(
    ("condition", "before", "stop_when"),
    [
        ("dpd > 60 AND NOT time_barred", "", None),
        ("dpd > 60 AND time_barred = FALSE", "", None),
        (
            "dpd > 60",
            "  - {id: barred, names: {en: Barred, zh: 已过时效}, condition: time_barred, "
            "treatment: none}\n",
            None,
        ),
        ("dpd > 60", "", "promise_active OR time_barred"),
    ],
)
def test_excluding_time_barred_debts_silences_it(
    condition: str, before: str, stop_when: str | None
) -> None:
    report = lint(policy(condition, before=before, stop_when=stop_when), [load_pack("US")])
    assert tbd(report) == []


@pytest.mark.parametrize(
    ("condition", "before", "stop_when"),
    [
        # An earlier segment that takes only some time-barred debts does not protect the rest.
        (
            "dpd > 60",
            "  - {id: barred, names: {en: Barred, zh: 已过时效}, "
            "condition: time_barred AND dpd > 365, treatment: none}\n",
            None,
        ),
        ("dpd > 60 OR NOT time_barred", "", None),
        ("dpd > 60", "", "promise_active AND time_barred"),
    ],
)
def test_a_partial_exclusion_is_still_a_warning(
    condition: str, before: str, stop_when: str | None
) -> None:
    compiled = policy(condition, before=before, stop_when=stop_when)
    assert tbd(lint(compiled, [load_pack("US")])) == [("t", 1, Severity.WARNING)]


def test_a_later_exclusion_does_not_shield_an_earlier_segment() -> None:
    compiled = policy(
        "dpd > 60 AND NOT time_barred",
        before="  - {id: early, names: {en: Early, zh: 早期}, condition: dpd > 80, treatment: t}\n",
    )
    (finding,) = [f for f in lint(compiled, [load_pack("US")]).findings if f.rule_id == "US-TBD"]
    assert finding.location.segments == ("early",)


def test_an_experiment_arm_with_a_referral_is_read_too() -> None:
    report = lint(policy(experiment=True), [load_pack("US")])
    assert tbd(report) == [("t", 1, Severity.WARNING)]


def test_only_packs_with_the_rule_and_every_actor_it_binds() -> None:
    assert tbd(lint(policy(jurisdiction="CN"), [load_pack("CN")])) == []
    assert tbd(lint(policy(), [load_pack("UK")])) == []
    # Applied to creditors too (stricter than Regulation F's debt collectors).
    assert tbd(lint(policy(), [load_pack("US")], actor=ActorRole.CREDITOR))
    assert tbd(lint(policy(), [load_pack("US-MA")]))


def test_the_aggressive_example_is_warned_under_us() -> None:
    report = lint(load_policy(EXAMPLES / "aggressive.yaml"), [load_pack("US")])
    assert tbd(report) == [("escalation", 3, Severity.WARNING)]


def test_field_visits_under_cn_say_what_the_gate_checks() -> None:
    compiled = load_policy(EXAMPLES / "aggressive.yaml")
    (finding,) = [f for f in lint(compiled, [load_pack("CN")]).findings if f.rule_id == "CN-VISIT"]
    assert finding.severity is Severity.WARNING
    assert (finding.location.treatment, finding.location.step) == ("escalation", 2)
    assert "staff credential" in finding.en
    assert "recorded" in finding.en
    assert "工作证件" in finding.zh
    capped = load_pack("CN", {"CN-VISIT": {"max_visitors": 2}})
    (finding,) = [f for f in lint(compiled, [capped]).findings if f.rule_id == "CN-VISIT"]
    assert "at most 2 people" in finding.en
    assert "CN-VISIT" not in {f.rule_id for f in lint(compiled, [load_pack("US")]).findings}
    supportive = load_policy(EXAMPLES / "supportive.yaml")  # no visits
    assert "CN-VISIT" not in {f.rule_id for f in lint(supportive, [load_pack("CN")]).findings}
