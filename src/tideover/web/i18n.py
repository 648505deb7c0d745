"""The console's two languages through Babel (gettext) message catalogues.

``locale/<lang>/LC_MESSAGES/messages.po`` is the source of every text the
console shows; the catalogues are compiled in memory when the app starts (no
generated files to fall out of date).  A request's language is the one the
user chose (a cookie, or their session), else the best match of the
browser's ``Accept-Language``, else Chinese.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LANGUAGES = ("zh_CN", "en")
DEFAULT = "zh_CN"
LANGUAGE_COOKIE = "tideover_lang"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> Translations:
    """The compiled catalogue of ``language`` (one of ``LANGUAGES``)."""
    source = resources.files("tideover.web").joinpath(f"locale/{language}/LC_MESSAGES/messages.po")
    catalog = read_po(io.BytesIO(source.read_bytes()), locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


@lru_cache(maxsize=512)  # browsers send a handful of distinct headers
def choose(requested: str | None, accept_language: str | None) -> str:
    """The language of a request: an explicit choice, else ``Accept-Language``, else zh."""
    if requested:
        normalised = normalise(requested)
        if normalised:
            return normalised
    for tag in _ranked(accept_language or ""):
        normalised = normalise(tag)
        if normalised:
            return normalised
    return DEFAULT


def normalise(tag: str) -> str | None:
    """``zh``, ``zh-CN``, ``zh_Hans`` → ``zh_CN``; ``en-GB`` → ``en``; anything else None."""
    lowered = tag.strip().lower().replace("_", "-")
    if lowered.startswith("zh"):
        return "zh_CN"
    if lowered.startswith("en"):
        return "en"
    return None


def _ranked(header: str) -> list[str]:
    """Language tags of an ``Accept-Language`` header, best first (q-values honoured)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            ranked.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(ranked)]


@dataclass(frozen=True, slots=True)
class Texts:
    """One request's translation functions and locale-aware formatters."""

    language: str

    @property
    def _t(self) -> Translations:
        return translations(self.language)

    def gettext(self, message: str, **values: object) -> str:
        text = self._t.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self._t.ngettext(singular, plural, n)
        return text % {"num": n, **values}

    @property
    def locale(self) -> Locale:
        return _locale(self.language)

    @property
    def html_lang(self) -> str:
        return "zh-CN" if self.language == "zh_CN" else "en"

    def number(self, value: int | Decimal | str) -> str:
        return format_decimal(Decimal(str(value)), locale=self.locale)

    def day(self, value: date | None) -> str:
        return "—" if value is None else format_date(value, format="medium", locale=self.locale)

    def instant(self, value: datetime | None, zone: str = "Asia/Shanghai") -> str:
        if value is None:
            return "—"
        return format_datetime(value, format="medium", tzinfo=_zone(zone), locale=self.locale)


@lru_cache(maxsize=len(LANGUAGES))
def _locale(language: str) -> Locale:
    """``language``'s Babel locale, parsed once: a page formats a number or a date for every
    line of a schedule, and parsing the locale anew each time was a third of rendering it."""
    return Locale.parse(language)


def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class RequestLanguage:
    """Chooses each request's language (``request.state.texts``): ``?lang=`` (then kept
    in a cookie for a year; no personal data in it), else the cookie, else
    ``Accept-Language``.  A plain ASGI middleware, like ``web.security``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        asked = (
            normalise(connection.query_params.get("lang") or "") if scope["query_string"] else None
        )
        kept = connection.cookies.get(LANGUAGE_COOKIE)
        texts = Texts(choose(asked or kept, connection.headers.get("accept-language")))
        scope.setdefault("state", {})["texts"] = texts
        remember = asked is not None and kept != asked

        async def with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if remember:
                    headers.append(
                        "set-cookie",
                        f"{LANGUAGE_COOKIE}={asked}; Max-Age={365 * 86400}; Path=/; SameSite=lax",
                    )
                headers.setdefault("Content-Language", texts.html_lang)
                headers.setdefault("Vary", "Accept-Language, Cookie")
            await send(message)

        await self.app(scope, receive, with_language)
