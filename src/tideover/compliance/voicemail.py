"""A voicemail must be a limited-content message (12 CFR 1006.2(j)).

Anyone with access to the phone may hear a voicemail, so it may carry only the
parts the rule names: a business name that does not indicate debt collection,
a request to reply, the name of a natural person to reply to and a telephone
number (optionally a salutation, the date and time, suggested times to reply).
Anything about the debt makes it a communication that a third party may hear.
What can be read from the text is checked: the forbidden categories (the debt
words of the message checker, and amounts of money), each required part, and
the business name itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tideover.compliance.contacts import Finding
from tideover.compliance.text import Match, MessageChecker
from tideover.i18n import N_, Wording

# An amount of money reveals a debt.  Read on the original text, because the
# checker's normalisation drops currency symbols; ``\d`` also matches full-width digits.
_NUMBER = r"\d(?:[\d,.，．]*\d)?"
_AMOUNT = re.compile(
    rf"[$€£¥￥＄]\s*{_NUMBER}"
    rf"|(?<![\d,.，．]){_NUMBER}\s*(?:元|块钱|(?:dollars?|usd|rmb|yuan|pounds?|gbp|euros?|eur)\b)",
    re.IGNORECASE,
)
# A telephone number: 7 to 15 digits, with the usual separators, that is not a date.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-]{5,}\d(?!\w)")
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")
# Categories whose presence in the business name says "debt collector".
_COLLECTION_NAME = frozenset({"disclosure", "collection_business"})

_MISSING = {
    "reply_request": (
        "reply_request",
        N_("does not ask the person to reply (e.g. 'please call us back')"),
    ),
}


def voicemail_findings(
    rule_id: str,
    text: str,
    matches: list[Match],
    checker: MessageChecker,
    *,
    banned: frozenset[str],
    parts: frozenset[str],
    sender_name: str | None,
    caller_name: str | None,
) -> Iterator[Finding]:
    """Findings of ``rule_id`` on a voicemail's ``text`` (``matches``: the checker's scan)."""
    if "debt_amount" in banned:
        for hit in _AMOUNT.finditer(text):
            yield Finding(
                (rule_id,),
                "debt_amount",
                hit.start(),
                hit.end(),
                hit.group(),
                Wording(N_("states an amount of money in a voicemail, which discloses the debt")),
            )
    found = {m.category for m in matches}
    for part, (category, why) in _MISSING.items():
        if part in parts and category not in found:
            yield _missing(rule_id, part, Wording(why))
    if "callback_number" in parts and not has_phone_number(text):
        yield _missing(
            rule_id, "callback_number", Wording(N_("gives no telephone number to reply to"))
        )
    if "business_name" in parts:
        yield from _business_name(rule_id, text, checker, sender_name)
    if "caller_name" in parts and not (caller_name and checker.contains(text, caller_name)):
        name = caller_name or "(no caller name given)"
        yield _missing(
            rule_id,
            "caller_name",
            Wording(N_("does not name the natural person to reply to (%(name)s)"), name=name),
        )


def has_phone_number(text: str) -> bool:
    """Whether ``text`` gives a telephone number (read on the original text, not normalised)."""
    for hit in _PHONE.finditer(text):
        candidate = hit.group().strip()
        digits = sum(c.isdigit() for c in candidate)
        if 7 <= digits <= 15 and not _DATE.fullmatch(candidate):
            return True
    return False


def _business_name(
    rule_id: str, text: str, checker: MessageChecker, sender_name: str | None
) -> Iterator[Finding]:
    if not (sender_name and checker.contains(text, sender_name)):
        name = sender_name or "(no sender name given)"
        yield _missing(
            rule_id,
            "business_name",
            Wording(N_("does not give the business name %(name)s"), name=name),
        )
    if sender_name and any(m.category in _COLLECTION_NAME for m in checker.scan(sender_name)):
        yield Finding(
            (rule_id,),
            "collection_business_name",
            0,
            0,
            "",
            Wording(
                N_("uses the business name %(sender_name)s, which indicates debt collection"),
                sender_name=sender_name,
            ),
        )


def _missing(rule_id: str, part: str, why: Wording) -> Finding:
    return Finding(
        (rule_id,),
        f"missing_{part}",
        0,
        0,
        "",
        Wording(N_("%(why)s (a voicemail must be a limited-content message)"), why=why),
    )
