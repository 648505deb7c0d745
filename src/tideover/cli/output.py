"""Console output shared by the commands: locale, JSON, one-line errors."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

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
from tideover.services.common import ProgressFn

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

console = Console(soft_wrap=True)
error_console = Console(stderr=True, soft_wrap=True)


def locale() -> str:
    """``zh`` or ``en``: TIDEOVER_LOCALE first, then the usual POSIX variables."""
    for name in ("TIDEOVER_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def say(en: str, zh: str) -> str:
    """The text for the current locale."""
    return zh if locale() == "zh" else en


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
        disable=disable,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def update(label: str, done: int, total: int) -> None:
        key = label.split(":")[0]
        if key not in tasks:
            tasks[key] = bars.add_task(label, total=total)
        bars.update(tasks[key], description=label, completed=done, total=total)

    with bars:
        yield update
