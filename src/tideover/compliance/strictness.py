"""What "stricter" means per parameter kind: overlays and overrides may only tighten.

Each function returns what would become looser (empty: as strict or stricter).
A wider scope is stricter (the rule reaches more contacts); a narrower window,
a lower cap, a longer quiet period and more blocking holds are stricter.
"""

from __future__ import annotations

from typing import Any

from tideover.compliance.rules import (
    ConsentParams,
    DocumentedParams,
    FrequencyCapParams,
    HoldParams,
    MessageParams,
    QuietPeriodParams,
    RequiredElementsParams,
    Rule,
    Scope,
    ThirdPartyParams,
    TimeBarredParams,
    TimeWindowParams,
    VisitParams,
    VoicemailParams,
    WorkplaceParams,
)

# Counting more kinds of events is stricter: every unanswered or connected call is an attempt.
_COUNT_COVERS = {
    "attempts": {"attempts", "connected", "unanswered"},
    "connected": {"connected"},
    "unanswered": {"unanswered"},
}
# A cap per person covers a cap per debt of that person.
_PER_COVERS = {"person": {"person", "debt"}, "debt": {"debt"}, "number": {"number"}}


def looser_points(old: Rule, new: Rule) -> list[str]:
    """What in ``new`` is looser than ``old``; empty when ``new`` is at least as strict."""
    if old.kind != new.kind:
        return [f"kind changed from {old.kind} to {new.kind}"]
    points = _scope_points(old.scope, new.scope)
    checker = _CHECKERS[type(old.params)]
    points.extend(checker(old.params, new.params))
    return points


def _scope_points(old: Scope, new: Scope) -> list[str]:
    points = []
    for name in ("channels", "actor_roles", "targets"):
        lost = getattr(old, name) - getattr(new, name)
        if lost:
            points.append(f"scope.{name} drops {sorted(str(x) for x in lost)}")
    if new.debt_types and (not old.debt_types or old.debt_types - new.debt_types):
        points.append("scope.debt_types narrowed")
    return points


def _hold(old: HoldParams, new: HoldParams) -> list[str]:
    lost = old.blocks - new.blocks
    return [f"blocks fewer holds (drops {sorted(lost)})"] if lost else []


def _consent(old: ConsentParams, new: ConsentParams) -> list[str]:
    points = []
    if old.honour_opt_out and not new.honour_opt_out:
        points.append("honour_opt_out turned off")
    lost = old.automated_needs_consent - new.automated_needs_consent
    if lost:
        points.append(f"automated_needs_consent drops {sorted(lost)}")
    return points


def _window(old: TimeWindowParams, new: TimeWindowParams) -> list[str]:
    points = []
    if new.start < old.start:
        points.append(f"start {new.start:%H:%M} is earlier than {old.start:%H:%M}")
    if new.end > old.end:
        points.append(f"end {new.end:%H:%M} is later than {old.end:%H:%M}")
    if old.closed_weekdays - new.closed_weekdays:
        points.append("opens a weekday that was closed")
    if old.closed_on_public_holidays and not new.closed_on_public_holidays:
        points.append("opens public holidays")
    if new.agreed_time_exempts and not old.agreed_time_exempts:
        points.append("lets agreed times override the window")
    return points


def _cap(old: FrequencyCapParams, new: FrequencyCapParams) -> list[str]:
    points = []
    if new.limit > old.limit:
        points.append(f"limit {new.limit} is higher than {old.limit}")
    if new.period != old.period:
        points.append(f"period changed from {old.period} to {new.period}")
    elif new.length < old.length:
        points.append(f"window of {new.length} {new.period}(s) is shorter than {old.length}")
    if old.count not in _COUNT_COVERS[new.count]:
        points.append(f"counts {new.count} instead of {old.count}")
    if old.per not in _PER_COVERS[new.per]:
        points.append(f"counts per {new.per} instead of per {old.per}")
    if old.counted_channels is not None and (
        new.counted_channels is not None and old.counted_channels - new.counted_channels
    ):
        points.append("counts fewer channels")
    return points


def _quiet(old: QuietPeriodParams, new: QuietPeriodParams) -> list[str]:
    points = []
    if new.days < old.days:
        points.append(f"quiet period of {new.days} days is shorter than {old.days}")
    if old.per == "person" and new.per == "debt":
        points.append("quiet period per debt instead of per person")
    if old.include_inbound and not new.include_inbound:
        points.append("ignores inbound conversations")
    return points


def _third_party(old: ThirdPartyParams, new: ThirdPartyParams) -> list[str]:
    points = []
    if old.only_when_debtor_unreachable and not new.only_when_debtor_unreachable:
        points.append("allows contact persons while the debtor is reachable")
    if new.allowed_roles - old.allowed_roles:
        points.append(f"allows more roles {sorted(new.allowed_roles - old.allowed_roles)}")
    old_max, new_max = old.max_contacts_per_recipient, new.max_contacts_per_recipient
    if old_max is not None and (new_max is None or new_max > old_max):
        points.append(f"more contacts per recipient than {old_max}")
    if old.no_debt_disclosure and not new.no_debt_disclosure:
        points.append("allows disclosing the debt")
    return points


def _message(old: MessageParams, new: MessageParams) -> list[str]:
    lost = old.categories - new.categories
    return [f"checks fewer categories (drops {sorted(lost)})"] if lost else []


def _required(old: RequiredElementsParams, new: RequiredElementsParams) -> list[str]:
    lost = old.elements - new.elements
    return [f"requires fewer elements (drops {sorted(lost)})"] if lost else []


def _workplace(old: WorkplaceParams, new: WorkplaceParams) -> list[str]:
    points = []
    if old.when == "always" and new.when != "always":
        points.append("workplace contact no longer barred always, only when the employer objects")
    if new.consent_exempts and not old.consent_exempts:
        points.append("lets the consumer's consent lift the workplace bar")
    return points


def _visit(old: VisitParams, new: VisitParams) -> list[str]:
    points = []
    if old.credentials_required and not new.credentials_required:
        points.append("visitors need no credentials")
    if old.recording_required and not new.recording_required:
        points.append("visits need not be recorded")
    old_max, new_max = old.max_visitors, new.max_visitors
    if old_max is not None and (new_max is None or new_max > old_max):
        points.append(f"more visitors allowed than {old_max}")
    return points


def _time_barred(old: TimeBarredParams, new: TimeBarredParams) -> list[str]:
    points = []
    if old.no_legal_referral and not new.no_legal_referral:
        points.append("allows legal referral of a time-barred debt")
    lost = old.categories - new.categories
    if lost:
        points.append(f"checks fewer categories (drops {sorted(lost)})")
    return points


def _voicemail(old: VoicemailParams, new: VoicemailParams) -> list[str]:
    points = []
    if old.required - new.required:
        points.append(f"requires fewer parts (drops {sorted(old.required - new.required)})")
    if old.forbidden - new.forbidden:
        points.append(f"forbids fewer categories (drops {sorted(old.forbidden - new.forbidden)})")
    return points


def _documented(old: DocumentedParams, new: DocumentedParams) -> list[str]:
    points = []
    old_values: dict[str, Any] = old.model_extra or {}
    new_values: dict[str, Any] = new.model_extra or {}
    for key, before in old_values.items():
        after = new_values.get(key)
        if key.startswith("min_") and (after is None or after < before):
            points.append(f"{key} {after} is lower than {before}")
        elif key.startswith("max_") and (after is None or after > before):
            points.append(f"{key} {after} is higher than {before}")
        elif not key.startswith(("min_", "max_")) and after != before:
            points.append(f"{key} changed (no strictness order is defined for it)")
    return points


_CHECKERS: dict[type, Any] = {
    HoldParams: _hold,
    ConsentParams: _consent,
    TimeWindowParams: _window,
    FrequencyCapParams: _cap,
    QuietPeriodParams: _quiet,
    ThirdPartyParams: _third_party,
    MessageParams: _message,
    RequiredElementsParams: _required,
    WorkplaceParams: _workplace,
    VisitParams: _visit,
    TimeBarredParams: _time_barred,
    VoicemailParams: _voicemail,
    DocumentedParams: _documented,
}
