"""The portfolio the simulator moves forward: one entry per account, as columns.

Money is in integer minor units of the book's currency (``minor_digits`` places),
the score in ten-thousandths; nothing here is a float.  Labels (product, band,
region) are small integer codes into their category tuples, -1 for NULL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from tideover.i18n import N_
from tideover.simulate.errors import BookRejected
from tideover.simulate.states import MAX_MISSED

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
SCORE_SCALE = 4  # a score of 0.6125 is stored as 6125


def codes_of(labels: Sequence[str | None]) -> tuple[npt.NDArray[np.int16], tuple[str, ...]]:
    """Integer codes and their categories (sorted) for ``labels``; None becomes -1."""
    categories = tuple(sorted({label for label in labels if label is not None}))
    position = {c: i for i, c in enumerate(categories)}
    codes = np.fromiter(
        (position[label] if label is not None else -1 for label in labels),
        dtype=np.int16,
        count=len(labels),
    )
    return codes, categories


@dataclass(frozen=True)
class Book:
    """Accounts at the start of the simulation."""

    account_ids: tuple[str, ...]
    missed: npt.NDArray[np.int8]  # payments missed (0 current … MAX_MISSED)
    balance: IntArray  # outstanding, minor units
    installment: IntArray  # due each month, minor units
    product: npt.NDArray[np.int16]
    products: tuple[str, ...]
    band: npt.NDArray[np.int16]
    bands: tuple[str, ...]
    revolving: BoolArray  # card-like (relief priors for cards) or instalment loan
    months_on_book: IntArray
    score: IntArray  # ten-thousandths; see score_known
    score_known: BoolArray
    vulnerable: BoolArray
    dispute: BoolArray
    hardship: BoolArray
    minor_digits: int = 2
    region: npt.NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    regions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.account_ids)
        if n == 0:
            raise BookRejected(N_("the book has no accounts"))
        columns: dict[str, npt.NDArray[np.generic]] = {
            "missed": self.missed,
            "balance": self.balance,
            "installment": self.installment,
            "product": self.product,
            "band": self.band,
            "revolving": self.revolving,
            "months_on_book": self.months_on_book,
            "score": self.score,
            "score_known": self.score_known,
            "vulnerable": self.vulnerable,
            "dispute": self.dispute,
            "hardship": self.hardship,
        }
        if len(self.region):
            columns["region"] = self.region
        wrong = [name for name, column in columns.items() if len(column) != n]
        if wrong:
            raise BookRejected(
                N_("%(n)s accounts but columns of another length: %(wrong)s"),
                n=n,
                wrong=tuple(wrong),
            )
        if len(set(self.account_ids)) != n:
            raise BookRejected(N_("account ids repeat"))
        for name, column, low in (
            ("missed", self.missed, 0),
            ("balance", self.balance, 0),
            ("installment", self.installment, 0),
            ("months_on_book", self.months_on_book, 0),
        ):
            if int(column.min()) < low:
                raise BookRejected(N_("%(name)s must not be negative"), name=name)
        if int(self.missed.max()) > MAX_MISSED:
            raise BookRejected(
                N_("missed payments above %(max_missed)s: count deeper arrears as %(max_missed)s"),
                max_missed=MAX_MISSED,
            )
        if not 0 <= self.minor_digits <= 4:
            raise BookRejected(N_("minor_digits must be 0 to 4"))

    @property
    def size(self) -> int:
        return len(self.account_ids)

    def product_labels(self) -> list[str]:
        return [self.products[c] if c >= 0 else "*" for c in self.product.tolist()]

    def band_labels(self) -> list[str]:
        return [self.bands[c] if c >= 0 else "*" for c in self.band.tolist()]
