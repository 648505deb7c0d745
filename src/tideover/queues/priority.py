"""The priority of a piece of human work in a collector's queue: the reference formula.

Priority is the expected amount at stake times the urgency the policy gave the
step: ``balance × risk × step priority / 100``, in minor units, where risk is
the account's score (the probability of rolling) and :data:`DEFAULT_RISK` when
it has none.  It is exact ``Decimal`` arithmetic rounded half-up to a whole
minor unit once, so ties are rare and the order is the same on every engine.

The daily cycle's dispatch (``tideover.batch.cycle.stages.dispatch``, on the
DuckDB and the Spark engine alike) calls :func:`queue_priority` for every queue
item it writes; ``tests/unit/test_queue_priority.py`` checks that the items it
writes carry exactly this priority.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

# Risk of an unscored account when ranking queue work: an even chance, said out loud.
DEFAULT_RISK = Decimal("0.5")
_WHOLE = Decimal(1)


class Work(Protocol):
    """What the priority reads of one piece of work (a planned action, a stored item…)."""

    @property
    def balance_minor(self) -> int: ...  # outstanding balance, minor units

    @property
    def score(self) -> Decimal | None: ...  # probability of rolling; None when unscored

    @property
    def priority(self) -> int | None: ...  # the policy step's priority, 1 to 100


def queue_priority(work: Work) -> int:
    """Expected amount at stake × urgency: balance × risk × the step's priority / 100.

    Risk is the score, :data:`DEFAULT_RISK` when unscored; a step without a
    priority (automatic channels) has urgency 0.  Rounded half-up to a whole
    minor unit.
    """
    risk = work.score if work.score is not None else DEFAULT_RISK
    urgency = Decimal(work.priority or 0) / 100
    value = Decimal(work.balance_minor) * risk * urgency
    return int(value.quantize(_WHOLE, rounding=ROUND_HALF_UP))
