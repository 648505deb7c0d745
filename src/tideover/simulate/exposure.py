"""A month of a policy for every account: segment, treatment, and the attempts it makes.

An account with ``m`` payments missed that misses the next due date spends the
month in its collection window, days past due ``30·m + 1`` to ``30·m + 30``
(:mod:`tideover.simulate.states`); a current account that pays on time spends
it at day 0 (``missed`` given as :data:`ON_TIME`), where only steps on day 0 of
the days-past-due clock and treatments on the segment clock reach it.  The
window is cut where a condition on days past due can change
(:attr:`Program.split_points`); at the start of each piece
the segments are evaluated over the accounts' columns, the experiment arm picks
the treatment, and the treatment's allowed attempts over that piece are added.
A treatment's stop condition is evaluated twice, without and with an active
promise to pay, so the engine can weigh the share of the month under a promise.

Features the model does not move are held at the book's values; days since the
last contact or payment are not known to it and are NULL (a condition on them is
never TRUE), and no promise is ever broken.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tideover.policy.features import FEATURES, FeatureType
from tideover.simulate.book import SCORE_SCALE, Book
from tideover.simulate.program import Program
from tideover.simulate.states import DAYS_PER_MONTH
from tideover.simulate.vector import Column, holds

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
BUCKET_LABELS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+")  # the default scheme
ON_TIME = -1  # "missed" of an account that stays current all month (no window)


@dataclass(frozen=True)
class Rows:
    """Accounts to evaluate: book indices and their values this month (aligned with ``ids``).

    ``balance``, ``months_on_book`` and ``arms`` may be left out where the caller
    knows they are not read (a cell look-up reads only the first four).
    """

    ids: IntArray
    missed: npt.NDArray[np.int8]
    hardship: BoolArray  # the book's flag or a plan in force
    segment_months: IntArray  # whole months in the current segment
    balance: IntArray | None = None
    months_on_book: IntArray | None = None
    arms: IntArray | None = None  # (experiments, rows) arm index

    def need(self, name: str) -> IntArray:
        value: IntArray | None = getattr(self, name)
        if value is None:
            raise ValueError(f"rows without {name}")  # a programming error, never input
        return value


@dataclass(frozen=True)
class Exposure:
    """Attempts per (account, combo): ``steady`` go ahead even under a promise; ``paused`` not.

    ``*_planned`` are the same before the gate's caps.
    """

    steady: FloatArray
    paused: FloatArray
    steady_planned: FloatArray
    paused_planned: FloatArray
    segment: npt.NDArray[np.int16]  # the segment at the start of the window


def bucket_code(dpd: int) -> int:
    """Index into BUCKET_LABELS: M0 current, M1 1-30 … M6 151-180, M6+ beyond."""
    if dpd <= 0:
        return 0
    return min(7, (dpd - 1) // 30 + 1)


def month_exposure(program: Program, book: Book, rows: Rows) -> Exposure:
    """Exposure of ``rows`` in this month's collection window."""
    n, k = len(rows.ids), len(program.combos)
    steady, paused = np.zeros((n, k)), np.zeros((n, k))
    steady_planned, paused_planned = np.zeros((n, k)), np.zeros((n, k))
    first_segment = np.zeros(n, dtype=np.int16)
    for m in np.unique(rows.missed).tolist():
        part = np.flatnonzero(rows.missed == m)
        if m == ON_TIME:  # current all month: days past due 0, the segment clock runs 30 days
            low, high, starts, ends = 0, 0, [0], [0]
        else:
            low = DAYS_PER_MONTH * m + 1
            high = low + DAYS_PER_MONTH - 1
            points = program.split_points
            if points is None:
                starts = list(range(low, high + 1))
            else:
                starts = [low, *(p for p in points if low < p <= high)]
            ends = [*(s - 1 for s in starts[1:]), high]
        for piece, (start, end) in enumerate(zip(starts, ends, strict=True)):
            columns = _columns(program, book, rows, part, dpd=start, offset=start - low)
            segment = _segments(program, columns, len(part))
            if piece == 0:
                first_segment[part] = segment
            treatment = program.segment_treatment[segment]
            arms = rows.need("arms") if program.arms else np.zeros((0, n), dtype=np.int64)
            for arm_choice, arm_index in zip(program.arms, arms, strict=True):
                inside = segment == arm_choice.segment
                if inside.any():
                    treatment[inside] = arm_choice.treatments[arm_index[part[inside]]]
            on_segment = program.clock_segment[treatment]
            segment_first = DAYS_PER_MONTH * rows.segment_months[part] + (start - low)
            clock_first = np.where(on_segment, segment_first, start)
            span = DAYS_PER_MONTH - 1 if m == ON_TIME else end - start
            clock_last = clock_first + np.where(on_segment, span, end - start)
            allowed = program.attempts(treatment, clock_first, clock_last)
            planned = program.attempts(treatment, clock_first, clock_last, allowed=False)
            stop_now, stop_promise = _stops(
                program, book, rows, part, treatment, start - low, start
            )
            steady_go = (~stop_now & ~stop_promise)[:, None]
            paused_go = (~stop_now & stop_promise)[:, None]
            steady[part] += allowed * steady_go
            paused[part] += allowed * paused_go
            steady_planned[part] += planned * steady_go
            paused_planned[part] += planned * paused_go
    return Exposure(steady, paused, steady_planned, paused_planned, first_segment)


def _segments(program: Program, columns: dict[str, Column], size: int) -> npt.NDArray[np.int16]:
    """First matching segment per account; the default segment takes whatever is left."""
    segment = np.full(size, len(program.segment_trees) - 1, dtype=np.int16)
    open_ = np.ones(size, dtype=bool)
    for index, tree in enumerate(program.segment_trees):
        if tree is None:
            segment[open_] = index
            break
        hit = holds(tree, columns) & open_
        segment[hit] = index
        open_ &= ~hit
    return segment


def _stops(
    program: Program,
    book: Book,
    rows: Rows,
    part: IntArray,
    treatment: IntArray,
    offset: int,
    dpd: int,
) -> tuple[BoolArray, BoolArray]:
    """(stopped now, stopped only while a promise is active) per account."""
    stopped = np.zeros(len(part), dtype=bool)
    by_promise = np.zeros(len(part), dtype=bool)
    for index, tree in enumerate(program.stop_trees):
        if tree is None:
            continue
        mine = np.flatnonzero(treatment == index)
        if not len(mine):
            continue
        base = _columns(program, book, rows, part[mine], dpd=dpd, offset=offset)
        now = holds(tree, base)
        promised = holds(tree, {**base, "promise_active": _flag(np.ones(len(mine), dtype=bool))})
        stopped[mine] = now
        by_promise[mine] = promised & ~now
    return stopped, by_promise


def _flag(values: BoolArray) -> Column:
    return Column(FeatureType.BOOLEAN, values)


def _null(size: int, kind: FeatureType) -> Column:
    return Column(kind, np.zeros(size, dtype=np.int64), np.zeros(size, dtype=bool))


def _columns(
    program: Program, book: Book, rows: Rows, part: IntArray, *, dpd: int, offset: int
) -> dict[str, Column]:
    """The features the policy reads, for ``rows[part]`` on the window's day ``dpd``."""
    size = len(part)
    ids = rows.ids[part]
    missed = rows.missed[part].astype(np.int64)  # ON_TIME gives 0 installments overdue
    money = book.minor_digits
    columns: dict[str, Column] = {}
    for name in program.features:
        if name == "dpd":
            column = Column(FeatureType.INTEGER, np.full(size, dpd, dtype=np.int64))
        elif name == "bucket":
            code = np.full(size, bucket_code(dpd), dtype=np.int16)
            column = Column(FeatureType.STRING, code, None, 0, BUCKET_LABELS)
        elif name == "days_in_segment":
            days = DAYS_PER_MONTH * rows.segment_months[part] + offset
            column = Column(FeatureType.INTEGER, days)
        elif name == "installments_overdue":
            column = Column(FeatureType.INTEGER, missed + 1)
        elif name == "overdue_amount":
            due = (missed + 1) * book.installment[ids]
            column = Column(FeatureType.DECIMAL, due, None, money)
        elif name == "balance":
            column = Column(FeatureType.DECIMAL, rows.need("balance")[part], None, money)
        elif name == "score":
            column = Column(
                FeatureType.DECIMAL, book.score[ids], book.score_known[ids], SCORE_SCALE
            )
        elif name == "band":
            column = _labels(book.band[ids], book.bands)
        elif name == "product":
            column = _labels(book.product[ids], book.products)
        elif name == "region":
            if len(book.region):
                column = _labels(book.region[ids], book.regions)
            else:
                column = _null(size, FeatureType.STRING)
        elif name == "hardship_flag":
            column = _flag(rows.hardship[part])
        elif name == "vulnerable_flag":
            column = _flag(book.vulnerable[ids])
        elif name == "dispute_flag":
            column = _flag(book.dispute[ids])
        elif name in ("time_barred", "promise_active"):
            column = _flag(np.zeros(size, dtype=bool))
        elif name == "broken_promises":  # promises are not kept or broken in the model
            column = Column(FeatureType.INTEGER, np.zeros(size, dtype=np.int64))
        elif name == "months_on_book":
            column = Column(FeatureType.INTEGER, rows.need("months_on_book")[part])
        else:  # days since the last contact or payment: not modelled, NULL
            column = _null(size, FEATURES[name].type)
        columns[name] = column
    if not columns:
        columns["dpd"] = Column(FeatureType.INTEGER, np.full(size, dpd, dtype=np.int64))
    return columns


def _labels(codes: npt.NDArray[np.int16], categories: tuple[str, ...]) -> Column:
    known = codes >= 0
    return Column(FeatureType.STRING, codes, None if known.all() else known, 0, categories)
