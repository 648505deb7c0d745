"""Roll-rate model: monthly transition matrices between delinquency states, with counts.

Two sources: the Taiwan-style repayment-status months (``PAY_x``: -2, -1, 0 paid
or nothing due, 1..8 months late, 9 = nine or more) and Tideover's own bucket
history (``tideover.domain.delinquency.transition_matrix``). The simulator and
the KPIs use the rates; the counts say how much each rate can be trusted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import pandas as pd

from tideover.domain.errors import InputRejected
from tideover.i18n import N_, Texts, normalise

# Oldest month first: PAY_6 is April 2005, PAY_0 September 2005 (Yeh & Lien 2009).
TAIWAN_MONTHS: tuple[str, ...] = ("PAY_6", "PAY_5", "PAY_4", "PAY_3", "PAY_2", "PAY_0")
# Codes 1 and 2 are merged: in April-August a first missed payment is coded 2, while
# code 1 appears almost only in September (../shared/reference/data.md).
TAIWAN_STATES: tuple[str, ...] = ("C", "D1", "D3", "D4")
_LOWEST_CODE, _HIGHEST_CODE = -2, 9
ALL = "all"
_MAX_SEGMENTS = 50

IntMatrix = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TransitionMatrix:
    """Account counts from each state (rows) to each state (columns) one period later."""

    states: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    segment: str = ALL

    @classmethod
    def from_array(cls, states: Sequence[str], counts: IntMatrix, segment: str = ALL) -> Self:
        rows = tuple(tuple(int(v) for v in row) for row in counts)
        return cls(tuple(states), rows, segment)

    @property
    def accounts(self) -> int:
        return sum(sum(row) for row in self.counts)

    def row_total(self, state: str) -> int:
        return sum(self.counts[self.states.index(state)])

    def rates(self) -> tuple[tuple[float | None, ...], ...]:
        """Row shares; a state nobody started in has no rates (None), not zeros."""
        result = []
        for row in self.counts:
            total = sum(row)
            result.append(tuple(v / total if total else None for v in row))
        return tuple(result)

    def rate(self, start: str, end: str) -> float | None:
        return self.rates()[self.states.index(start)][self.states.index(end)]

    def to_json(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "states": list(self.states),
            "accounts": self.accounts,
            "counts": {
                a: dict(zip(self.states, row, strict=True))
                for a, row in zip(self.states, self.counts, strict=True)
            },
            "rates": {
                a: dict(zip(self.states, (_rounded(r) for r in row), strict=True))
                for a, row in zip(self.states, self.rates(), strict=True)
            },
        }

    def markdown(self, language: str = "en") -> str:
        """The matrix as a table, headed in ``language``; the states are codes (C, D1 …)."""
        texts = Texts(normalise(language) or "en")
        corner, total = texts.gettext(N_("from \\ to")), texts.gettext(N_("accounts"))
        head = f"| {corner} | " + " | ".join(self.states) + f" | {total} |"
        lines = [head, "|---" * (len(self.states) + 2) + "|"]
        for state, row, counts in zip(self.states, self.rates(), self.counts, strict=True):
            cells = ["-" if r is None else f"{r:.3f}" for r in row]
            lines.append(f"| {state} | " + " | ".join(cells) + f" | {sum(counts)} |")
        return "\n".join(lines)


def _rounded(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def taiwan_states(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """State index per repayment-status code: C (<= 0), D1 (1-2), D3 (3), D4 (4+)."""
    result: npt.NDArray[np.int64] = np.select(
        [codes <= 0, codes <= 2, codes == 3], [0, 1, 2], default=3
    ).astype(np.int64)
    return result


def _codes(frame: pd.DataFrame, column: str) -> npt.NDArray[np.int64]:
    if column not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:20]))
        raise InputRejected(
            N_("repayment-status column %(column)s is not in the data (columns: %(shown)s)"),
            column=repr(column),
            shown=shown,
        )
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values % 1 != 0) | (values < _LOWEST_CODE) | (values > _HIGHEST_CODE)
    if bad.any():
        example = frame[column][bad].iloc[0]
        raise InputRejected(
            N_(
                "column %(column)s holds %(example)s (%(bad)s rows); repayment-status "
                "codes are whole numbers from %(lowest_code)s to %(highest_code)s"
            ),
            column=repr(column),
            example=repr(example),
            bad=int(bad.sum()),
            lowest_code=_LOWEST_CODE,
            highest_code=_HIGHEST_CODE,
        )
    codes: npt.NDArray[np.int64] = values.to_numpy(dtype=np.int64)
    return codes


def _segments(frame: pd.DataFrame, column: str | None) -> dict[str, npt.NDArray[np.bool_]]:
    everyone = np.ones(len(frame), dtype=bool)
    if column is None:
        return {ALL: everyone}
    if column not in frame.columns:
        raise InputRejected(N_("segment column %(column)s is not in the data"), column=repr(column))
    labels = frame[column].astype(object).where(frame[column].notna(), "(missing)").astype(str)
    distinct = sorted(labels.unique())
    if len(distinct) > _MAX_SEGMENTS:
        raise InputRejected(
            N_(
                "segment column %(column)s has %(count)s distinct values; band it into "
                "at most %(max_segments)s segments first"
            ),
            column=repr(column),
            count=len(distinct),
            max_segments=_MAX_SEGMENTS,
        )
    values = labels.to_numpy()
    return {ALL: everyone, **{label: values == label for label in distinct}}


def pay_history_transitions(
    frame: pd.DataFrame,
    months: Sequence[str] = TAIWAN_MONTHS,
    *,
    segment: str | None = None,
) -> dict[str, TransitionMatrix]:
    """Transitions pooled over consecutive month pairs (``months`` oldest first), per segment.

    Always includes the pooled matrix under ``"all"``.
    """
    if len(months) < 2:
        raise InputRejected(
            N_("at least two repayment-status months are needed for a transition"),
        )
    if frame.empty:
        raise InputRejected(N_("the data has no rows"))
    states = np.column_stack([taiwan_states(_codes(frame, m)) for m in months])
    size = len(TAIWAN_STATES)
    result = {}
    for label, rows in _segments(frame, segment).items():
        counts = np.zeros((size, size), dtype=np.int64)
        chosen = states[rows]
        for step in range(len(months) - 1):
            np.add.at(counts, (chosen[:, step], chosen[:, step + 1]), 1)
        result[label] = TransitionMatrix.from_array(TAIWAN_STATES, counts, label)
    return result


def bucket_transitions(
    counts: Mapping[tuple[str, str], int], labels: Sequence[str], segment: str = ALL
) -> TransitionMatrix:
    """A matrix from ``domain.delinquency.transition_matrix`` counts, buckets in scheme order."""
    rows = tuple(tuple(int(counts.get((a, b), 0)) for b in labels) for a in labels)
    return TransitionMatrix(tuple(labels), rows, segment)
