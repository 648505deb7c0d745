"""Use case: lint a policy file against its rule packs (the policy linter, docs/compliance.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pydantic
from pydantic import Field

from tideover.adapters.repositories.contacts import ContactResult as ContactResult
from tideover.compliance.contacts import (
    ActorRole,
    Target,
)
from tideover.compliance.lint import (
    SendWindow,
    TemplateText,
    lint,
    pack_codes,
    platform_pack_codes,
)
from tideover.compliance.loader import load_pack
from tideover.domain.errors import UsageError, ValidationError
from tideover.domain.safe_yaml import YamlRejected, load_yaml
from tideover.i18n import N_
from tideover.policy.document import load_policy, parse_policy
from tideover.policy.model import Channel as StepChannel
from tideover.services.inputs import StrictModel, problem
from tideover.services.platforms import settings_of
from tideover.services.policy.results import PolicyLint
from tideover.services.unit_of_work import UnitOfWork


def lint_policy_file(
    *,
    path: Path,
    packs: Sequence[str] = (),
    templates: Path | None = None,
    actor: ActorRole | None = None,
    send_times: Mapping[StepChannel, SendWindow] | None = None,
    sender_name: str | None = None,
) -> PolicyLint:
    """Lint the policy at ``path`` against ``packs`` (default: those the policy names).

    An invalid policy raises :class:`PolicyRejected`; ``blocking`` tells whether
    the findings stop its approval.
    """
    compiled = load_policy(path)
    codes = tuple(dict.fromkeys(code.upper() for code in packs)) or pack_codes(compiled.policy)
    if not codes:
        raise UsageError(
            N_(
                "%(path)s: the policy names no rule pack and its jurisdiction has none; give --pack"
            ),
            path=path,
        )
    texts = read_templates(templates) if templates is not None else None
    report = lint(
        compiled,
        [load_pack(code) for code in codes],
        templates=texts,
        actor=actor,
        send_times=send_times,
        sender_name=sender_name,
    )
    return PolicyLint.of(report, file=str(path), actor=actor.value if actor else None)


class _TemplateIn(StrictModel):
    text: str = Field(min_length=1)
    target: Target = Target.DEBTOR
    sender: str | None = None


def read_templates(path: Path) -> dict[str, TemplateText]:
    """Template texts from YAML or JSON: ``id: text`` or ``id: {text, target, sender}``."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationError(
            N_("cannot read templates file %(path)s: %(strerror)s"),
            path=path,
            strerror=exc.strerror or exc,
        ) from exc
    except YamlRejected as exc:
        raise ValidationError(
            N_("templates file %(path)s is not valid YAML or JSON: %(exc)s"),
            path=path,
            exc=exc,
        ) from exc
    if not isinstance(data, dict):
        raise ValidationError(
            N_("templates file %(path)s: expected a mapping of template id to text"),
            path=path,
        )
    texts: dict[str, TemplateText] = {}
    for key, value in data.items():
        try:
            item = (
                _TemplateIn(text=value)
                if isinstance(value, str)
                else _TemplateIn.model_validate(value)
            )
        except pydantic.ValidationError as exc:
            raise ValidationError(
                N_("templates file %(path)s: template %(key)s: %(problem)s"),
                path=path,
                key=key,
                problem=problem(exc.errors()[0]),
            ) from exc
        texts[str(key)] = TemplateText(item.text, item.target, item.sender)
    return texts


def lint_stored_version(*, uow: UnitOfWork, platform: str, version: int) -> PolicyLint:
    """The compliance linter's report on a stored version, against the packs it names
    (what approval will check)."""
    with uow:
        stored = uow.policies(platform).get(version)
        jurisdiction = settings_of(uow, platform).home_jurisdiction
    source = f"{platform} policy version {version}"
    compiled = parse_policy(stored.document, source=source)
    codes = platform_pack_codes(jurisdiction, compiled.policy)
    report = lint(compiled, [load_pack(code) for code in codes])
    return PolicyLint.of(report, file=source, actor=None)
