"""What starting to serve does to the process: the heap built so far is frozen, so a full
collection during requests walks only what requests made (``web.startup.settle_heap``)."""

from __future__ import annotations

import gc

from tideover.web.startup import settle_heap


def test_settling_the_heap_freezes_what_starting_made() -> None:
    made = [{"kept": n} for n in range(1000)]  # objects alive when the app has started
    assert gc.get_freeze_count() == 0
    try:
        settle_heap()
        assert gc.get_freeze_count() >= len(made)
        assert gc.get_count()[0] < 100  # collected first: nothing young is frozen with it
    finally:
        gc.unfreeze()
