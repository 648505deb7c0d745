"""Tideover's two languages through gettext catalogues, outside the console's pages.

``locale/<language>/LC_MESSAGES/tideover.po`` holds every text the command
line prints (help, tables, result lines), the charts and reports it draws,
and the errors, findings and reasons the engines and services give; the
console's own pages keep theirs in ``tideover/web/locale``
(domain ``messages``).  Both are read the same way: compiled in memory on
first use, so no generated file can fall out of date.  English is the source
language; a text is written once, in English, with ``%(name)s`` for what
varies, and translated in the Chinese catalogue — ``tools/messages.py check``
and the test suite fail while any text has no translation.

The language is chosen by the command's ``--lang``, else ``TIDEOVER_LOCALE``,
else the system locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English.

A text made where the reader is not known (a domain error, a finding's reason,
a plan's flag) is a :class:`Wording`: its English text, marked ``N_`` for the
catalogue, and its values, translated only when someone reads it.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

LANGUAGES = ("zh_CN", "en")
DOMAIN = "tideover"
ENVIRONMENT = ("TIDEOVER_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG")


def normalise(tag: str | None) -> str | None:
    """``zh``, ``zh-CN``, ``zh_CN.UTF-8`` → ``zh_CN``; ``en``, ``en_GB`` → ``en``; else None."""
    lowered = (tag or "").strip().lower().replace("_", "-")
    if lowered.startswith("zh"):
        return "zh_CN"
    if lowered.startswith("en") or lowered in ("c", "posix", "c.utf-8"):
        return "en"
    return None


def system_language(environ: dict[str, str] | None = None) -> str:
    """The language the environment asks for: the first of ``ENVIRONMENT`` that is set."""
    env = os.environ if environ is None else environ
    for name in ENVIRONMENT:
        value = env.get(name, "")
        if value:
            return normalise(value) or "en"
    return "en"


def N_(message: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Marks ``message`` for the catalogue where it is defined; translated where shown."""
    return message


@lru_cache(maxsize=2 * len(LANGUAGES))
def catalogue(language: str, domain: str = DOMAIN) -> Translations:
    """The compiled catalogue of ``language`` (one of ``LANGUAGES``) for ``domain``."""
    source = resources.files("tideover.i18n").joinpath(f"locale/{language}/LC_MESSAGES/{domain}.po")
    catalog = read_po(io.BytesIO(source.read_bytes()), locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=domain)


_NAMES_SEPARATOR = {"en": ", ", "zh_CN": "、"}
_CLAUSES_SEPARATOR = {"en": "; ", "zh_CN": "；"}


class Wording:
    """A text a person reads, kept as its English text and values until it is shown.

    ``Wording(N_("hold %(hold)s has ended"), hold=hold_id)``: ``message`` is the
    catalogue's msgid (English, ``%(name)s`` for what varies, ``%%`` for a percent
    sign when there are values); ``values`` are data — ids, numbers, names.  A value
    that is itself a :class:`Wording` (a sub-reason) or a :class:`Bilingual` text of
    the data is shown in the same language; a tuple as a list in the reader's
    punctuation ("a, b" / "a、b"), and :class:`Clauses` as clauses ("a; b" / "a；b").
    """

    __slots__ = ("message", "values")

    message: str
    values: tuple[tuple[str, object], ...]

    def __init__(self, message: str, /, **values: object) -> None:
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "values", tuple(sorted(values.items())))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Wording is immutable: cannot set {name}")

    def __reduce__(self) -> tuple[object, ...]:
        return (_wording, (self.message, self.values))

    def in_language(self, language: str | None) -> str:
        """The text in ``language`` (``zh``, ``zh_CN``, ``zh-CN`` … give Chinese, else English)."""
        chosen = normalise(language) or "en"
        text = catalogue(chosen).gettext(self.message)
        if not self.values:
            return text
        return text % {name: _shown(value, chosen) for name, value in self.values}

    @property
    def en(self) -> str:
        return self.in_language("en")

    @property
    def zh(self) -> str:
        return self.in_language("zh_CN")

    def __str__(self) -> str:
        return self.en

    def __repr__(self) -> str:
        values = "".join(f", {name}={value!r}" for name, value in self.values)
        return f"Wording({self.message!r}{values})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Wording):
            return NotImplemented
        return (self.message, self.values) == (other.message, other.values)

    def __hash__(self) -> int:
        return hash((self.message, self.values))


class Worded:
    """Base of a record that carries its text as ``wording``: ``.en`` and ``.zh`` read it
    (for a slotted dataclass too: this class adds no slot)."""

    __slots__ = ()

    if TYPE_CHECKING:  # a field of the record, or a property computing it

        @property
        def wording(self) -> Wording | Bilingual: ...

    @property
    def en(self) -> str:
        return self.wording.en

    @property
    def zh(self) -> str:
        return self.wording.zh


class Clauses(tuple["Wording | Bilingual", ...]):
    """Sub-reasons shown one after another: "a; b" in English, "a；b" in Chinese."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text that comes with the data in both languages (a rule pack's title, a name a
    person wrote): a value of a :class:`Wording`, shown in the reader's language."""

    en: str
    zh: str

    def in_language(self, language: str | None) -> str:
        return self.zh if normalise(language) == "zh_CN" else self.en

    def __str__(self) -> str:
        return self.en


_AND, _OR = N_("%(first)s and %(second)s"), N_("%(first)s or %(second)s")


def all_of(parts: Sequence[object]) -> object:
    """``a and b and c`` in the reader's language (a part may be a :class:`Wording`)."""
    return _fold(_AND, parts)


def one_of(parts: Sequence[object]) -> object:
    """``a or b or c`` in the reader's language (a part may be a :class:`Wording`)."""
    return _fold(_OR, parts)


def _fold(message: str, parts: Sequence[object]) -> object:
    joined = parts[0] if parts else ""
    for part in parts[1:]:
        joined = Wording(message, first=joined, second=part)
    return joined


def _wording(message: str, values: tuple[tuple[str, object], ...]) -> Wording:
    return Wording(message, **dict(values))


def _shown(value: object, language: str) -> object:
    if isinstance(value, Wording | Bilingual):
        return value.in_language(language)
    if isinstance(value, Clauses):
        return _CLAUSES_SEPARATOR[language].join(part.in_language(language) for part in value)
    if isinstance(value, tuple):
        return _NAMES_SEPARATOR[language].join(str(_shown(part, language)) for part in value)
    return value


@dataclass(frozen=True, slots=True)
class Texts:
    """One reader's translations and locale-aware formats (numbers, dates, weekdays)."""

    language: str

    def gettext(self, message: str, /, **values: object) -> str:
        text = catalogue(self.language).gettext(message)
        return text % values if values else text

    def of(self, wording: Wording) -> str:
        """A :class:`Wording` made elsewhere, in this reader's language."""
        return wording.in_language(self.language)

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = catalogue(self.language).ngettext(singular, plural, n)
        return text % {"num": n, **values}

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.language)

    @property
    def chinese(self) -> bool:
        return self.language == "zh_CN"

    def number(self, value: int | Decimal | str, places: int | None = None) -> str:
        """``value`` grouped as the locale groups digits; ``places`` fixes the decimals."""
        number = Decimal(str(value))
        if places is None:
            return format_decimal(number, locale=self.locale, decimal_quantization=False)
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return format_decimal(number, format=pattern, locale=self.locale)

    def fixed(self, value: float | None, places: int = 4) -> str:
        """A measured ratio (a PSI, an AUC) to ``places`` decimals; "—" when there is none
        (None or NaN)."""
        if value is None or math.isnan(value):
            return "—"
        return self.number(repr(float(value)), places)

    def percent(self, share: Decimal | float, places: int = 1) -> str:
        pattern = "#,##0" + ("." + "0" * places if places else "") + "%"
        return format_percent(Decimal(str(share)), format=pattern, locale=self.locale)

    def day(self, value: date | None) -> str:
        """A date as ISO ``2026-03-10`` in both languages (sorts, and is read everywhere)."""
        return "—" if value is None else value.isoformat()

    def weekday(self, value: date, *, short: bool = True) -> str:
        """``Tue`` / ``周二``; ``Tuesday`` / ``星期二`` when not ``short``."""
        return format_date(value, "EEE" if short else "EEEE", locale=self.locale)
