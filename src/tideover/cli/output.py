"""Console output shared by the commands: language, JSON, one-line errors, progress.

Every text a command prints goes through :func:`_` (gettext, catalogue
``tideover.i18n``): written in English with ``%(name)s`` placeholders,
translated in ``src/tideover/i18n/locale/zh_CN/LC_MESSAGES/tideover.po``;
:func:`either` picks between the two texts that come with the data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from tideover.domain.money import Money
from tideover.i18n import N_, Texts, normalise, system_language

if TYPE_CHECKING:
    from tideover.services.common import ProgressFn

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of everything printed: zh or en (default: TIDEOVER_LOCALE, "
        "else the system locale).",
        show_default=False,
    ),
]

console = Console(soft_wrap=True)
error_console = Console(stderr=True, soft_wrap=True)


_chosen: list[str] = []  # the language --lang chose for this process, if any


def set_language(tag: str | None) -> None:
    """Use ``tag`` (``zh``, ``en``, ``zh_CN`` …) from now on; None: the environment's."""
    _chosen.clear()
    language = normalise(tag)
    if language is not None:
        _chosen.append(language)


def language() -> str:
    """``zh_CN`` or ``en``: ``--lang``, else TIDEOVER_LOCALE, else the POSIX variables."""
    return _chosen[0] if _chosen else system_language(dict(os.environ))


def texts() -> Texts:
    """The reader's translations and number, date and weekday formats."""
    return Texts(language())


def _(message: str, /, **values: object) -> str:
    """``message`` in the reader's language, its ``%(name)s`` filled from ``values``."""
    return texts().gettext(message, **values)


def root_options(lang: LangOption = None) -> None:
    """Options of the ``tideover`` command itself (read before parsing: cli/localise.py)."""
    if lang is not None and normalise(lang) is None:
        raise typer.BadParameter(_("use zh or en"), param_hint="--lang")


def locale() -> str:
    """``zh`` or ``en`` (the short form older modules and reports compare with)."""
    return "zh" if language() == "zh_CN" else "en"


def either(en: str, zh: str) -> str:
    """Of a text that comes with the data in both languages (a rule's title, a finding's
    reason, a domain error), the reader's."""
    return zh if language() == "zh_CN" else en


__all__ = ["N_"]  # re-exported: commands mark texts shown later with it


def _default(value: object) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency.code}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(data: object) -> str:
    """Stable, readable JSON: Money as {amount, currency}, Decimals as strings."""
    return json.dumps(data, default=_default, ensure_ascii=False, indent=2, sort_keys=False)


def print_json(data: object) -> None:
    # print() rather than Rich so the output is exactly the JSON, never re-wrapped.
    print(to_json(data))


@contextmanager
def progress_bars(*, disable: bool = False) -> Iterator[ProgressFn]:
    """A Rich progress display and the ``(label, done, total)`` callback that feeds it."""
    bars = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        # A pipe or a file gets the result, not the frames of a bar.
        disable=disable or not console.is_terminal,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def update(label: str, done: int, total: int) -> None:
        key, colon, detail = label.partition(":")
        # Services name their steps in English, marked with N_: shown in the reader's language.
        shown = _("%(step)s:%(detail)s", step=_(key), detail=detail) if colon else _(key)
        if key not in tasks:
            tasks[key] = bars.add_task(shown, total=total)
        bars.update(tasks[key], description=shown, completed=done, total=total)

    with bars:
        yield update
