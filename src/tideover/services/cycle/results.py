"""What the daily cycle's use cases return: the run's summary, the inbox ingested, KPIs.

Field names and order are the JSON ``tideover cycle run --json`` and ``tideover
kpi --json`` print (``docs/cycle.md``); change them only together with the docs.
The KPI rows of ``batch/`` (one dict per stored figure, column-oriented) become
``KpiFigure`` models here, at the service boundary.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import ConfigDict, Field, JsonValue

from tideover.batch.cycle.shadow import ShadowComparison
from tideover.ingest.contract import Kind
from tideover.services.results import Exact, Result

# --- the ingest stage --------------------------------------------------------------------------


class IngestedFile(Result):
    """One inbox file imported whole: its records, those written and those already stored."""

    file: str
    kind: Kind
    rows: int
    written: int
    unchanged: int


class InboxIngest(Result):
    """The inbox files a run imported, in import order (none: nothing was waiting)."""

    files: list[IngestedFile] = Field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """The run's ``ingested_*`` counts."""
        return {
            "ingested_files": len(self.files),
            "ingested_rows": sum(f.written for f in self.files),
        }


# --- the run ------------------------------------------------------------------------------------


class ModelComparison(Result):
    """How one challenger scored the day's accounts against the champion (shadow scoring)."""

    challenger: str
    champion: str
    accounts: int
    band_agreement: Exact | None
    band_differs: int
    champion_mean_probability: Exact | None
    challenger_mean_probability: Exact | None

    @classmethod
    def of(cls, comparison: ShadowComparison) -> ModelComparison:
        return cls(
            challenger=comparison.challenger,
            champion=comparison.champion,
            accounts=comparison.accounts,
            band_agreement=comparison.band_agreement,
            band_differs=comparison.band_differs,
            champion_mean_probability=comparison.champion_mean_probability,
            challenger_mean_probability=comparison.challenger_mean_probability,
        )


# Set only where they apply: a policy file or a stored version; shadow scores with a model.
_WHERE_THEY_APPLY = ("policy_file", "policy_version", "shadow")


class CycleVersions(Result):
    """What produced a run: the policy (a file or a stored version), the models, the packs."""

    policy: str
    policy_file: str | None = None
    policy_version: int | None = None
    policy_sha256: str
    model: str | None
    challengers: list[str]
    rule_packs: dict[str, str]
    shadow: list[ModelComparison] | None = None

    def recorded(self) -> dict[str, JsonValue]:
        """As the run record and the audit trail keep it: what does not apply left out."""
        return {
            name: value
            for name, value in self.to_json().items()
            if value is not None or name not in _WHERE_THEY_APPLY
        }


class CycleSummary(Result):
    """A completed run: what produced it, how long each stage took, what it counted.

    ``counts`` and ``stages`` are keyed by the stage's own names (``accounts``,
    ``actions``, ``queue_*``, ``ingested_*``...); ``segments`` and ``arms`` count the
    accounts the policy put in each; ``denied_by_rule`` the gate's denials by rule
    id; ``scores_file`` every model's scores of the day, when they were kept.
    """

    platform: str
    as_of: date
    run_id: int
    engine: str
    versions: CycleVersions
    stages: dict[str, float]
    counts: dict[str, int]
    segments: dict[str, int]
    arms: dict[str, dict[str, int]]
    denied_by_rule: dict[str, int]
    scores_file: str | None = None
    # A what-if run of a policy file: computed in full, nothing written (no run record,
    # no outbox, no queue, no KPI snapshot), so nothing can be taken for a real run.
    what_if: bool = False


# --- the KPI report -----------------------------------------------------------------------------


def _rate(part: int, whole: int | None, places: str = "0.0001") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


class KpiFigure(Result):
    """One stored KPI figure of a date, segment and arm: a count and an amount over a base.

    The rates are computed from the stored counts when read (4 places, half-up);
    ``per_1000`` only for complaints: per 1,000 attempts (2 places), never from
    the rounded rate.
    """

    as_of: date
    segment: str
    arm: str
    metric: str
    key: str
    accounts: int
    amount_minor: int
    base_accounts: int | None
    base_amount_minor: int | None
    account_rate: Exact | None
    amount_rate: Exact | None
    per_1000: Exact | None
    currency: str

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> KpiFigure:
        """The figure of a stored row (``batch.cycle.kpis.KpiRow``), with its rates."""
        accounts, base = row["accounts"], row["base_accounts"]
        return cls(
            as_of=row["as_of"],
            segment=row["segment"],
            arm=row["arm"],
            metric=row["metric"],
            key=row["key"],
            accounts=accounts,
            amount_minor=row["amount_minor"],
            base_accounts=base,
            base_amount_minor=row["base_amount_minor"],
            account_rate=_rate(accounts, base),
            amount_rate=_rate(row["amount_minor"], row["base_amount_minor"]),
            per_1000=(
                _rate(accounts * 1000, base, "0.01") if row["metric"] == "complaints" else None
            ),
            currency=row["currency"],
        )


class KpiReport(Result):
    """A platform's stored KPI figures of ``from``..``to``; ``buckets`` best first."""

    # ``from`` is a Python keyword: the fields are ``first`` and ``last``, written as
    # ``from`` and ``to`` (the command's options).
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    platform: str
    first: date = Field(alias="from")
    last: date = Field(alias="to")
    buckets: list[str]
    rows: list[KpiFigure]


class KpiChart(Result):
    """The PNG drawn of a KPI report: where, how many dates, its size in pixels."""

    chart: str
    dates: int
    width: int
    height: int


class ChartedKpiReport(KpiReport):
    """A KPI report with the chart drawn of it."""

    chart: KpiChart

    @classmethod
    def of(cls, report: KpiReport, chart: KpiChart) -> ChartedKpiReport:
        return cls.model_validate({**dict(report), "chart": chart})
