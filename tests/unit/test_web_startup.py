"""What starting to serve does to the process: the heap built so far is frozen, so a full
collection during requests walks only what requests made (``web.startup.settle_heap``), and
a thread waiting for the interpreter gets it within ``SWITCH_INTERVAL``
(``web.startup.settle_worker``)."""

from __future__ import annotations

import gc
import sys

from tideover.web.startup import SWITCH_INTERVAL, settle_heap, settle_worker


def test_settling_the_heap_freezes_what_starting_made() -> None:
    made = [{"kept": n} for n in range(1000)]  # objects alive when the app has started
    assert gc.get_freeze_count() == 0
    try:
        settle_heap()
        assert gc.get_freeze_count() >= len(made)
        assert gc.get_count()[0] < 100  # collected first: nothing young is frozen with it
    finally:
        gc.unfreeze()


def test_a_settled_worker_hands_the_interpreter_over_sooner_than_cpython_does() -> None:
    before = sys.getswitchinterval()
    try:
        settle_worker()
        assert sys.getswitchinterval() == SWITCH_INTERVAL < before
        assert gc.get_freeze_count() > 0
    finally:
        sys.setswitchinterval(before)
        gc.unfreeze()
