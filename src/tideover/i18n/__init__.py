"""Tideover's two languages through gettext catalogues, outside the console's pages.

``locale/<language>/LC_MESSAGES/tideover.po`` holds every text the command
line prints (help, tables, result lines) and the charts and reports it
draws; the console's own pages keep theirs in ``tideover/web/locale``
(domain ``messages``).  Both are read the same way: compiled in memory on
first use, so no generated file can fall out of date.  English is the source
language; a text is written once, in English, with ``%(name)s`` for what
varies, and translated in the Chinese catalogue — ``tools/messages.py check``
and the test suite fail while any text has no translation.

The language is chosen by the command's ``--lang``, else ``TIDEOVER_LOCALE``,
else the system locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources

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


@dataclass(frozen=True, slots=True)
class Texts:
    """One reader's translations and locale-aware formats (numbers, dates, weekdays)."""

    language: str

    def gettext(self, message: str, /, **values: object) -> str:
        text = catalogue(self.language).gettext(message)
        return text % values if values else text

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

    def percent(self, share: Decimal | float, places: int = 1) -> str:
        pattern = "#,##0" + ("." + "0" * places if places else "") + "%"
        return format_percent(Decimal(str(share)), format=pattern, locale=self.locale)

    def day(self, value: date | None) -> str:
        """A date as ISO ``2026-03-10`` in both languages (sorts, and is read everywhere)."""
        return "—" if value is None else value.isoformat()

    def weekday(self, value: date, *, short: bool = True) -> str:
        """``Tue`` / ``周二``; ``Tuesday`` / ``星期二`` when not ``short``."""
        return format_date(value, "EEE" if short else "EEEE", locale=self.locale)
