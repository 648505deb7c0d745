"""Masking personal data in anything a person or a log may read.

Two kinds of helper:

- ``mask_*`` hide one known value (a resident ID, a phone number, an e-mail
  address, a name, a postal address) when the caller knows what it is — an
  import report naming the ``phone`` column, a borrower shown to a collector;
- :func:`scrub` finds and masks such values inside free text — an exception
  message, a driver error, a rejected value of a column that should not hold
  personal data at all — wherever text may be stored (``cycle_runs.error``) or
  printed (the CLI's error line, an import report, a log).

Masks keep enough to recognise a value one already holds (``1101**********0021``,
``+86 138****5678``) and never enough to recover it.  PIPL (个人信息保护法) art. 51
asks a handler to take "encryption, de-identification and other security
technical measures"; GB/T 35273-2020 §3.14 and the common 3-first/4-last rule of
Chinese lenders are what these masks follow.

Pure: no I/O.  :func:`scrub` is idempotent and keeps text without personal data
unchanged (see tests/unit/test_redact.py).
"""

from __future__ import annotations

import re

import phonenumbers

from tideover.domain.errors import ValidationError
from tideover.i18n import N_

MASK = "****"
_SEPARATORS = re.compile(r"[\s\-().]")

# -- one known value ----------------------------------------------------------------


def mask_text(value: str) -> str:
    """A short identifier with its middle hidden: 3 first and 4 last kept when long enough."""
    if len(value) >= 9:
        return f"{value[:3]}{MASK}{value[-4:]}"
    return MASK + value[-2:] if len(value) > 4 else MASK


def mask_national_id(national_id: str) -> str:
    """``110105194912310021`` → ``1101**********0021``: 4 first and 4 last characters kept.

    The length is kept (an 18-character ID stays 18 characters), so a reader
    can tell the 15-digit card from the 18-character one.  Values too short to
    be an ID keep at most their last 2 characters.
    """
    compact = _SEPARATORS.sub("", national_id).upper()
    if len(compact) < 12:
        return mask_text(compact) if len(compact) < 9 else MASK + compact[-2:]
    return compact[:4] + "*" * (len(compact) - 8) + compact[-4:]


def mask_phone(e164: str) -> str:
    """``+8613812345678`` → ``+86 138****5678``: country code, 3 first and 4 last digits."""
    compact = _SEPARATORS.sub("", e164)
    try:
        parsed = phonenumbers.parse(compact, None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            N_("not an international phone number: %(mask_text)s"),
            mask_text=mask_text(compact),
        ) from exc
    national = phonenumbers.national_significant_number(parsed)
    return f"+{parsed.country_code} {mask_text(national)}"


def mask_any_phone(text: str) -> str:
    """A phone number as given (any spelling, valid or not), masked."""
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("+"):
        try:
            return mask_phone(compact)
        except ValidationError:
            return "+" + mask_text(compact[1:])
    return mask_text(compact)


def mask_email(address: str) -> str:
    """``zhang.wei@example.com`` → ``z***@example.com``: the mailbox hidden, the domain kept."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return mask_text(address.strip())
    return f"{local[0]}***@{scrub(domain)}"


def mask_name(name: str) -> str:
    """``张伟`` → ``张*``, ``Zhang Wei`` → ``Z***``: the first character, then stars."""
    text = name.strip()
    if not text:
        return ""
    return text[0] + "*" * min(max(len(text) - 1, 1), 3)


def mask_address(address: str) -> str:
    """``北京市朝阳区建国路 1 号`` → ``北京市****``: 3 first characters (the city, in Chinese)."""
    text = address.strip()
    return text[:3] + MASK if len(text) > 3 else MASK


# -- free text ------------------------------------------------------------------------

# One pattern, tried left to right, so a span is masked once by the first kind that
# claims it.  Each alternative starts only where the previous character cannot
# continue it (look-behinds), which keeps the scan linear and a second pass a no-op.
_LOCAL = r"[\w.%+\-]"
_PII = re.compile(
    # e-mail: the local part is hidden, the domain is scrubbed for numbers
    rf"(?<![\w.%+\-@*])(?P<local>{_LOCAL}+)@(?P<domain>[\w\-]+(?:\.[\w\-]+)+)"
    # an international number: "+", then 7 or more digits with short separators
    r"|(?<![0-9])(?P<intl>\+[0-9](?:[ ().\-]{0,2}[0-9]){6,})(?![0-9])"
    # a resident ID written in groups: 6 (region) 8 (birth date) 4 (sequence, check)
    r"|(?<![0-9])(?P<grouped>[1-9][0-9]{5}[ \-](?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
    r"(?:0[1-9]|[12][0-9]|3[01])[ \-][0-9]{3}[0-9Xx])(?![0-9A-Za-z])"
    # any run of 15 or more digits: resident IDs (15/18, with X), bank cards
    r"|(?<![0-9])(?P<long>[0-9]{15,}[Xx]?)"
    # a Chinese mobile, alone or after 86/+86/0086, contiguous or in 3-4-4 groups
    r"|(?<![0-9])(?P<prefix>(?:\+|00)?86[ \-]?)?"
    r"(?P<cn>1[3-9][0-9](?:[0-9]{8}|[ \-][0-9]{4}[ \-][0-9]{4}))(?![0-9])"
)


_MAX_PASSES = 16


def _long_mask(digits: str) -> str:
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def _intl_mask(text: str) -> str:
    digits = re.sub(r"[^0-9]", "", text)
    if len(digits) > 15:  # longer than any phone number: mask it as a long number
        return "+" + _long_mask(digits)
    try:
        return mask_phone("+" + digits)
    except ValidationError:
        return "+" + mask_text(digits)


def _replace(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if match.group("local") is not None:
        return f"{match.group('local')[0]}***@{scrub(match.group('domain'))}"
    if kind == "intl":
        return _intl_mask(match.group("intl"))
    if kind in ("grouped", "long"):
        compact = re.sub(r"[ \-]", "", match.group(0)).upper()
        return _long_mask(compact)
    digits = re.sub(r"[^0-9]", "", match.group("cn"))
    return (match.group("prefix") or "") + mask_text(digits)


def scrub(text: str) -> str:
    """``text`` with every resident ID, bank-card-like number, phone and e-mail masked.

    Finds: runs of 15 or more digits (with a trailing ``X``), resident IDs
    written 6-8-4, numbers starting with ``+``, Chinese mobiles (``1[3-9]``
    and 9 more digits, alone or after ``86``/``+86``/``0086``, with spaces or
    hyphens), and e-mail addresses (the local part).  A number that is none of
    these (an amount, a date, a row number, an id like ``L0001``) is kept.
    """
    # A mask keeps a few digits, and those may complete a number with the digits before
    # them ("130 0000 " + "0000****…"): pass again until nothing changes.  Every change
    # masks digits or an e-mail local part for good, so this ends, in 2 passes in practice.
    for _ in range(_MAX_PASSES):
        scrubbed = _PII.sub(_replace, text)
        if scrubbed == text:
            break
        text = scrubbed
    return text
