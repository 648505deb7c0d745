"""Exposure computed once per kind of account, not once per account and month.

A policy's month for an account depends on few things: the features its
conditions read and the account's state.  Static features matter only through
the constants they are compared with (a score matters only as above or below
0.6), so accounts fall into a few *groups* with identical answers; with the
payments missed, the hardship flag, the months spent in the segment (capped
where segment-clock treatments end) and the experiment arms, a group makes a
*cell*.  A cell's exposure is computed the first time an account is in it —
on one representative account — and looked up ever after, in every month and
every run.  The answer is exact, not an approximation: two accounts in one
cell get the same segment, treatment and attempts from the direct evaluation.

A policy that reads a feature the model moves every month (balance, overdue
amount, months on book, days in segment) is evaluated directly instead.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tideover.simulate.book import SCORE_SCALE, Book
from tideover.simulate.exposure import ON_TIME, Exposure, Rows, month_exposure
from tideover.simulate.program import Program, split_points
from tideover.simulate.states import DAYS_PER_MONTH, MAX_MISSED

MOVING = frozenset({"balance", "overdue_amount", "months_on_book", "days_in_segment"})
MAX_CELLS = 4_000_000
_MISSED = MAX_MISSED + 2  # 0 … MAX_MISSED in a window, and the last for on time

IntArray = npt.NDArray[np.int64]


class ExposureCache:
    """Exposure by cell, filled as cells are first met; cells are numbered as they come."""

    def __init__(self, program: Program, book: Book, arms: IntArray) -> None:
        self.program, self.book, self.arms = program, book, arms
        self.months_cap = (
            1
            if program.segment_clock_days < 0
            else program.segment_clock_days // DAYS_PER_MONTH + 2
        )
        self.group, self.representative = _groups(program, book, arms)
        dense = len(self.representative) * _MISSED * 2 * self.months_cap
        self.enabled = not (program.features & MOVING) and dense <= MAX_CELLS
        self.number = np.full(dense if self.enabled else 0, -1, dtype=np.int64)
        self.table = _empty(len(program.combos))

    def cells(self, rows: Rows) -> tuple[IntArray, Exposure]:
        """Each row's cell, and the exposure of every cell met so far (indexed by cell).

        With the cells enabled only the rows' ids, missed payments, hardship and
        months in segment are read; otherwise every field.
        """
        if not self.enabled:  # every row is its own cell, evaluated afresh
            return np.arange(len(rows.ids)), month_exposure(self.program, self.book, rows)
        months = np.minimum(rows.segment_months, self.months_cap - 1)
        missed = np.where(rows.missed == ON_TIME, _MISSED - 1, rows.missed)
        dense = (
            (self.group[rows.ids] * _MISSED + missed) * 2 + rows.hardship
        ) * self.months_cap + months
        cell = self.number[dense]
        missing = cell < 0
        if missing.any():
            new = np.unique(dense[missing])
            self.number[new] = len(self.table.segment) + np.arange(len(new))
            self.table = _concatenate(self.table, self._evaluate(new))
            cell = self.number[dense]
        return cell, self.table

    def _evaluate(self, cells: IntArray) -> Exposure:
        months = cells % self.months_cap
        rest = cells // self.months_cap
        hardship = (rest % 2).astype(bool)
        rest //= 2
        missed = (rest % _MISSED).astype(np.int8)
        missed[missed == _MISSED - 1] = ON_TIME
        group = rest // _MISSED
        ids = self.representative[group]
        size = len(cells)
        rows = Rows(
            ids=ids,
            missed=missed,
            hardship=hardship,
            segment_months=months,
            balance=np.zeros(size, dtype=np.int64),
            months_on_book=np.zeros(size, dtype=np.int64),
            arms=self.arms[:, ids],
        )
        return month_exposure(self.program, self.book, rows)


def _empty(combos: int) -> Exposure:
    nothing = np.zeros((0, combos))
    return Exposure(nothing, nothing, nothing, nothing, np.zeros(0, dtype=np.int16))


def _concatenate(a: Exposure, b: Exposure) -> Exposure:
    return Exposure(
        np.concatenate([a.steady, b.steady]),
        np.concatenate([a.paused, b.paused]),
        np.concatenate([a.steady_planned, b.steady_planned]),
        np.concatenate([a.paused_planned, b.paused_planned]),
        np.concatenate([a.segment, b.segment]),
    )


def _groups(program: Program, book: Book, arms: IntArray) -> tuple[IntArray, IntArray]:
    """Group per account and a representative account per group."""
    columns: list[npt.NDArray[np.int64]] = []
    used = program.features
    for name, codes in (("band", book.band), ("product", book.product), ("region", book.region)):
        if name in used and len(codes):
            columns.append(codes.astype(np.int64))
    for name, flags in (("vulnerable_flag", book.vulnerable), ("dispute_flag", book.dispute)):
        if name in used:
            columns.append(flags.astype(np.int64))
    if "score" in used:
        points = split_points(program.trees, "score", SCORE_SCALE)
        score = book.score if points is None else np.searchsorted(points, book.score, "right")
        columns.append(np.where(book.score_known, score, -1).astype(np.int64))
    columns.extend(row.astype(np.int64) for row in arms)
    if not columns:
        return np.zeros(book.size, dtype=np.int64), np.zeros(1, dtype=np.int64)
    stacked = np.stack(columns, axis=1)
    _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), first.astype(np.int64)
