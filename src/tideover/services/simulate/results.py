"""What the simulation and experiment use cases return.

Field names and order are the JSON ``tideover simulate … --json`` and
``tideover experiment report --json`` print and the API serves; change them
only together with ``docs/simulation.md``.  Figures are exact decimals (JSON
strings): rates and ratios to six places, amounts (``recovered``, ``cost``) in
whole minor units of the book's currency, half-up; the engine's floats never
leave this module.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from tideover.i18n import N_
from tideover.services.policy.results import VersionDetail
from tideover.services.results import Exact, Instant, Result

# KPIs in the engine's order (``tideover.simulate.measures.KPIS``), with their labels.
KPI_LABELS: dict[str, str] = {  # msgids: shown through the catalogue
    "dq30_rate": N_("30+ days past due (accounts)"),
    "dq90_rate": N_("90+ days past due (accounts)"),
    "dq30_balance_rate": N_("30+ days past due (balance)"),
    "roll_rate": N_("roll rate"),
    "cure_rate": N_("cure rate"),
    "recovery_rate": N_("recovery rate"),
    "cost_to_collect": N_("cost to collect (per unit recovered)"),
    "complaints_per_1000_contacts": N_("complaints per 1,000 contacts"),
    "contacts_per_account": N_("contacts per account"),
    "recovered": N_("recovered"),
    "cost": N_("cost of contacts"),
    "plans_taken": N_("relief plans taken"),
    "plans_kept": N_("relief plans kept"),
    "plans_broken": N_("relief plans broken"),
    "vulnerable_dq30_rate": N_("vulnerable customers 30+"),
}
MONEY_KPIS = frozenset({"recovered", "cost"})
RATE_KPIS = frozenset(
    {"dq30_rate", "dq90_rate", "dq30_balance_rate", "roll_rate", "cure_rate", "recovery_rate"}
    | {"vulnerable_dq30_rate"}
)
# The KPIs a table shows first, and whose differences get a sensitivity table.
HEADLINE: tuple[str, ...] = (
    "dq30_rate",
    "dq90_rate",
    "cure_rate",
    "recovery_rate",
    "cost_to_collect",
    "complaints_per_1000_contacts",
    "contacts_per_account",
    "plans_taken",
)
SENSITIVITY_KPIS: tuple[str, ...] = (
    "dq30_rate",
    "recovery_rate",
    "cost_to_collect",
    "complaints_per_1000_contacts",
)
SIX_PLACES = Decimal("0.000001")


def exact(value: float | None, kpi: str) -> Decimal | None:
    """An engine figure as an exact decimal: whole minor units for money, else six places."""
    if value is None or value != value:  # None or NaN: the month had no base for it
        return None
    places = Decimal(1) if kpi in MONEY_KPIS else SIX_PLACES
    return Decimal(repr(float(value))).quantize(places, rounding=ROUND_HALF_UP)


class KpiInterval(Result):
    """One KPI in one month over the runs: mean, median and the 90 % interval (5th–95th)."""

    month: int  # 1 is the first simulated month
    kpi: str
    mean: Exact | None
    low: Exact | None
    median: Exact | None
    high: Exact | None


class KpiDifference(KpiInterval):
    """A policy minus the baseline, run by run on the same draws; ``favours`` names the policy
    the whole 90 % interval is better for (None when it straddles no difference)."""

    favours: str | None


class PolicySource(Result):
    """A policy simulated: a stored version or a file (a what-if)."""

    label: str
    policy: str
    version: int | None
    sha256: str


class BookSummary(Result):
    """The platform's stored portfolio the simulation starts from."""

    platform: str
    as_of: date
    accounts: int
    balance_minor: int
    currency: str
    behind: int  # at least one payment missed
    dq30: int  # more than 30 days past due (two or more payments missed)
    with_score: int  # accounts the champion model scored


class BehaviourSummary(Result):
    """Which behaviour model moved the accounts, fitted on what, and why it was chosen."""

    scenario: str  # own, normal or stress
    source: str
    month_pairs: int | None  # own: month-to-month transitions of stored history fitted
    account_months: int
    segments: int
    note_en: str | None = None
    note_zh: str | None = None


class SimulationSettings(Result):
    months: int
    runs: int
    seed: int
    priors: str  # the shipped file or the user's
    prior_uncertainty: bool
    pack: str  # rule pack(s) applied at month level


class PolicyRun(Result):
    """One policy's KPIs per month over the runs."""

    source: PolicySource
    kpis: list[KpiInterval]

    def at(self, kpi: str, month: int) -> KpiInterval:
        return next(k for k in self.kpis if k.kpi == kpi and k.month == month)


class PriorDriver(Result):
    """How strongly one prior's draws move a difference (Spearman's rank correlation), and the
    mean difference when the prior was in its lowest and highest third of draws."""

    prior: str
    en: str
    zh: str
    rank_correlation: Exact
    low_third: Exact | None
    high_third: Exact | None


class Sensitivity(Result):
    """The priors that drive the difference on one KPI in one month, strongest first."""

    kpi: str
    month: int
    drivers: list[PriorDriver]


class PolicyDifference(Result):
    """``policy`` minus ``baseline`` per month and KPI, with what drives it."""

    baseline: str
    policy: str
    kpis: list[KpiDifference]
    sensitivity: list[Sensitivity]

    def at(self, kpi: str, month: int) -> KpiDifference:
        return next(k for k in self.kpis if k.kpi == kpi and k.month == month)


class SimulationReport(Result):
    """One policy moved forward over the platform's book."""

    platform: str
    book: BookSummary
    behaviour: BehaviourSummary
    settings: SimulationSettings
    run: PolicyRun
    seconds: float


class ComparisonReport(Result):
    """Policies on one book with common random numbers: each one's KPIs, and each against
    the first (the baseline)."""

    platform: str
    book: BookSummary
    behaviour: BehaviourSummary
    settings: SimulationSettings
    policies: list[PolicyRun]
    differences: list[PolicyDifference]
    seconds: float


class SimulationChart(Result):
    """The PNG drawn of a simulation: where, its size, and whether Chinese labels were drawn."""

    chart: str
    width: int
    height: int
    cjk_font: str | None


class ChartedSimulation(SimulationReport):
    chart: SimulationChart


class ChartedComparison(ComparisonReport):
    chart: SimulationChart


class ReviewSimulation(Result):
    """The simulation attached to a policy version for its review.

    ``state``: ``not_requested`` (none asked for this version), ``not_started`` (asked
    with no job: run ``tideover simulate review``), ``queued``, ``running``, ``done``
    or ``failed`` (``error`` says why).
    """

    version: int
    against_version: int | None
    state: str
    job_id: str | None
    progress_label: str | None
    progress_done: int
    progress_total: int
    error: str | None
    requested_by: str | None
    requested_at: Instant | None
    finished_at: Instant | None
    as_of: date | None
    report: ComparisonReport | None


class VersionReview(VersionDetail):
    """A version with the simulation its review reads."""

    simulation: ReviewSimulation


# --- experiments ------------------------------------------------------------------------


class ArmFigures(Result):
    """One arm's latest cumulative figures over the experiment's days."""

    arm: str
    role: str
    treatment: str
    weight: Exact
    accounts: int  # open accounts in the arm on the last day (the sample-ratio check's count)
    values: dict[str, Exact | None]  # metric -> cumulative value


class MetricComparison(Result):
    """Challenger minus champion on one metric, with its always-valid interval and p-value."""

    metric: str
    champion: Exact | None
    challenger: Exact | None
    difference: Exact | None
    lower: Exact | None
    upper: Exact | None
    p_value: Exact | None
    cuped: bool
    margin: Exact | None  # a guardrail's tolerated harm; None for the primary metric


class VerdictReason(Result):
    code: str
    en: str
    zh: str


class ChallengerVerdict(Result):
    arm: str
    call: str  # keep_running, promote or stop
    reasons: list[VerdictReason]
    primary: MetricComparison
    guardrails: list[MetricComparison]


class DailyDifference(Result):
    """The primary metric's difference on one day, with its always-valid interval."""

    as_of: date
    difference: Exact | None
    lower: Exact | None
    upper: Exact | None


class ExperimentReport(Result):
    """A champion/challenger experiment of the active policy, read from the KPI snapshots."""

    platform: str
    experiment: str
    segment: str
    hypothesis: str | None
    version: int
    first: date | None
    last: date | None
    days: int
    planned_days: int
    primary: str
    call: str
    sample_ratio_p: Exact | None
    sample_ratio_mismatch: bool
    arms: list[ArmFigures]
    challengers: list[ChallengerVerdict]
    not_measured: list[VerdictReason]
    daily: dict[str, list[DailyDifference]]  # challenger arm -> the primary's path


class ExperimentList(Result):
    """Every experiment of the platform's active policy version, each with its verdict."""

    platform: str
    version: int | None
    experiments: list[ExperimentReport]
