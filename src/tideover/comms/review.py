"""A template version reviewed before it may be approved: every finding, in zh and en.

A version is refused at approval (``services.comms.templates``) when any of
these is found, in any language:

- ``missing_translation``: a language without a body (or, on a channel with a
  subject, without one);
- ``template_invalid``: a syntax error;
- ``unknown_variable``: a name that is neither the purpose's nor the platform's;
- ``too_long``: rendered with the longest plausible values, over the channel's
  limit (``comms.limits``);
- ``message_check``: the message checker (passed in as ``check``, the rule
  packs' text rules) flags the text rendered with typical values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tideover.comms.catalogue import (
    LANGUAGES,
    WITH_SUBJECT,
    MessageChannel,
    Purpose,
    sample_values,
    variables_of,
)
from tideover.comms.limits import check_length
from tideover.comms.rendering import PlatformText, TemplateProblem, compile_template, names_used
from tideover.i18n import N_, Bilingual, Worded, Wording


@dataclass(frozen=True, slots=True)
class TextFinding:
    """What the message checker says of one text: a rule, its category, in zh and en."""

    rule_ids: tuple[str, ...]
    category: str
    en: str
    zh: str


@dataclass(frozen=True, slots=True)
class ReviewFinding(Worded):
    code: str
    language: str
    wording: Wording
    rule_ids: tuple[str, ...] = ()


# (text, channel, language) -> the checker's findings on it
TextCheck = Callable[[str, MessageChannel, str], list[TextFinding]]


@dataclass(frozen=True, slots=True)
class TemplateText:
    """One version's text: body and subject per language."""

    purpose: Purpose
    channel: MessageChannel
    body: Mapping[str, str]
    subject: Mapping[str, str]


def platform_samples(language: str, currency_code: str = "CNY") -> dict[str, object]:
    values = sample_values(Purpose.REMINDER, language, currency_code=currency_code)
    return {k: PlatformText(str(v)) for k, v in values.items() if k in _PLATFORM_NAMES}


_PLATFORM_NAMES = ("platform_name", "service_phone", "pay_where", "portal_url")


def review_template(
    text: TemplateText,
    *,
    check: TextCheck | None,
    platform_values: Mapping[str, Mapping[str, str]] | None = None,
) -> list[ReviewFinding]:
    """Every finding on ``text``; an empty list means it may be approved.

    ``platform_values``: the platform's own words per language (its name...), used
    in place of the samples so that the checker sees the name it requires."""
    findings: list[ReviewFinding] = []
    known = variables_of(text.purpose)
    for language in LANGUAGES:
        body = text.body.get(language, "")
        subject = text.subject.get(language) if text.channel in WITH_SUBJECT else None
        if not body.strip() or (text.channel in WITH_SUBJECT and not (subject or "").strip()):
            findings.append(
                ReviewFinding(
                    "missing_translation",
                    language,
                    Wording(
                        N_("no subject and body in %(language)s")
                        if text.channel in WITH_SUBJECT
                        else N_("no body in %(language)s"),
                        language=language,
                    ),
                )
            )
            continue
        parts = [body] + ([subject] if subject else [])
        try:
            unknown = sorted(set().union(*(names_used(p) for p in parts)) - set(known))
        except TemplateProblem as exc:
            findings.append(ReviewFinding(exc.code, language, exc.wording))
            continue
        if unknown:
            findings.append(
                ReviewFinding(
                    "unknown_variable",
                    language,
                    Wording(
                        N_(
                            "unknown variable(s) %(unknown)s; a %(purpose)s template may use: "
                            "%(known)s"
                        ),
                        unknown=tuple(unknown),
                        purpose=text.purpose.value,
                        known=tuple(sorted(known)),
                    ),
                )
            )
            continue
        findings.extend(_rendered_findings(text, language, body, subject, check, platform_values))
    return findings


def _rendered_findings(
    text: TemplateText,
    language: str,
    body: str,
    subject: str | None,
    check: TextCheck | None,
    platform_values: Mapping[str, Mapping[str, str]] | None,
) -> list[ReviewFinding]:
    found: list[ReviewFinding] = []
    own = {k: PlatformText(v) for k, v in (platform_values or {}).get(language, {}).items()}
    renders = {}
    for longest in (False, True):
        values = {**sample_values(text.purpose, language, longest=longest), **own}
        for name in _PLATFORM_NAMES:
            values[name] = PlatformText(str(values[name]))
        try:
            b = compile_template(body, language).render(values).text
            s = compile_template(subject, language).render(values).text if subject else None
        except TemplateProblem as exc:
            return [ReviewFinding(exc.code, language, exc.wording)]
        renders[longest] = (b, s)
    long_body, long_subject = renders[True]
    too_long = check_length(text.channel, long_body, long_subject)
    if too_long is not None:
        found.append(
            ReviewFinding(
                "too_long",
                language,
                Wording(
                    N_("with the longest plausible values, %(too_long)s"),
                    too_long=too_long.wording,
                ),
            )
        )
    if check is not None:
        typical_body, typical_subject = renders[False]
        # The subject and the body are read as the one message the reader gets.
        whole = typical_body if not typical_subject else f"{typical_subject}\n\n{typical_body}"
        for part in (whole,):
            for finding in check(part, text.channel, language):
                found.append(
                    ReviewFinding(
                        "message_check",
                        language,
                        Wording(
                            N_("%(rules)s: %(finding)s"),
                            rules=finding.rule_ids,
                            finding=Bilingual(finding.en, finding.zh),
                        ),
                        finding.rule_ids,
                    )
                )
    return found
