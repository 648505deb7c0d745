"""The compiled n-gram lookups and counts of the classifier (``textcheck.grams``) give
exactly what slicing and counting in Python give."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.compliance.text import normalise
from tideover.compliance.textcheck import grams
from tideover.compliance.textcheck.grams import GramTable
from tideover.compliance.textcheck.model import default_classifier

_VOCABULARY = {"ab": 0, "bc": 1, "abc": 2, "\x02ab": 3, "你好": 4, "a": 5, "abcab": 6, "c😀": 7}


def _sliced(vocabulary: dict[str, int], text: str, shortest: int, longest: int) -> list[int]:
    return [
        vocabulary[text[i : i + size]]
        for size in range(shortest, longest + 1)
        for i in range(len(text) - size + 1)
        if text[i : i + size] in vocabulary
    ]


def test_n_grams_are_found_shortest_first_left_to_right() -> None:
    table = GramTable(_VOCABULARY, 2, 4)
    # "a" (one letter) and "abcab" (five) are outside 2-4: never found
    assert table.rows("abcab你好c😀").tolist() == [0, 1, 0, 4, 7, 2]
    assert table.rows("").tolist() == []
    assert table.rows("xyz😃").tolist() == []  # no character of the alphabet
    assert table.rows("ab\udc80bc").tolist() == [0, 1]  # a lone surrogate breaks no lookup


def test_an_entry_with_a_feature_mark_is_looked_up_like_any_other() -> None:
    # a normalised text never holds a mark, but the table does not rely on it
    assert GramTable(_VOCABULARY, 2, 4).rows("\x02ab").tolist() == [0, 3]


_ALPHABET = st.sampled_from([*"abcxy", "你", "好", "😀", "\x02", "é", "\udc80"])


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.lists(_ALPHABET, min_size=1, max_size=5).map("".join), st.just(0)),
    st.lists(_ALPHABET, max_size=40).map("".join),
)
def test_lookups_equal_slicing(entries: dict[str, int], text: str) -> None:
    vocabulary = {gram: row for row, gram in enumerate(entries)}
    for shortest, longest in ((1, 4), (2, 4), (2, 3)):
        table = GramTable(vocabulary, shortest, longest)
        assert table.rows(text).tolist() == _sliced(vocabulary, text, shortest, longest)


def test_counts_keep_the_order_of_first_occurrence_and_leave_no_trace() -> None:
    table = GramTable(_VOCABULARY, 2, 4)
    first = np.array([4, 1, 4, 0, 1, 4], dtype=np.int64)
    for _ in range(2):  # the scratch array is clear again after each count
        rows, counts = table.count(first, [6, 1])
        assert rows.tolist() == [4, 1, 0, 6]
        assert counts.tolist() == [3.0, 3.0, 1.0, 1.0]
        assert not table.scratch.any()
    rows, counts = table.count(np.array([], dtype=np.int64), [])
    assert rows.tolist() == []
    assert counts.tolist() == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=30), st.lists(st.integers(0, 6), max_size=10))
def test_counts_equal_a_counter(first: list[int], others: list[int]) -> None:
    table = GramTable(_VOCABULARY, 2, 4)
    rows, counts = table.count(np.array(first, dtype=np.int64), others)
    expected = Counter(first + others)
    assert rows.tolist() == list(expected)
    assert counts.tolist() == [float(c) for c in expected.values()]


def test_an_alphabet_too_large_for_a_key_is_refused() -> None:
    # four characters of 16 bits each do not fit beside the length in 64 bits
    vocabulary = {chr(0x4E00 + i) * 2: i for i in range(40_000)}
    with pytest.raises(ValueError, match="too many"):
        GramTable(vocabulary, 2, 4)
    assert GramTable(vocabulary, 2, 3).bits == 16


def test_a_function_whose_machine_code_cannot_be_kept_is_compiled_all_the_same() -> None:
    # a function defined by exec has no file: Numba has nowhere to keep its cache
    namespace: dict[str, Any] = {}
    exec("def double(x):\n    return 2 * x\n", namespace)
    assert grams._compiled(namespace["double"])(21) == 42


def test_threads_reading_at_once_get_what_one_thread_gets() -> None:
    classifier = default_classifier()
    if classifier is None:
        pytest.skip("the model artefact is not built")
    model = classifier.models["en"]
    texts = [
        "We will send someone to your house tonight, pay up or else",
        "Your payment of 300 is due on 5 March; reply STOP to opt out",
        "Tell your boss and your mother what a deadbeat you are, pay now pay now",
        "You are not going to prison; this is a civil debt and you have rights",
    ] * 25
    read = [normalise(text) for text in texts]
    expected = [model.scores(norm, origin).tobytes() for norm, origin in read]
    results: dict[int, list[bytes]] = {}

    def work(k: int) -> None:
        results[k] = [model.scores(norm, origin).tobytes() for norm, origin in read]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[k] == expected for k in range(4))


def test_importing_the_checker_leaves_numba_unloaded() -> None:
    # a process that never reads with the model (a lint of a policy file, a lexicon-only
    # check) does not pay for Numba's import
    code = "import sys, tideover.compliance.text; print('numba' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"
