"""The daily cycle's results: the JSON the commands print and the run record keeps."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tideover.services.cycle.results import (
    ChartedKpiReport,
    CycleVersions,
    InboxIngest,
    IngestedFile,
    KpiChart,
    KpiFigure,
    KpiReport,
    ModelComparison,
)

DAY = date(2026, 11, 30)


def _row(metric: str, accounts: int, base: int | None, **extra: Any) -> dict[str, Any]:
    return {"as_of": DAY, "segment": "early", "arm": "", "metric": metric, "key": "all",
            "accounts": accounts, "amount_minor": 0, "base_accounts": base,
            "base_amount_minor": None, "currency": "CNY", **extra}  # fmt: skip


def _versions(**fields: Any) -> CycleVersions:
    return CycleVersions.model_validate(
        {"policy": "supportive", "policy_sha256": "ab" * 32, "model": None, "challengers": [],
         "rule_packs": {"CN": "1"}, **fields}
    )  # fmt: skip


def test_the_run_record_keeps_only_the_versions_that_apply() -> None:
    from_file = _versions(policy_file="supportive.yaml")
    assert list(from_file.recorded()) == [
        "policy", "policy_file", "policy_sha256", "model", "challengers", "rule_packs"
    ]  # fmt: skip
    assert from_file.recorded()["model"] is None  # no model is said, not left out
    stored = _versions(policy_version=3)
    assert stored.recorded()["policy_version"] == 3
    assert "policy_file" not in stored.recorded()
    # The summary printed with --json names every field, null where it does not apply.
    assert stored.to_json()["policy_file"] is None
    assert stored.to_json()["shadow"] is None


def test_shadow_scores_are_recorded_with_exact_decimals() -> None:
    compared = ModelComparison(
        challenger="gbm-1", champion="scorecard-1", accounts=4, band_agreement=Decimal("0.7500"),
        band_differs=1, champion_mean_probability=Decimal("0.012300"),
        challenger_mean_probability=None,
    )  # fmt: skip
    recorded = _versions(policy_version=1, shadow=[compared]).recorded()
    assert recorded["shadow"] == [
        {"challenger": "gbm-1", "champion": "scorecard-1", "accounts": 4,
         "band_agreement": "0.7500", "band_differs": 1, "champion_mean_probability": "0.012300",
         "challenger_mean_probability": None}
    ]  # fmt: skip


def test_the_ingest_counts_are_the_rows_written() -> None:
    assert InboxIngest().counts == {"ingested_files": 0, "ingested_rows": 0}
    files = [
        IngestedFile(file="payments-1.csv", kind="payments", rows=5, written=3, unchanged=2),
        IngestedFile(file="loans-1.csv", kind="loans", rows=2, written=2, unchanged=0),
    ]
    assert InboxIngest(files=files).counts == {"ingested_files": 2, "ingested_rows": 5}
    with pytest.raises(ValidationError):
        IngestedFile(file="x.csv", kind="contacts", rows=0, written=0, unchanged=0)  # type: ignore[arg-type]


def test_a_kpi_figure_has_its_rates_from_the_stored_counts() -> None:
    complaints = KpiFigure.of(_row("complaints", 1, 3)).to_json()
    assert complaints["as_of"] == "2026-11-30"
    assert (complaints["account_rate"], complaints["per_1000"]) == ("0.3333", "333.33")
    assert complaints["amount_rate"] is None  # no base amount: no rate, not zero
    roll = KpiFigure.of(_row("roll", 2, 0)).to_json()
    assert (roll["account_rate"], roll["per_1000"]) == (None, None)


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_rates_are_rounded_once_half_up(accounts: int, base: int) -> None:
    figure = KpiFigure.of(_row("complaints", accounts, base))
    exact = Decimal(accounts) / Decimal(base)
    assert figure.account_rate is not None
    assert figure.per_1000 is not None
    assert abs(figure.account_rate - exact) <= Decimal("0.00005")
    assert abs(figure.per_1000 - exact * 1000) <= Decimal("0.005")
    assert figure.account_rate.as_tuple().exponent == -4
    assert figure.per_1000.as_tuple().exponent == -2


def test_the_kpi_report_is_written_with_from_and_to() -> None:
    report = KpiReport(
        platform="acme", first=DAY, last=DAY, buckets=["M0", "M1"],
        rows=[KpiFigure.of(_row("bucket", 3, None))],
    )  # fmt: skip
    assert list(report.to_json())[:3] == ["platform", "from", "to"]
    assert KpiReport.model_validate(report.to_json()) == report
    chart = KpiChart(chart="kpis.png", dates=1, width=1600, height=800)
    charted = ChartedKpiReport.of(report, chart).to_json()
    assert charted == {**report.to_json(), "chart": chart.to_json()}
