"""One month of every open account: the policy's month, plans, the new state, money, counts.

:func:`step` is called by :func:`tideover.simulate.engine.simulate` once per run
and month.  Accounts that stay current all month (most of a book) take the short
path: they pay the month's installment, and only a day-0 step or a treatment on
the segment clock reaches them.  Accounts in their collection window — behind,
or current and past a due date unpaid — take the full one (:func:`_active`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tideover.simulate.book import Book
from tideover.simulate.cells import ExposureCache
from tideover.simulate.effects import CellEffects, ComboTable, Effects, cell_effects, tilt
from tideover.simulate.exposure import ON_TIME, Rows
from tideover.simulate.measures import COUNT, COUNTS, DQ30, portfolio_counts
from tideover.simulate.program import Program
from tideover.simulate.states import N_STATES, C, installments_paid, missed_after, state_of_missed

U_MISS, U_MOVE, U_PLAN, U_COMPLAINT, U_DAY = range(5)
UNIFORMS = 5  # per account and month
_EDGE = 1e-12

FloatArray = npt.NDArray[np.float64]
Uniforms = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Relief:
    """A program's relief per segment, as arrays to index by segment."""

    offered: BoolArray
    liquid: BoolArray
    wealth_bp: IntArray  # basis points of the arrears a cure under the plan writes off
    months: npt.NDArray[np.int16]

    @classmethod
    def of(cls, program: Program) -> Relief:
        relief = program.relief
        return cls(
            np.array([r is not None for r in relief]),
            np.array([r is not None and r.liquidity for r in relief]),
            np.array([round(r.waived_share * 10_000) if r else 0 for r in relief], dtype=np.int64),
            np.array([r.months if r else 0 for r in relief], dtype=np.int16),
        )


@dataclass(frozen=True)
class Static:
    """What every month of every run reads and nobody changes."""

    program: Program
    book: Book
    cache: ExposureCache
    combos: ComboTable
    relief: Relief
    segment_of: IntArray  # behaviour segment per account
    unit_costs: IntArray  # per combo, minor units


@dataclass
class RunState:
    """What changes month to month, per account of the book."""

    missed: npt.NDArray[np.int8]
    balance: IntArray
    months_on_book: IntArray
    hardship: BoolArray  # the book's flag or a plan in force
    segment_months: IntArray
    last_segment: npt.NDArray[np.int16]
    open: BoolArray
    plan_left: npt.NDArray[np.int16]
    plan_liquidity: BoolArray
    complaint_hold: BoolArray

    @classmethod
    def start(cls, book: Book) -> RunState:
        n = book.size
        return cls(
            missed=book.missed.copy(),
            balance=book.balance.copy(),
            months_on_book=book.months_on_book.copy(),
            hardship=book.hardship.copy(),
            segment_months=np.zeros(n, dtype=np.int64),
            last_segment=np.full(n, -1, dtype=np.int16),
            open=book.balance > 0,
            plan_left=np.zeros(n, dtype=np.int16),
            plan_liquidity=np.zeros(n, dtype=bool),
            complaint_hold=np.zeros(n, dtype=bool),
        )

    def rows(self, ids: IntArray, cache: ExposureCache, *, on_time: int = 0) -> Rows:
        """Rows for ``ids``; the first ``on_time`` of them stay current all month."""
        missed = self.missed[ids]
        missed[:on_time] = ON_TIME
        rows = Rows(ids, missed, self.hardship[ids], self.segment_months[ids])
        if cache.enabled:  # a cell look-up reads nothing else
            return rows
        return Rows(
            rows.ids, rows.missed, rows.hardship, rows.segment_months,
            self.balance[ids], self.months_on_book[ids], cache.arms[:, ids],
        )  # fmt: skip


@dataclass(frozen=True)
class PerRun:
    """What a run's draws fix for every month: fitted rows and the chance to miss a due date."""

    thresholds: tuple[FloatArray, FloatArray, FloatArray]  # cumulative C, D1, D3 per row
    better: FloatArray  # per row (behaviour segment × from state): share of better states
    miss_chance: Uniforms  # per account: a current account passes its due date unpaid
    within: FloatArray  # per account: … and then pays within the month, untilted

    @classmethod
    def of(cls, matrices: FloatArray, segment_of: IntArray, effects: Effects) -> PerRun:
        cumulative = np.cumsum(matrices, axis=2).reshape(-1, N_STATES)
        columns = (cumulative[:, 0].copy(), cumulative[:, 1].copy(), cumulative[:, 2].copy())
        state = np.arange(len(cumulative)) % N_STATES
        previous = cumulative[np.arange(len(cumulative)), np.maximum(state - 1, 0)]
        better = np.where(state > 0, previous, 0.0)
        # The chance that gives the fitted roll rate when a share c0 of those who
        # miss pay within the month (under the reference treatment); where the roll
        # rate is above 1 - c0 every current account misses and pays with the rest.
        stay = matrices[:, C, C][segment_of]
        c0 = effects.cure_within_cycle
        miss = np.minimum(1.0, (1.0 - stay) / (1.0 - c0))
        within = np.where(miss < 1.0, c0, stay)
        return cls(columns, better, miss.astype(np.float32), within)


def step(s: Static, run: RunState, effects: Effects, per_run: PerRun, u: Uniforms) -> FloatArray:
    """One month of every open account; the month's counts (in COUNTS order)."""
    out = np.zeros(len(COUNTS))
    live = run.open
    if not live.any():
        return out
    book, cache = s.book, s.cache
    current = run.missed == 0
    missed_due = u[U_MISS] < per_run.miss_chance
    active = np.flatnonzero(live & (~current | missed_due))
    on_time = np.flatnonzero(live & current & ~missed_due)
    quiet = s.program.reaches_on_time and len(on_time) > 0
    # One look-up for both kinds of account, so that both index one table of cells.
    looked_up = np.concatenate([on_time, active]) if quiet else active
    rows = run.rows(looked_up, cache, on_time=len(on_time) if quiet else 0)
    cell_of, table = cache.cells(rows)
    split = len(looked_up) - len(active)
    quiet_cell, active_cell = cell_of[:split], cell_of[split:]
    cells = cell_effects(
        table.steady, table.paused, table.steady_planned, table.paused_planned, s.combos, effects
    )
    segment = np.full(book.size, -1, dtype=np.int16)
    run.complaint_hold[:] = False
    made = np.zeros(len(s.combos.group))
    planned = np.zeros_like(made)
    complaints = 0.0
    if quiet:
        held = _held(s, run, on_time)
        # Most accounts that pay on time are contacted by nobody: draw for the others.
        some = np.flatnonzero(cells.complaints[quiet_cell] > 0)
        some = some[~held[some]]
        drawn = _poisson(cells.complaints[quiet_cell[some]], u[U_COMPLAINT, on_time[some]])
        run.complaint_hold[on_time[some]] = drawn > 0
        complaints += float(drawn.sum())
        size = len(table.segment)
        free = np.bincount(quiet_cell[~held], minlength=size).astype(np.float64)
        blocked = np.bincount(quiet_cell[held], minlength=size).astype(np.float64)
        made = free @ cells.attempts + blocked @ cells.held_attempts
        planned = (free + blocked) @ cells.planned
        segment[on_time] = table.segment[quiet_cell]
        out[COUNT["reached"]] += float(free @ cells.reached)
    open_start_balance = int(run.balance.sum())  # a closed account owes nothing
    due = np.minimum(book.installment[on_time], run.balance[on_time])
    run.balance[on_time] -= due

    a = _active(s, run, effects, per_run, u, active, active_cell, cells, table.segment, out)
    run.complaint_hold[active] = a.complaints > 0
    complaints += float(a.complaints.sum())
    segment[active] = table.segment[active_cell]
    made += a.made
    planned += a.planned
    worse = np.zeros(book.size, dtype=bool)
    worse[active] = a.worse

    kept, broken = _plans_after(run, live, worse)
    run.hardship = book.hardship | (run.plan_left > 0)
    same = (segment == run.last_segment) & (segment >= 0)
    run.segment_months = np.where(same, run.segment_months + 1, 0)
    run.last_segment = segment
    if "months_on_book" in s.program.features:  # read by the policy only
        run.months_on_book += live
    run.open = run.balance > 0
    vulnerable = book.vulnerable & run.open
    contact = s.combos.contact
    c = out
    # Accounts current all month stay current: every figure about arrears comes from
    # the accounts in a window; the book's totals from the whole book.
    c[COUNT["open_start"]] = np.count_nonzero(live)
    c[COUNT["open_start_balance"]] = open_start_balance
    c[COUNT["open_end"]] = np.count_nonzero(run.open)
    c[COUNT["open_end_balance"]] = int(run.balance.sum())
    c[COUNT["collected"]] = int(due.sum()) + a.collected
    c[COUNT["cost"]] = int(np.round(made).astype(np.int64) @ s.unit_costs)
    c[COUNT["contacts"]] = made[contact].sum()
    c[COUNT["denied"]] = max(0.0, float((planned - made)[contact].sum()))
    c[COUNT["complaints"]] = complaints
    c[COUNT["plans_kept"]] = kept
    c[COUNT["plans_broken"]] = broken
    c[COUNT["plans_active"]] = np.count_nonzero(run.plan_left > 0)
    c[COUNT["vulnerable_open"]] = np.count_nonzero(vulnerable)
    c[COUNT["vulnerable_dq30"]] = np.count_nonzero(vulnerable & (run.missed >= DQ30))
    return out


@dataclass(frozen=True)
class _Active:
    complaints: FloatArray
    worse: BoolArray  # more payments missed at the end than at the start
    collected: int
    made: FloatArray
    planned: FloatArray


def _active(
    s: Static,
    run: RunState,
    effects: Effects,
    per_run: PerRun,
    u_all: Uniforms,
    ids: IntArray,
    cell: IntArray,
    cells: CellEffects,
    cell_segment: npt.NDArray[np.int16],
    out: FloatArray,
) -> _Active:
    """Accounts in their collection window: plans, the draw of the new state, payments."""
    book = s.book
    u = u_all[:, ids]
    before = run.missed[ids]
    start = state_of_missed(before)
    current = start == C
    held = _held(s, run, ids)
    lift = cells.lift[cell]
    reached = cells.reached[cell]
    rate = cells.complaints[cell]
    if held.any():
        lift[held] = cells.held_lift[cell[held]]
        reached[held] = 0.0
        rate[held] = 0.0
    segment = cell_segment[cell]

    takes, on_liquidity, wealth_bp, lift = _take_plans(
        s, run, effects, ids, segment, reached, u, lift
    )
    row = s.segment_of[ids] * N_STATES + start
    first, second, third = per_run.thresholds
    columns = (first[row], second[row], third[row])
    within = per_run.within[ids]
    end = next_state(columns, per_run.better[row], start, lift, u[U_MOVE], within)
    after = missed_after(before, end)
    improved = end < start
    # Contacts stop when the account pays: an account that pays in the month was
    # contacted, on average, over the part of the window before it paid.
    paid = improved | (current & (end == C))
    counted = np.where(paid, u[U_DAY], 1.0).astype(np.float64)
    complaints = _poisson(rate * counted, u[U_COMPLAINT])
    balance_start = run.balance[ids]
    collected, waived = _payments(
        book, run, ids, (before, after), (start, end), on_liquidity, wealth_bp
    )
    run.missed[ids] = after
    made, planned = _attempt_totals(cells, cell, counted, held, len(cells.lift))
    figures = portfolio_counts(
        live=np.ones(len(ids), dtype=bool),
        before=before,
        after=after,
        balance_start=balance_start,
        balance_end=run.balance[ids],
        installment=book.installment[ids],
        received=collected,
    )
    for name in (
        "arrears_start", "arrears_start_balance", "dq30_end", "dq30_end_balance", "dq90_end",
        "dq90_end_balance", "rolled", "rolled_end_balance", "cured", "cured_start_balance",
        "overdue_start", "recovered_accounts", "recovered",
    ):  # fmt: skip
        out[COUNT[name]] = figures[name]
    out[COUNT["waived"]] = int(waived.sum())
    out[COUNT["reached"]] += float(np.sum(reached * counted))  # no BLAS threads for a sum
    out[COUNT["plans_taken"]] = np.count_nonzero(takes)
    return _Active(complaints, after > before, figures["collected"], made, planned)


def _take_plans(
    s: Static,
    run: RunState,
    effects: Effects,
    ids: IntArray,
    segment: npt.NDArray[np.int16],
    reached: FloatArray,
    u: Uniforms,
    lift: FloatArray,
) -> tuple[BoolArray, BoolArray, IntArray, FloatArray]:
    """Relief plans offered by the window's segment and taken by accounts reached in it.

    (taken now, on liquidity relief, write-off in basis points, lift with the plans' effects)
    """
    r = s.relief
    plan_left = run.plan_left[ids]
    if not r.offered.any() and not (plan_left > 0).any():
        none = np.zeros(len(ids), dtype=bool)
        return none, none, np.zeros(len(ids), dtype=np.int64), lift
    chance = effects.take_up * np.minimum(1.0, reached)
    takes = r.offered[segment] & (plan_left == 0) & (u[U_PLAN] < chance)
    plan_left = np.where(takes, r.months[segment], plan_left)
    liquidity = np.where(takes, r.liquid[segment], run.plan_liquidity[ids])
    run.plan_left[ids] = plan_left
    run.plan_liquidity[ids] = liquidity
    card = s.book.revolving[ids]
    on_liquidity = (plan_left > 0) & liquidity
    wealth_bp = np.where(takes, r.wealth_bp[segment], 0)
    liquidity_effect = np.where(card, effects.liquidity[1], effects.liquidity[0])
    wealth_effect = np.where(card, effects.wealth[1], effects.wealth[0])
    lift = lift + np.where(on_liquidity, liquidity_effect, 0.0)
    lift = lift + np.where(wealth_bp > 0, wealth_effect, 0.0)
    return takes, on_liquidity, wealth_bp, lift


def _held(s: Static, run: RunState, ids: IntArray) -> BoolArray:
    """Accounts under a hold the pack blocks: a dispute, or last month's complaint."""
    held = np.zeros(len(ids), dtype=bool)
    if s.program.gate.blocks_disputes:
        held |= s.book.dispute[ids]
    if s.program.gate.blocks_complaints:
        held |= run.complaint_hold[ids]
    return held


def _attempt_totals(
    cells: CellEffects, cell: IntArray, counted: FloatArray, held: BoolArray, size: int
) -> tuple[FloatArray, FloatArray]:
    """Attempts made and planned per combo over all accounts, counted as contacted."""
    free = np.bincount(cell, weights=np.where(held, 0.0, counted), minlength=size)
    blocked = np.bincount(cell, weights=np.where(held, counted, 0.0), minlength=size)
    made: FloatArray = free @ cells.attempts + blocked @ cells.held_attempts
    planned: FloatArray = (free + blocked) @ cells.planned
    return made, planned


def next_state(
    cumulative: tuple[
        FloatArray, FloatArray, FloatArray
    ],  # the fitted row's shares up to C, D1, D3
    better: FloatArray,  # the fitted row's share of states better than the start
    start: npt.NDArray[np.int8],
    lift: FloatArray,
    u: Uniforms,
    within: FloatArray,  # a current account's chance to pay within the month, untilted
) -> npt.NDArray[np.int8]:
    """The month-end state of accounts in their window, by inversion, better states first.

    Tilting the odds of the better states by ``exp(lift)`` scales their shares up
    and the others' down; instead of the shares, the uniform is mapped back onto
    the fitted row, which is the same draw and cheaper.  A current account that
    missed its due date has ``within`` as its better share (it pays within the
    month); if it does not, it rolls as the arrears part of the fitted row says.
    """
    current = start == C
    b = np.clip(np.where(current, within, better), _EDGE, 1 - _EDGE)
    b_new = tilt(b, lift)
    mapped = np.where(u < b_new, u * b / b_new, 1.0 - (1.0 - u) * (1.0 - b) / (1.0 - b_new))
    mapped = np.where(current | (better > 0), mapped, u)
    # A current account's "better" share is its within-month payment, not the row's C:
    # map the rest of its range onto the row's arrears part.
    stay = cumulative[0]
    on_row = np.where(current, stay + (mapped - b) / (1.0 - b) * (1.0 - stay), mapped)
    state = (cumulative[0] <= on_row).astype(np.int8)
    state += cumulative[1] <= on_row
    state += cumulative[2] <= on_row
    return state


def _poisson(rate: FloatArray, u: Uniforms) -> FloatArray:
    """Poisson counts (up to 3) by inversion of one uniform each: common random numbers."""
    p = np.exp(-rate)
    cumulative = p.copy()
    count = np.zeros_like(rate)
    for k in range(1, 4):
        count += u >= cumulative
        p = p * rate / k
        cumulative = cumulative + p
    return count


def _payments(
    book: Book,
    run: RunState,
    ids: IntArray,
    missed: tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]],
    states: tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]],
    on_liquidity: BoolArray,
    wealth_bp: IntArray,
) -> tuple[IntArray, IntArray]:
    """(collected, written off) per account, minor units; balances updated.

    Installments paid follow the missed counts.  Back to current under a
    liquidity plan re-ages the account: only the month's installment is paid and
    the arrears stay in the balance.  Under a wealth plan taken this month, a cure
    writes off the plan's share of the arrears (half-up to the minor unit).
    """
    (before, after), (start, end) = missed, states
    installment = book.installment[ids]
    balance = run.balance[ids]
    arrears = before.astype(np.int64) * installment
    pays = installments_paid(before, after).astype(np.int64) * installment
    cure = (end == C) & (start != C)
    pays = np.where(cure & on_liquidity, installment, pays)
    wealth = cure & (wealth_bp > 0)
    waived = np.where(wealth, (arrears * wealth_bp + 5_000) // 10_000, 0)
    pays = np.where(wealth & ~on_liquidity, installment + arrears - waived, pays)
    pays = np.minimum(pays, balance)
    waived = np.minimum(waived, balance - pays)
    run.balance[ids] = balance - pays - waived
    return pays, waived


def _plans_after(run: RunState, live: BoolArray, worse: BoolArray) -> tuple[int, int]:
    """(kept, broken): a plan whose account misses more payments is broken; one that runs its
    term is kept, and so is one on an account that pays off its balance."""
    on = np.flatnonzero(live & (run.plan_left > 0))
    if not len(on):
        return 0, 0
    left = run.plan_left[on]
    broken = worse[on]
    left = np.where(broken, 0, left - 1).astype(np.int16)
    paid_off = ~broken & (run.balance[on] == 0)
    kept = (~broken & (left == 0)) | (paid_off & (left > 0))
    run.plan_left[on] = np.where(paid_off, 0, left).astype(np.int16)
    return int(np.count_nonzero(kept)), int(np.count_nonzero(broken))
