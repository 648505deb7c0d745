"""How real exports spell numbers, dates and choices, read into one form.

A Chinese lender's files come out of Excel and core systems: ``12,000.00``
with grouping commas, full-width digits typed with a Chinese input method
(``１２０００．００``), dates as ``2026/3/10``, ``2026年3月10日`` or
``20260310``, a repayment method as ``等额本息``.  Each is read here as what
it unambiguously means; anything that could mean two things (``03/10/2026``:
the 3rd of October or the 10th of March?) is refused unless the import says
which order its dates are in (:class:`DateFormat`), never guessed.

Pure: text in, a value (or None) out; the callers turn None into a record error.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from tideover.domain.errors import UsageError
from tideover.i18n import N_

# U+FF01..U+FF5E are the full-width forms of ASCII "!".."~", 0xFEE0 above them;
# U+3000 is the ideographic space, U+FFE5 and U+FFE1 the full-width yen and pound signs.
# Only these are folded: NFKC would also turn circled or superscript digits ("①", "²")
# into digits, which nobody means as a number.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {
    0x3000: 0x20,
    0xFFE5: 0xA5,
    0xFFE1: 0xA3,
}


def half_width(text: str) -> str:
    """``text`` with full-width ASCII forms (``１２．５％``) written as ASCII (``12.5%``)."""
    return text.translate(_FULL_WIDTH)


# --- numbers ------------------------------------------------------------------------------

# Thousands grouped by commas, every group of three: "12,000.00", "1,234,567".
# "1,5" or "12,00" are not grouping (a decimal comma?) and stay refused.
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_CURRENCY_SIGNS = {"CNY": ("¥", "元"), "USD": ("$",), "GBP": ("£",), "EUR": ("€",)}


def plain_number(text: str, currency: str | None = None) -> str:
    """``text`` without what only decorates a number: full-width forms, grouping commas,
    and (given ``currency``) that currency's own sign (``¥12,000.00``, ``12000元``).

    The result is still checked as a plain decimal by the caller; a sign of another
    currency, an exponent or a decimal comma is left in place, so it is refused.
    """
    value = half_width(text).strip()
    for sign in _CURRENCY_SIGNS.get(currency or "", ()):
        if value.startswith(sign):
            value = value[len(sign) :].strip()
        elif value.endswith(sign):
            value = value[: -len(sign)].strip()
    if _GROUPED.fullmatch(value):
        value = value.replace(",", "")
    return value


# --- dates --------------------------------------------------------------------------------

DATE_EXAMPLES = ("2026-03-10", "2026/3/10", "2026年3月10日", "20260310")  # what a report suggests

# Year first is never ambiguous: 2026-03-10, 2026/3/10, 2026.03.10 (one separator throughout).
_YEAR_FIRST = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})")
_CHINESE = re.compile(r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日?")
_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_DAY_OR_MONTH_FIRST = re.compile(r"[0-9]{1,2}([-/.])[0-9]{1,2}\1[0-9]{4}")
# Excel writes a date cell as "2026/3/10 0:00" or "2026-03-10 00:00:00": a date at
# midnight.  Any other time of day is an instant, not a date, and is refused.
_MIDNIGHT = re.compile(r"(.+?)(?:[ T]0?0:00(?::00(?:\.0+)?)?)")


class Ambiguous:
    """A date that reads two ways (day/month or month/day) with no format given."""

    __slots__ = ()


AMBIGUOUS = Ambiguous()

_TOKENS = (("YYYY", "%Y"), ("MM", "%m"), ("DD", "%d"))


@dataclass(frozen=True, slots=True)
class DateFormat:
    """The order of an import's dates: ``DD/MM/YYYY``, ``MM/DD/YYYY``, ``DD.MM.YYYY`` …

    Written with ``YYYY``, ``MM`` and ``DD`` (or as strftime: ``%d/%m/%Y``), each
    once, separated by ``/``, ``-``, ``.`` or nothing.  A date that does not fit it
    is still read when written year first (never ambiguous).
    """

    pattern: str  # strftime form

    @classmethod
    def parse(cls, text: str) -> DateFormat:
        spelled = text.strip()
        pattern = spelled.upper()
        for token, directive in _TOKENS:
            pattern = pattern.replace(token, directive)
        if "%" in spelled:
            pattern = spelled
        others = re.sub(r"%[Ymd]", "", pattern)
        if (
            sorted(re.findall(r"%[Ymd]", pattern)) != ["%Y", "%d", "%m"]
            or not re.fullmatch(r"[-/. ]*", others)
            or len(spelled) > 20
        ):
            raise UsageError(
                N_(
                    "date format %(text)s is not a day, month and year order such as "
                    "DD/MM/YYYY, MM/DD/YYYY or YYYY-MM-DD"
                ),
                text=repr(text),
            )
        return cls(pattern)

    @property
    def spelled(self) -> str:
        text = self.pattern
        for token, directive in _TOKENS:
            text = text.replace(directive, token)
        return text

    def read(self, text: str) -> date | None:
        try:
            # A calendar date, not an instant: no zone to attach.
            return datetime.strptime(text, self.pattern).date()  # noqa: DTZ007
        except ValueError:
            return None


def read_date(text: str, date_format: DateFormat | None = None) -> date | Ambiguous | None:
    """The calendar date ``text`` spells, ``AMBIGUOUS`` when it reads two ways, else None.

    Read: ISO ``2026-03-10``, ``2026/3/10``, ``2026.03.10``, ``2026年3月10日``,
    ``20260310``, any of them at midnight (``2026/3/10 0:00``), full-width digits;
    with ``date_format``, its order too.  A day that does not exist (30 February)
    is None, never moved to a neighbour.
    """
    value = half_width(text).strip()
    midnight = _MIDNIGHT.fullmatch(value)
    if midnight is not None:
        value = midnight.group(1).strip()
    if date_format is not None:
        found = date_format.read(value)
        if found is not None:
            return found
    for pattern, groups in ((_YEAR_FIRST, (1, 3, 4)), (_CHINESE, (1, 2, 3)), (_COMPACT, (1, 2, 3))):
        match = pattern.fullmatch(value)
        if match is not None:
            year, month, day = (int(match.group(g)) for g in groups)
            try:
                return date(year, month, day)
            except ValueError:
                return None
    if date_format is None and _DAY_OR_MONTH_FIRST.fullmatch(value):
        return AMBIGUOUS
    return None


# --- choices ------------------------------------------------------------------------------


def choice_key(text: str) -> str:
    """What two spellings of one choice share: ``Equal_Installment``, ``equal installment``
    and ``equal-installment`` are one key; ``等额本息`` and ``等额本息，`` too."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


# difflib ratio of two choice keys above which one is probably the other mistyped: one wrong
# character of four (等额本系 for 等额本息 is 0.75), one of ten in a longer word.
_NEAR_CHOICE = 0.7


def near_choices(text: str, spellings: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ``(spelling, value)`` pairs ``text`` is probably a mistyping of: the closest ones,
    one per value, in the order given — several when they are equally close (``等额本系``
    is one character from ``等额本息`` and from ``等额本金``: both are offered, neither
    chosen), none when nothing is close."""
    wanted = choice_key(text)
    scored = [
        (difflib.SequenceMatcher(None, wanted, choice_key(spelling)).ratio(), spelling, value)
        for spelling, value in spellings
    ]
    best = max((score for score, _, _ in scored), default=0.0)
    if best < _NEAR_CHOICE:
        return []
    found: dict[str, str] = {}
    for score, spelling, value in scored:
        if score == best and value not in found:
            found[value] = spelling
    return [(spelling, value) for value, spelling in found.items()]
