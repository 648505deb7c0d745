"""Template versions: draft, approve (someone else, after review), reject, activate, show.

Like policy versions: a version is immutable once drafted; approving it needs
``policy:approve`` and another person than its author, and is refused with
every finding of the review (``comms.review``: a missing translation, a syntax
error, an unknown variable, over the channel's limit, or what the message
checker flags under the platform's packs); activating needs ``policy:activate``
and retires the version active before.  Every step is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pydantic
from pydantic import Field

from tideover.adapters.repositories import TemplateRecord
from tideover.comms.catalogue import LANGUAGES, MessageChannel, Purpose, sample_values
from tideover.comms.defaults import default_template, default_templates, text_sha256
from tideover.comms.rendering import PlatformText, compile_template
from tideover.comms.review import TemplateText, review_template
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import Conflict, InputRejected, NotFound, ValidationError
from tideover.domain.identity import same_person
from tideover.domain.permissions import Permission
from tideover.i18n import N_, Bilingual
from tideover.services.common import acting_with
from tideover.services.comms.checking import MessageCheck
from tideover.services.comms.messages import platform_words
from tideover.services.comms.results import (
    RenderedPreview,
    TemplateDetail,
    TemplateFinding,
    TemplateList,
    TemplateVersionInfo,
)
from tideover.services.inputs import NO_CONTROL, StrictModel, problems
from tideover.services.queues.gate_packs import platform_packs
from tideover.services.unit_of_work import UnitOfWork

AUDIT_PREFIX = "template_"
NAME_PATTERN = r"^[a-z][a-z0-9_]{0,127}$"


class TemplateRefused(InputRejected):
    """The review found problems: the version cannot be approved."""

    code = "template_refused"


class TemplateIn(StrictModel):
    name: str = Field(pattern=NAME_PATTERN)
    purpose: Purpose
    channel: MessageChannel
    body: dict[str, str] = Field(max_length=len(LANGUAGES))
    subject: dict[str, str] = Field(default_factory=dict, max_length=len(LANGUAGES))


def parse_template(data: object) -> TemplateIn:
    try:
        parsed = TemplateIn.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationError(
            N_("the template is not valid (%(problems)s)"), problems=problems(exc.errors()[:3])
        ) from exc
    for part in (parsed.body, parsed.subject):
        for language, text in part.items():
            if language not in LANGUAGES:
                raise ValidationError(
                    N_("unknown language %(language)s; templates are written in %(languages)s"),
                    language=repr(language),
                    languages=tuple(LANGUAGES),
                )
            if len(text) > 40_000 or not _printable(text):
                raise ValidationError(
                    N_("the %(language)s text is too long or has control characters"),
                    language=language,
                )
    return parsed


def _printable(text: str) -> bool:
    import re

    return re.fullmatch(NO_CONTROL, text.replace("\n", " ").replace("\t", " ")) is not None


def _text(record: TemplateRecord | TemplateIn) -> TemplateText:
    return TemplateText(
        Purpose(record.purpose), MessageChannel(record.channel), record.body, record.subject
    )


def draft_template(
    *,
    uow: UnitOfWork,
    platform: str,
    template: TemplateIn | Mapping[str, Any],
    by: str,
    clock: Clock | None = None,
) -> TemplateDetail:
    """Store a new version of ``template.name`` as a draft (awaiting approval), with the
    review's findings shown at once (they do not stop a draft, only an approval)."""
    parsed = template if isinstance(template, TemplateIn) else parse_template(template)
    now = (clock or SystemClock()).now()
    with uow:
        who = acting_with(uow, platform, by, Permission.POLICY_WRITE)
        repo = uow.comms(platform)
        versions = repo.template_versions(parsed.name, lock=True)
        if versions and (versions[0].purpose, versions[0].channel) != (
            parsed.purpose.value,
            parsed.channel.value,
        ):
            raise Conflict(
                N_(
                    "template %(name)s is a %(purpose)s on %(channel)s; a new version keeps "
                    "its purpose and channel"
                ),
                name=repr(parsed.name),
                purpose=versions[0].purpose,
                channel=versions[0].channel,
            )
        text = _text(parsed)
        record = TemplateRecord(
            name=parsed.name,
            version=max((v.version for v in versions), default=0) + 1,
            purpose=parsed.purpose.value,
            channel=parsed.channel.value,
            status="draft",
            body=dict(parsed.body),
            subject=dict(parsed.subject),
            sha256=text_sha256(text),
            author=who,
            approver=None,
            note=None,
            created_at=now,
            decided_at=None,
            activated_at=None,
        )
        repo.add_template(record)
        findings = _review(uow, platform, text)
        _audit(uow, platform, "draft", record, who, now, findings)
        uow.commit()
    return TemplateDetail(
        info=TemplateVersionInfo.of(record),
        body=record.body,
        subject=record.subject,
        findings=findings,
    )


def approve_template(
    *,
    uow: UnitOfWork,
    platform: str,
    name: str,
    version: int,
    by: str,
    clock: Clock | None = None,
) -> TemplateVersionInfo:
    now = (clock or SystemClock()).now()
    with uow:
        who = acting_with(uow, platform, by, Permission.POLICY_APPROVE)
        repo = uow.comms(platform)
        record = _version(repo.template_versions(name, lock=True), platform, name, version)
        _expect(record, "draft", "approve")
        if same_person(who, record.author):
            raise Conflict(
                N_(
                    "template %(name)s version %(version)s was written by %(who)s: another "
                    "person must approve it"
                ),
                name=repr(name),
                version=version,
                who=repr(who),
            )
        findings = _review(uow, platform, _text(record))
        if findings:
            first = findings[0]
            more = len(findings) - 1
            raise TemplateRefused(
                N_(
                    "template %(name)s version %(version)s cannot be approved: [%(code)s, "
                    "%(language)s] %(finding)s (and %(more)s more)"
                )
                if more
                else N_(
                    "template %(name)s version %(version)s cannot be approved: [%(code)s, "
                    "%(language)s] %(finding)s"
                ),
                name=repr(name),
                version=version,
                code=first.code,
                language=first.language,
                finding=Bilingual(first.en, first.zh),
                more=more,
            )
        repo.set_template_status(name, version, status="approved", at=now, approver=who)
        done = _version(repo.template_versions(name), platform, name, version)
        _audit(uow, platform, "approve", done, who, now, [])
        uow.commit()
    return TemplateVersionInfo.of(done)


def reject_template(
    *,
    uow: UnitOfWork,
    platform: str,
    name: str,
    version: int,
    by: str,
    reason: str,
    clock: Clock | None = None,
) -> TemplateVersionInfo:
    if not reason.strip() or len(reason) > 2000:
        raise ValidationError(
            N_("a rejection needs a reason (at most 2,000 characters)"),
        )
    now = (clock or SystemClock()).now()
    with uow:
        who = acting_with(uow, platform, by, Permission.POLICY_APPROVE)
        repo = uow.comms(platform)
        record = _version(repo.template_versions(name, lock=True), platform, name, version)
        _expect(record, "draft", "reject")
        repo.set_template_status(
            name, version, status="rejected", at=now, approver=who, note=reason
        )
        done = _version(repo.template_versions(name), platform, name, version)
        _audit(uow, platform, "reject", done, who, now, [])
        uow.commit()
    return TemplateVersionInfo.of(done)


def activate_template(
    *,
    uow: UnitOfWork,
    platform: str,
    name: str,
    version: int,
    by: str,
    clock: Clock | None = None,
) -> TemplateVersionInfo:
    """Make an approved version the one sent; the version active before retires."""
    now = (clock or SystemClock()).now()
    with uow:
        who = acting_with(uow, platform, by, Permission.POLICY_ACTIVATE)
        repo = uow.comms(platform)
        versions = repo.template_versions(name, lock=True)
        record = _version(versions, platform, name, version)
        _expect(record, "approved", "activate")
        for other in versions:
            if other.status == "active":
                repo.set_template_status(name, other.version, status="retired", at=now)
                _audit(uow, platform, "retire", other, who, now, [])
        repo.set_template_status(name, version, status="active", at=now)
        done = _version(repo.template_versions(name), platform, name, version)
        _audit(uow, platform, "activate", done, who, now, [])
        uow.commit()
    return TemplateVersionInfo.of(done)


def list_templates(*, uow: UnitOfWork, platform: str) -> TemplateList:
    with uow:
        records = uow.comms(platform).templates()
    return TemplateList(
        platform=platform,
        versions=[TemplateVersionInfo.of(r) for r in records],
        builtin=sorted(default_templates()),
    )


def show_template(*, uow: UnitOfWork, platform: str, name: str, version: int) -> TemplateDetail:
    with uow:
        record = _version(uow.comms(platform).template_versions(name), platform, name, version)
        findings = _review(uow, platform, _text(record))
    return TemplateDetail(
        info=TemplateVersionInfo.of(record),
        body=record.body,
        subject=record.subject,
        findings=findings,
    )


def preview_template(
    *, uow: UnitOfWork, platform: str, name: str, version: int | None, language: str
) -> RenderedPreview:
    """Version ``version`` (None: the active one, else the shipped one) rendered with sample
    values in ``language``."""
    if language not in LANGUAGES:
        raise ValidationError(N_("unknown language %(language)s"), language=repr(language))
    with uow:
        repo = uow.comms(platform)
        if version is not None:
            record = _version(repo.template_versions(name), platform, name, version)
            text, label = _text(record), str(version)
        else:
            active = repo.active_templates([name]).get(name)
            shipped = default_template(name)
            if active is None and shipped is None:
                raise _no_template(platform, name)
            text = _text(active) if active else shipped.text  # type: ignore[union-attr]
            label = str(active.version) if active else shipped.version_label  # type: ignore[union-attr]
        owner = uow.platforms.get(platform)
    values = dict(sample_values(text.purpose, language))
    for key in ("platform_name", "service_phone", "pay_where", "portal_url"):
        values[key] = PlatformText(str(values[key]))
    if owner is not None:  # the platform's own words where it has set them
        own = platform_words(owner.settings, owner.name, language)
        values.update({k: v for k, v in own.items() if str(v)})
    body = compile_template(text.body.get(language, ""), language).render(values).text
    subject_src = text.subject.get(language)
    subject = compile_template(subject_src, language).render(values).text if subject_src else None
    return RenderedPreview(
        name=name,
        version=label,
        language=language,
        channel=text.channel.value,
        subject=subject,
        body=body,
    )


# --- helpers -------------------------------------------------------------------------------------


def platform_check(uow: UnitOfWork, platform: str) -> MessageCheck:
    """The message check under the packs ``platform`` applies now (inside an open uow)."""
    record = uow.platforms.get(platform)
    name = record.name if record is not None else platform
    return MessageCheck(platform_packs(uow, platform), sender_names={"zh-CN": name, "en": name})


def _review(uow: UnitOfWork, platform: str, text: TemplateText) -> list[TemplateFinding]:
    check = platform_check(uow, platform)
    record = uow.platforms.get(platform)
    name = record.name if record is not None else platform
    own = {language: {"platform_name": name} for language in LANGUAGES}
    return [
        TemplateFinding(
            code=f.code, language=f.language, en=f.en, zh=f.zh, rule_ids=list(f.rule_ids)
        )
        for f in review_template(text, check=check.text, platform_values=own)
    ]


def _version(
    versions: list[TemplateRecord], platform: str, name: str, version: int
) -> TemplateRecord:
    for record in versions:
        if record.version == version:
            return record
    if not versions:
        raise _no_template(platform, name)
    raise NotFound(
        N_("template %(name)s has no version %(version)s on platform %(platform)s"),
        name=repr(name),
        version=version,
        platform=repr(platform),
    )


def _no_template(platform: str, name: str) -> NotFound:
    return NotFound(
        N_("no template %(name)s on platform %(platform)s"),
        name=repr(name),
        platform=repr(platform),
    )


def _expect(record: TemplateRecord, status: str, action: str) -> None:
    if record.status != status:
        raise Conflict(
            N_(
                "cannot %(action)s template %(name)s version %(version)s: it is "
                "%(record_status)s, not %(status)s"
            ),
            action=action,
            name=repr(record.name),
            version=record.version,
            record_status=record.status,
            status=status,
        )


def _audit(
    uow: UnitOfWork,
    platform: str,
    action: str,
    record: TemplateRecord,
    who: str,
    at: datetime,
    findings: list[TemplateFinding],
) -> None:
    uow.audit(platform).append(
        AUDIT_PREFIX + action,
        {
            "name": record.name,
            "version": record.version,
            "purpose": record.purpose,
            "channel": record.channel,
            "sha256": record.sha256,
            "by": who,
            "findings": [f.code for f in findings],
        },
        at=at,
    )
