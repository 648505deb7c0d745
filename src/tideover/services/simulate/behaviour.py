"""Which borrower-behaviour model moves the book: the platform's own, or a reference one.

- ``own``: monthly transitions fitted on the platform's stored delinquency
  snapshots (one per business date the daily cycle ran).  Snapshot dates about
  thirty days apart, back from the book's date, are month-ends; a loan open at
  one and stored at the next is one account-month from its state to its next
  (a loan repaid in between ends current).  Days past due ``d`` count as
  ``ceil(d / 30)`` missed payments, the model's cycle convention.  Segments are
  (product, score band), the band being the account's band today.  At least
  ``MIN_MONTH_PAIRS`` consecutive month-pairs and ``MIN_ROW_ACCOUNT_MONTHS``
  account-months starting in every state are needed; less is "not enough
  history" (``docs/simulation.md``).
- ``normal`` and ``stress``: the reference scenarios of ``docs/simulation.md``,
  fitted on the Taiwan card data (stress) and calibrated to Lending Club 2018 Q1
  (normal), from the data cache (``tideover data fetch taiwan`` and
  ``lendingclub``).  The platform's bands are not the reference data's grades,
  so every account uses the pooled rows.
- ``auto`` (the default): ``own`` when the history is enough, else ``normal``,
  saying why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

from tideover.adapters.datasets import load_lendingclub, load_taiwan
from tideover.domain.days import day_number
from tideover.domain.errors import ValidationError
from tideover.i18n import N_, Wording
from tideover.services.simulate.results import BehaviourSummary
from tideover.services.unit_of_work import UnitOfWork
from tideover.simulate.behaviour import POOLED, BehaviourModel, fit_transitions
from tideover.simulate.calibrate import calibrate_entry, lending_club_behind
from tideover.simulate.errors import NotEnoughHistory
from tideover.simulate.states import DAYS_PER_MONTH, MAX_MISSED, state_of_missed, states_from_codes

MIN_MONTH_PAIRS = 3
MAX_MONTH_PAIRS = 12
MIN_ROW_ACCOUNT_MONTHS = 30
MONTH_END_SLACK_DAYS = 6  # a month-end falls back to the latest snapshot at most this early
TAIWAN_MONTHS = ["PAY_6", "PAY_5", "PAY_4", "PAY_3", "PAY_2", "PAY_0"]
TAIWAN_BANDS = ("E", "D", "C", "B", "A")  # credit-limit quintiles, lowest limit riskiest
LENDING_CLUB_ISSUED = {"Jan-2018": 5, "Feb-2018": 4, "Mar-2018": 3}  # months on book


class Behaviour(StrEnum):
    AUTO = "auto"
    OWN = "own"
    NORMAL = "normal"
    STRESS = "stress"


def behaviour_of(value: str) -> Behaviour:
    try:
        return Behaviour(value.strip().lower())
    except ValueError:
        known = ", ".join(b.value for b in Behaviour)
        raise ValidationError(
            N_("unknown behaviour model %(value)s; choose one of %(known)s"),
            value=repr(value),
            known=known,
        ) from None


@dataclass(frozen=True)
class ChosenModel:
    model: BehaviourModel
    summary: BehaviourSummary


def choose_model(
    *,
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    behaviour: Behaviour,
    bands: dict[str, str],
    reference: ChosenModel | None,
    fallback: NotEnoughHistory | None,
    cache_dir: Path,
) -> ChosenModel:
    """The model ``behaviour`` asks for, once the inputs are checked.

    ``reference``: the reference model already fitted (``normal``, ``stress``, or
    ``auto`` on thin history, whose reason is ``fallback``); ``bands``: each open
    account's score band today (the labels of the own model's segments).  ``auto``
    also falls back when the history, long enough, has too few accounts in a state.
    """
    if reference is not None and (behaviour is not Behaviour.AUTO or fallback is not None):
        return _noted(reference, fallback) if fallback is not None else reference
    try:
        return own_model(uow=uow, platform=platform, as_of=as_of, bands=bands)
    except NotEnoughHistory as thin:
        if behaviour is Behaviour.OWN:
            raise
        return _noted(reference or reference_model(Behaviour.NORMAL, cache_dir), thin)


def _noted(chosen: ChosenModel, thin: NotEnoughHistory) -> ChosenModel:
    note = Wording(
        N_(
            "the platform's own history is not enough to fit (%(why)s); the calibrated normal "
            "scenario is used instead"
        ),
        why=thin.wording,
    )
    summary = chosen.summary.model_copy(update={"note_en": note.en, "note_zh": note.zh})
    return ChosenModel(chosen.model, summary)


# --- the platform's own history ---------------------------------------------------------


def month_ends(dates: list[date], as_of: date) -> list[date]:
    """Snapshot dates about a month apart back from ``as_of``, newest first: for each
    ``as_of − 30·j`` the latest stored date on or before it, at most a few days earlier;
    the walk stops at the first month without one."""
    stored = sorted(d for d in dates if d <= as_of)
    chosen: list[date] = []
    for j in range(MAX_MONTH_PAIRS + 1):
        target = as_of - timedelta(days=DAYS_PER_MONTH * j)
        found = [d for d in stored if target - timedelta(days=MONTH_END_SLACK_DAYS) <= d <= target]
        if not found or (chosen and found[-1] >= chosen[-1]):
            break
        chosen.append(found[-1])
    return chosen


def missed_of_dpd(dpd: int) -> int:
    """Missed payments at ``dpd`` days past due under the cycle convention (30 days each)."""
    return min(MAX_MISSED, math.ceil(dpd / DAYS_PER_MONTH)) if dpd > 0 else 0


def check_own_history(*, uow: UnitOfWork, platform: str, as_of: date) -> list[date]:
    """The month-ends the platform's own model would be fitted on, newest first; too few
    is ``NotEnoughHistory`` (before any work)."""
    with uow:
        ends = month_ends(uow.delinquency(platform).dates(), as_of)
    pairs = max(len(ends) - 1, 0)
    if pairs < MIN_MONTH_PAIRS:
        raise NotEnoughHistory(
            N_(
                "platform %(platform)s has %(pairs)s month(s) of stored delinquency "
                "history before %(as_of)s, and its own behaviour needs "
                "%(min_month_pairs)s (daily cycles over %(month_ends)s "
                "month-ends); use --behaviour normal or stress, the reference scenarios"
            ),
            platform=repr(platform),
            pairs=pairs,
            as_of=as_of.isoformat(),
            min_month_pairs=MIN_MONTH_PAIRS,
            month_ends=MIN_MONTH_PAIRS + 1,
        )
    return ends


def own_model(*, uow: UnitOfWork, platform: str, as_of: date, bands: dict[str, str]) -> ChosenModel:
    """Transitions fitted on the platform's stored month-end snapshots."""
    ends = check_own_history(uow=uow, platform=platform, as_of=as_of)
    pairs = len(ends) - 1
    with uow:
        rows = uow.delinquency(platform).days_past_due(ends)
        products = {row[1]: str(row[4] or "*") for row in uow.loans(platform).account_rows()}
    # Rows come by loan and date: each loan's path over the month-ends, oldest first.
    order = {day_number(d): i for i, d in enumerate(reversed(ends))}
    starts: list[int] = []
    finishes: list[int] = []
    labels: list[tuple[str, str]] = []
    for before, after in pairwise(rows):
        same_loan = before[0] == after[0]
        if not same_loan or order[after[1]] != order[before[1]] + 1:
            continue  # another loan, or a month-end the loan has no snapshot of
        if before[4] <= 0 and before[2] <= 0:
            continue  # repaid before the month began
        starts.append(missed_of_dpd(before[2]))
        finishes.append(missed_of_dpd(after[2]))
        labels.append((products.get(before[0], "*"), bands.get(before[0], "*")))
    if not starts:
        raise NotEnoughHistory(
            N_("platform %(platform)s: no loan open across its stored month-ends"),
            platform=repr(platform),
        )
    states = np.stack(
        [state_of_missed(np.array(starts)), state_of_missed(np.array(finishes))], axis=1
    )
    model = fit_transitions(
        states,
        products=[p for p, _ in labels],
        bands=[b for _, b in labels],
        scenario="own",
        source=f"{platform} stored delinquency snapshots {ends[-1]} to {ends[0]}",
        min_row=MIN_ROW_ACCOUNT_MONTHS,
    )
    return ChosenModel(
        model,
        BehaviourSummary(
            scenario="own",
            source=model.source,
            month_pairs=pairs,
            account_months=int(model.pooled.sum()),
            segments=len(model.keys),
        ),
    )


# --- the reference scenarios -------------------------------------------------------------


def reference_model(behaviour: Behaviour, cache_dir: Path) -> ChosenModel:
    """The stress (Taiwan) or calibrated normal (Lending Club entry) model, pooled rows only."""
    taiwan = load_taiwan(cache_dir)  # DataUnavailable, saying how to fetch it, when absent
    bands = pd.qcut(taiwan["LIMIT_BAL"].rank(method="first"), 5, labels=list(TAIWAN_BANDS))
    stress = fit_transitions(
        states_from_codes(taiwan[TAIWAN_MONTHS].to_numpy()),
        products=["card"] * len(taiwan),
        bands=bands.astype(str).tolist(),
        scenario="stress",
        source="Taiwan credit-card data, 30,000 accounts (Yeh & Lien 2009)",
    )
    model = stress
    if behaviour is Behaviour.NORMAL:
        loans = load_lendingclub(cache_dir, "2018q1")
        issued = loans["issue_month"].map(LENDING_CLUB_ISSUED)
        known = issued.notna().to_numpy()
        model = calibrate_entry(
            stress,
            months_on_book=issued[known].astype(int).to_numpy(),
            behind=lending_club_behind(loans["loan_status"][known].tolist()),
            bands=loans["grade"][known].astype(str).tolist(),
            product="instalment",
            scenario="normal",
            source="Lending Club 2018 Q1 entry into arrears, Taiwan rows for accounts behind",
        )
    pooled = pooled_only(model)
    return ChosenModel(
        pooled,
        BehaviourSummary(
            scenario=pooled.scenario,
            source=pooled.source,
            month_pairs=None,
            account_months=int(pooled.pooled.sum()),
            segments=1,
        ),
    )


def pooled_only(model: BehaviourModel) -> BehaviourModel:
    """The model with its pooled rows alone: a platform's bands are not the data's grades."""
    return BehaviourModel(
        model.scenario, (POOLED,), model.counts[-1:].copy(), model.strength, model.source
    )
