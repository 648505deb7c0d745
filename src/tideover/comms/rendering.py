"""Templates rendered in a sandbox, with Babel writing numbers, money and dates.

A template is Jinja2 text run by an immutable sandbox (no attribute of a value
outside what Jinja allows, no changing a list or a dict) with undefined names
as errors, so a template can neither reach into the program nor send a
message with a hole in it.  Every ``{{ value }}`` is written by its type in
the reader's locale: ``Money`` as a currency amount, a ``date`` as a long
date, an ``int`` with grouped digits; the filters ``money``, ``day`` and
``number`` do the same explicitly (``{{ due_date | day("short") }}``).

Rendering also gives the message's *shape*: the text with each borrower's own
value (a name, an amount, a date) replaced by a neutral marker.  The message
checker reads a shape once per distinct shape and each free-text value once
(``services.comms.checking``); the platform's own words stay in the shape, so a
required element such as its name is still seen where it is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tideover.comms.catalogue import SHAPE_MARK, babel_locale
from tideover.domain.errors import ValidationError
from tideover.domain.money import Money
from tideover.i18n import N_


class TemplateProblem(ValidationError):
    """A template that cannot be compiled or rendered: its syntax, a name it does not know."""

    code = "template_invalid"


class PlatformText(str):
    """The platform's own words (its name, its service line): written verbatim and kept
    in the message's shape, not replaced by a marker."""

    __slots__ = ()


# Markers around each value in the raw output: control characters no template or value
# may contain (inputs are refused with control characters; ``_clean`` removes any left).
_OPEN, _SEP, _CLOSE = "\x02", "\x03", "\x04"
_SEGMENT = re.compile("\x02([a-z])\x03([^\x02\x03\x04]*)\x04")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered message: its text, its shape and the free-text values in it."""

    text: str
    shape: str
    free_values: tuple[str, ...]


class _Writer:
    """Writes values for one locale (Babel); kept per locale."""

    def __init__(self, language: str) -> None:
        self.locale = babel_locale(language)

    def money(self, value: Money) -> str:
        amount = Decimal(value.minor).scaleb(-value.currency.minor_digits)
        return format_currency(amount, value.currency.code, locale=self.locale)

    def day(self, value: date, style: str = "long") -> str:
        if style not in ("short", "medium", "long", "full"):
            style = "long"
        return format_date(value, format=style, locale=self.locale)

    def number(self, value: int | Decimal) -> str:
        return format_decimal(value, locale=self.locale)


def _finalize_for(writer: _Writer) -> Any:
    def finalize(value: object) -> str:
        if isinstance(value, _Marked):
            return str(value)
        if isinstance(value, PlatformText):
            return _clean(str(value))
        if isinstance(value, Money):
            return _mark("m", writer.money(value))
        if isinstance(value, datetime):
            return _mark("d", writer.day(value.date()))
        if isinstance(value, date):
            return _mark("d", writer.day(value))
        if isinstance(value, bool):
            return _mark("t", str(value))
        if isinstance(value, int | Decimal):
            return _mark("n", writer.number(value))
        if value is None:
            return ""
        return _mark("t", _clean(str(value)))

    return finalize


class _Marked(str):
    """A value already written and marked by a filter."""

    __slots__ = ()


def _mark(kind: str, text: str) -> _Marked:
    return _Marked(f"{_OPEN}{kind}{_SEP}{_clean(text)}{_CLOSE}")


@lru_cache(maxsize=4)
def _environment(language: str) -> ImmutableSandboxedEnvironment:
    writer = _Writer(language)
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,  # SMS, push and plain-text e-mail; letters escape when laid out
        finalize=_finalize_for(writer),
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = lambda v: _mark("m", writer.money(v))
    env.filters["day"] = lambda v, style="long": _mark("d", writer.day(v, style))
    env.filters["number"] = lambda v: _mark("n", writer.number(v))
    return env


@dataclass(frozen=True, slots=True)
class Compiled:
    """A template's text compiled for one language."""

    source: str
    language: str
    template: Any  # jinja2.Template

    def render(self, values: Mapping[str, object]) -> Rendered:
        try:
            raw = self.template.render(**values)
        except UndefinedError as exc:
            raise TemplateProblem(
                N_("the template uses a value it was not given (%(first_line)s)"),
                first_line=_first_line(exc),
            ) from None
        except SecurityError:
            raise TemplateProblem(
                N_("the template tried something the sandbox does not allow"),
            ) from None
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise TemplateProblem(
                N_("the template could not be rendered (%(name)s)"),
                name=type(exc).__name__,
            ) from None
        return split_rendered(raw)


def split_rendered(raw: str) -> Rendered:
    """The text, the shape and the free-text values of a marked rendering."""
    free: list[str] = []

    def shaped(match: re.Match[str]) -> str:
        if match.group(1) == "t":
            free.append(match.group(2))
        return SHAPE_MARK.get(match.group(1), "")

    text = _SEGMENT.sub(lambda m: m.group(2), raw).strip()
    shape = _SEGMENT.sub(shaped, raw).strip()
    return Rendered(text, shape, tuple(dict.fromkeys(free)))


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


@lru_cache(maxsize=1024)
def compile_template(source: str, language: str) -> Compiled:
    """``source`` compiled for ``language`` (kept: a worker renders the same few templates
    many times); ``TemplateProblem`` on a syntax error."""
    env = _environment(language)
    try:
        template = env.from_string(_clean(source))
    except TemplateSyntaxError as exc:
        raise TemplateProblem(
            N_("template syntax error on line %(lineno)s: %(detail)s"),
            lineno=exc.lineno,
            detail=exc.message,
        ) from None
    return Compiled(source, language, template)


def names_used(source: str) -> frozenset[str]:
    """The variables ``source`` reads from its context (loop variables excluded)."""
    env = _environment("en")
    try:
        parsed: nodes.Template = env.parse(_clean(source))
    except TemplateSyntaxError as exc:
        raise TemplateProblem(
            N_("template syntax error on line %(lineno)s: %(detail)s"),
            lineno=exc.lineno,
            detail=exc.message,
        ) from None
    return frozenset(meta.find_undeclared_variables(parsed))
