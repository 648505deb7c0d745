"""The vocabulary's character n-grams found in a text, and a text's features counted, in
compiled loops.

Reading a text is the classifier's largest cost, and most of it was the interpreter
stepping through the n-grams one by one (an automaton pass per length, a tuple per
match, a ``Counter``).  Here each character of the vocabulary's n-grams has a small
number (its index in the vocabulary's alphabet, from 1), an n-gram is the key made of
its characters' numbers with its length in the top bits, and the keys sit in an
open-addressing hash table; a loop compiled by Numba (https://numba.pydata.org) builds
every key of a text and looks each up.  A character outside the alphabet has number 0
and no n-gram holding it is looked up: none is in the vocabulary.

The rows come out in the order of the plain definition (``features.features``): every
n-gram of the shortest length left to right, then the next length.  ``count`` keeps the
order in which rows first occur, so the scores the model computes from them are the
same to the last bit as those of the plain computation.  It marks rows in a scratch
array the size of the vocabulary and clears them before it returns; the loops hold the
interpreter lock, so two threads never use the array at once.

The loops are compiled on their first call in a process, or loaded from the machine
code a process before kept (``__pycache__``): about 0.4 s when the first text is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
import numpy as np

_LENGTH_SHIFT = 60  # an n-gram's length (at most 15) sits above this bit of its key
_GOLDEN = 0x9E3779B97F4A7C15  # Fibonacci hashing: 2**64 / the golden ratio


def _compiled(function: Callable[..., Any]) -> Any:
    """``function`` compiled by Numba on its first call, the machine code kept in the
    package's ``__pycache__`` (or the user's cache) for the next process; compiled in
    every process where neither can be written."""
    try:
        return numba.njit(cache=True)(function)
    except RuntimeError:  # "cannot cache function …: no locator available"
        return numba.njit(function)


@_compiled
def _slot(key: np.uint64, shift: np.uint64) -> np.int64:
    return np.int64((key * np.uint64(_GOLDEN)) >> shift)


@_compiled
def _build(keys: np.ndarray, rows: np.ndarray, size_bits: int) -> tuple[np.ndarray, np.ndarray]:
    slots = np.zeros(1 << size_bits, np.uint64)  # 0: empty (every key has a length)
    values = np.zeros(1 << size_bits, np.int64)
    mask = (1 << size_bits) - 1
    shift = np.uint64(64 - size_bits)
    for i in range(keys.shape[0]):
        at = _slot(keys[i], shift)
        while slots[at] != 0:
            at = (at + 1) & mask
        slots[at] = keys[i]
        values[at] = rows[i]
    return slots, values


@_compiled
def _find(
    codes: np.ndarray,
    numbers: np.ndarray,
    slots: np.ndarray,
    values: np.ndarray,
    shortest: int,
    longest: int,
    bits: int,
    size_bits: int,
) -> np.ndarray:
    n = codes.shape[0]
    last = numbers.shape[0]
    chars = np.empty(n, np.uint64)
    for i in range(n):
        code = codes[i]
        chars[i] = numbers[code] if code < last else np.uint64(0)
    found = np.empty(max(n, 1) * (longest - shortest + 1), np.int64)
    m = 0
    mask = slots.shape[0] - 1
    shift = np.uint64(64 - size_bits)
    step = np.uint64(bits)
    for size in range(shortest, longest + 1):
        length = np.uint64(size) << np.uint64(_LENGTH_SHIFT)
        for i in range(n - size + 1):
            key = np.uint64(0)
            for j in range(size):
                number = chars[i + j]
                if number == 0:
                    key = np.uint64(0)
                    break
                key = (key << step) | number
            if key == 0:
                continue
            key |= length
            at = _slot(key, shift)
            while True:
                held = slots[at]
                if held == key:
                    found[m] = values[at]
                    m += 1
                    break
                if held == 0:
                    break
                at = (at + 1) & mask
    return found[:m]


@_compiled
def _count(
    first: np.ndarray, second: np.ndarray, scratch: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    total = first.shape[0] + second.shape[0]
    rows = np.empty(total, np.int64)
    distinct = 0
    for k in range(total):
        row = first[k] if k < first.shape[0] else second[k - first.shape[0]]
        if scratch[row] == 0:
            rows[distinct] = row
            distinct += 1
        scratch[row] += 1
    counts = np.empty(distinct, np.float64)
    for k in range(distinct):
        counts[k] = scratch[rows[k]]
        scratch[rows[k]] = 0
    return rows[:distinct], counts


class GramTable:
    """The character n-grams of one vocabulary (``ngram_min`` to ``ngram_max`` long),
    for finding them in a text (``rows``) and counting a text's features (``count``)."""

    def __init__(self, vocabulary: dict[str, int], shortest: int, longest: int) -> None:
        entries = [(f, row) for f, row in vocabulary.items() if shortest <= len(f) <= longest]
        alphabet = sorted({c for f, _ in entries for c in f})
        self.bits = max(1, len(alphabet).bit_length())
        if self.bits * longest > _LENGTH_SHIFT or longest >= 1 << (64 - _LENGTH_SHIFT):
            raise ValueError(f"{len(alphabet)} characters in n-grams of {longest}: too many")
        self.shortest, self.longest = shortest, longest
        top = max(map(ord, alphabet), default=0)
        self.numbers = np.zeros(top + 1, np.uint64)
        for number, char in enumerate(alphabet, start=1):
            self.numbers[ord(char)] = number
        keys = np.array([self._key(f) for f, _ in entries], dtype=np.uint64)
        rows = np.array([row for _, row in entries], dtype=np.int64)
        self.size_bits = max(4, (2 * len(entries)).bit_length())  # at most half full
        self.slots, self.values = _build(keys, rows, self.size_bits)
        self.scratch = np.zeros(max(vocabulary.values(), default=0) + 1, np.int32)

    def _key(self, gram: str) -> int:
        key = 0
        for char in gram:
            key = (key << self.bits) | int(self.numbers[ord(char)])
        return key | (len(gram) << _LENGTH_SHIFT)

    def rows(self, text: str) -> np.ndarray:
        """The vocabulary rows of ``text``'s n-grams, shortest length first, left to right."""
        # a lone surrogate is a code like any other: the plain slices would hold it too
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        found: np.ndarray = _find(
            codes,
            self.numbers,
            self.slots,
            self.values,
            self.shortest,
            self.longest,
            self.bits,
            self.size_bits,
        )
        return found

    def count(self, grams: np.ndarray, others: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """The distinct rows of ``grams`` then ``others`` in the order they first occur, and
        how often each occurs (as floats)."""
        counted: tuple[np.ndarray, np.ndarray] = _count(
            grams, np.array(others, dtype=np.int64), self.scratch
        )
        return counted


def compile_ahead() -> None:
    """Compile the loops and keep their machine code (``make install``), so that no
    process pays for it when it reads its first text."""
    table = GramTable({"ab": 0, "abc": 1}, 2, 4)
    table.count(table.rows("abc"), [1])
