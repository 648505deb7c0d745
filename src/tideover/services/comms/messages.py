"""One outbox message made ready to send: its recipient, language, values and text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from tideover.adapters.repositories import OutboxWork, TemplateRecord
from tideover.comms.catalogue import (
    Kind,
    MessageChannel,
    Purpose,
    babel_locale,
    language_of,
    variables_of,
)
from tideover.comms.defaults import default_template
from tideover.comms.rendering import PlatformText, Rendered, compile_template
from tideover.comms.review import TemplateText
from tideover.domain.borrowers import Borrower
from tideover.domain.delinquency import DelinquencyStatus
from tideover.domain.errors import TideoverError
from tideover.domain.money import Money, currency
from tideover.i18n import N_, Wording

PLATFORM_WORDS_KEY = "comms"  # the platform settings' key for its own words, per language


class NotSendable(TideoverError):
    """A message that cannot go as it is; ``reason`` is its stable code."""

    code = "message_not_sendable"

    def __init__(
        self, reason: str, message: str | Wording, /, *, final: bool = True, **values: object
    ) -> None:
        super().__init__(message, **values)
        self.reason = reason
        self.final = final


@dataclass(frozen=True, slots=True)
class Chosen:
    """The template a message goes out with, and the version the audit trail records."""

    text: TemplateText
    version: str


def choose_template(name: str | None, active: Mapping[str, TemplateRecord]) -> Chosen:
    if not name:
        raise NotSendable("no_template", N_("the message names no template"))
    record = active.get(name)
    if record is not None:
        text = TemplateText(
            Purpose(record.purpose), MessageChannel(record.channel), record.body, record.subject
        )
        return Chosen(text, str(record.version))
    shipped = default_template(name)
    if shipped is None:
        raise NotSendable(
            "template_missing",
            N_("no active template %(name)s and none shipped under that name"),
            name=repr(name),
        )
    return Chosen(shipped.text, shipped.version_label)


def recipient(borrower: Borrower, channel: str) -> str:
    """The address a channel sends to; ``NotSendable`` (no_address) when there is none."""
    address: str | None
    if channel == "sms":
        address = borrower.phones[0].e164 if borrower.phones else None
    elif channel == "email":
        address = borrower.email
    elif channel == "letter":
        address = borrower.address or None
    else:  # app push goes to the borrower's app, known by their id
        address = borrower.borrower_id
    if not address:
        raise NotSendable(
            "no_address",
            N_("the borrower has no address for %(channel)s"),
            channel=channel,
        )
    return address


def platform_words(settings: Mapping[str, Any], name: str, language: str) -> dict[str, object]:
    """The platform's own words in ``language``: its name, service line, where to pay."""
    own = dict((settings.get(PLATFORM_WORDS_KEY) or {}).get(language) or {})
    defaults = {
        "platform_name": name,
        "service_phone": "",
        "pay_where": Wording(N_("the official app")).in_language(language),
        "portal_url": "",
    }
    return {k: PlatformText(str(own.get(k, v))) for k, v in defaults.items()}


def decode_payload(purpose: Purpose, payload: Mapping[str, Any]) -> dict[str, object]:
    """A notice's stored values, typed by the purpose's catalogue (dates from ISO text,
    money from ``{"minor": ..., "currency": ...}``)."""
    kinds = variables_of(purpose)
    values: dict[str, object] = {}
    for key, raw in payload.items():
        kind = kinds.get(key)
        if kind is Kind.DATE and isinstance(raw, str):
            values[key] = date.fromisoformat(raw)
        elif kind is Kind.MONEY and isinstance(raw, Mapping):
            values[key] = Money(int(raw["minor"]), currency(str(raw["currency"])))
        elif kind is not None:
            values[key] = raw
    return values


def message_values(
    work: OutboxWork,
    borrower: Borrower,
    status: DelinquencyStatus | None,
    words: Mapping[str, object],
    today: date,
    purpose: Purpose,
) -> dict[str, object]:
    values: dict[str, object] = {
        "borrower_name": borrower.name,
        "account_ref": work.account_id[-4:],
        "today": today,
    }
    if status is not None:
        values.update(
            overdue_amount=status.overdue_total,
            balance=status.outstanding_principal + status.overdue_total,
            due_date=status.oldest_unpaid_due or work.as_of,
            dpd=status.dpd,
        )
    values.update(words)
    values.update(decode_payload(purpose, work.payload))
    return values


@dataclass(frozen=True, slots=True)
class Prepared:
    body: Rendered
    subject: Rendered | None
    language: str
    locale: str


def render_message(chosen: Chosen, values: Mapping[str, object], locale: str) -> Prepared:
    language = language_of(locale)
    source = chosen.text.body.get(language)
    if not source:
        raise NotSendable(
            "missing_translation",
            N_("the template has no %(language)s text"),
            language=language,
        )
    body = compile_template(source, language).render(values)
    subject_src = chosen.text.subject.get(language)
    subject = compile_template(subject_src, language).render(values) if subject_src else None
    return Prepared(body, subject, language, babel_locale(language))
