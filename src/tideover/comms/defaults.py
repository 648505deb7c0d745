"""The templates Tideover ships (``defaults.yaml``): every purpose in zh-CN and en."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

import yaml

from tideover.comms.catalogue import MessageChannel, Purpose
from tideover.comms.review import TemplateText

BUILTIN_PREFIX = "builtin-"


@dataclass(frozen=True, slots=True)
class DefaultTemplate:
    name: str
    text: TemplateText

    @property
    def version_label(self) -> str:
        """``builtin-<first 12 hex of the text's hash>``: what the audit trail records."""
        return BUILTIN_PREFIX + text_sha256(self.text)[:12]


def text_sha256(text: TemplateText) -> str:
    """The SHA-256 of a template's text (purpose, channel, bodies, subjects)."""
    document = {
        "purpose": text.purpose.value,
        "channel": text.channel.value,
        "body": dict(sorted(text.body.items())),
        "subject": dict(sorted(text.subject.items())),
    }
    return hashlib.sha256(
        json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, DefaultTemplate], dict[str, str]]:
    raw: dict[str, Any] = yaml.safe_load(
        files("tideover.comms").joinpath("defaults.yaml").read_text(encoding="utf-8")
    )
    found: dict[str, DefaultTemplate] = {}
    for entry in raw["templates"]:
        text = TemplateText(
            Purpose(entry["purpose"]),
            MessageChannel(entry["channel"]),
            MappingProxyType({k: str(v).strip() for k, v in entry["body"].items()}),
            MappingProxyType({k: str(v).strip() for k, v in entry.get("subject", {}).items()}),
        )
        found[entry["name"]] = DefaultTemplate(entry["name"], text)
    return found, dict(raw.get("aliases", {}))


def default_templates() -> dict[str, DefaultTemplate]:
    return dict(_load()[0])


def default_template(name: str) -> DefaultTemplate | None:
    """The shipped template called ``name`` (or that ``name`` is an alias of)."""
    templates, aliases = _load()
    return templates.get(aliases.get(name, name))


def default_for(purpose: Purpose, channel: MessageChannel) -> DefaultTemplate | None:
    return default_template(f"{purpose.value}_{channel.value}")
