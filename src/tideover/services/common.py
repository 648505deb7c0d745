"""How long-running use cases report progress without knowing who listens."""

from __future__ import annotations

from collections.abc import Callable

# (task label, units done, units in all); the CLI draws a Rich progress bar.
ProgressFn = Callable[[str, int, int], None]


def no_progress(_label: str, _done: int, _total: int) -> None:
    """A listener that ignores everything."""
