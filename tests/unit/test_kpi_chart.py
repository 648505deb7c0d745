"""The KPI chart: series summed from stored counts, a real PNG read back, clear refusals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib import image

from tideover.domain.errors import NotFound, ValidationError
from tideover.i18n import N_, Wording
from tideover.services.cycle.kpi_chart import (
    DPI,
    HEIGHT_IN,
    WIDTH_IN,
    check_chart_path,
    kpi_series,
    title,
    write_kpi_chart,
)
from tideover.services.cycle.results import KpiFigure, KpiReport

BUCKETS = ["M0", "M1", "M2", "M3"]


def _row(day: str, metric: str, key: str, n: int, amount: int = 0, base: int | None = None,
         base_amount: int | None = None, segment: str = "s1") -> dict[str, Any]:  # fmt: skip
    return {"as_of": day, "segment": segment, "arm": "", "metric": metric, "key": key,
            "accounts": n, "amount_minor": amount, "base_accounts": base,
            "base_amount_minor": base_amount, "currency": "CNY"}  # fmt: skip


def _report(rows: list[dict[str, Any]]) -> KpiReport:
    return KpiReport.model_validate(
        {"platform": "acme", "from": "2026-11-01", "to": "2026-11-30", "buckets": BUCKETS,
         "rows": [KpiFigure.of(r) for r in rows]}
    )  # fmt: skip


def _day(day: str, scale: int) -> list[dict[str, Any]]:
    """Two segments; the platform's rates are sums over both, not averages of rates."""
    return [
        _row(day, "bucket", "M0", 90, 9_000_00),
        _row(day, "bucket", "M1", 10, 1_000_00),
        _row(day, "bucket", "M0", 10, 1_000_00, segment="s2"),
        _row(day, "delinquent", "30+", 5),
        _row(day, "delinquent", "90+", 1, segment="s2"),
        _row(day, "roll", "M1", 2, 0, 10, 0),
        _row(day, "roll", "M2", 7, 0, 7, 0),  # not the M1 roll
        _row(day, "cure", "M1", 3, 0, 10, 0),
        _row(day, "cure", "M1", 1, 0, 2, 0, segment="s2"),
        _row(day, "recovery", "M1", 2, 300_00 * scale, 10, 1_000_00),
        _row(day, "recovery", "M2", 0, 0, 5, 1_000_00, segment="s2"),
        _row(day, "planned", "sms", 8),
        _row(day, "allowed", "sms", 6),
        _row(day, "dropped", "sms", 2),
        _row(day, "attempted", "call", 40),
        _row(day, "complaints", "all", 1, 0, 400),
        _row(day, "complaints", "all", 0, 0, 600, segment="s2"),
        _row(day, "cost", "sms", 6, 30),
        _row(day, "promises", "kept", 1, 500_00, 4, 2_000_00),
        _row(day, "plans", "completed", 0, 0, 1, 9_000_00),
    ]


def test_series_are_platform_sums_over_segments_and_arms() -> None:
    series = kpi_series(_report(_day("2026-11-29", 1) + _day("2026-11-30", 3)))
    assert [d.isoformat() for d in series.dates] == ["2026-11-29", "2026-11-30"]
    v = series.values
    assert v["30+"][0] == Decimal(5) * 100 / 110
    assert v["90+"][0] == Decimal(1) * 100 / 110
    assert v["roll"][0] == Decimal(20)  # M1 only: 2 of 10
    assert v["cure"][0] == Decimal(4) * 100 / 12
    assert v["recovery"] == [Decimal(15), Decimal(45)]  # 300 (900) of 2,000 overdue
    assert v["complaints"][0] == Decimal(1)  # 1 complaint in 1,000 attempts
    assert v["cost"][0] == Decimal("0.30")  # minor units to yuan, exactly
    assert (v["planned"][0], v["allowed"][0], v["dropped"][0]) == (8, 6, 2)
    assert v["attempted"][0] == 40
    assert v["promises_kept"][0] == Decimal(25)
    assert v["plans_kept"][0] == Decimal(0)
    assert series.roll_from == "M1"


def test_a_date_without_a_base_has_no_value_rather_than_zero() -> None:
    series = kpi_series(_report([_row("2026-11-30", "bucket", "M0", 3, 300)]))
    assert series.values["recovery"] == [None]
    assert series.values["complaints"] == [None]
    assert series.values["30+"] == [Decimal(0)]


def _pixels(path: Path) -> np.ndarray[Any, Any]:
    return np.asarray(image.imread(path))


def test_the_chart_is_a_png_of_the_stated_size_and_not_blank(tmp_path: Path) -> None:
    days = [f"2026-11-{d:02d}" for d in range(1, 31)]
    rows = [r for i, day in enumerate(days) for r in _day(day, i % 4)]
    out = tmp_path / "kpis.png"
    written = write_kpi_chart(_report(rows), out).to_json()
    assert written == {"chart": str(out), "dates": 30, "width": 1600, "height": 800}
    pixels = _pixels(out)
    assert pixels.shape[:2] == (HEIGHT_IN * DPI, WIDTH_IN * DPI)
    rgb = pixels[..., :3].reshape(-1, 3)
    assert len(np.unique(rgb, axis=0)) > 50  # lines, text and fills, not one flat colour
    assert (rgb < 0.5).mean() > 0.005  # dark ink (text, axes) on the white page
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_a_single_date_still_draws(tmp_path: Path) -> None:
    out = tmp_path / "one.png"
    assert write_kpi_chart(_report(_day("2026-11-30", 1)), out).to_json()["dates"] == 1
    assert _pixels(out).shape[:2] == (800, 1600)


def test_no_rows_is_a_clear_error_and_no_file(tmp_path: Path) -> None:
    out = tmp_path / "empty.png"
    with pytest.raises(NotFound, match="no KPI snapshot of platform 'acme'") as caught:
        write_kpi_chart(_report([]), out)
    assert "cycle run" in caught.value.en
    assert "指标快照" in caught.value.zh
    assert list(tmp_path.iterdir()) == []


def test_a_rerun_replaces_the_chart(tmp_path: Path) -> None:
    out = tmp_path / "kpis.png"
    out.write_bytes(b"old")
    write_kpi_chart(_report(_day("2026-11-30", 1)), out)
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("name", "words"),
    [("kpis.pdf", "ending in .png"), ("missing/kpis.png", "does not exist")],
)
def test_a_bad_chart_path_is_refused(tmp_path: Path, name: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        check_chart_path(tmp_path / name)
    folder = tmp_path / "x.png"
    folder.mkdir()
    with pytest.raises(ValidationError, match="is a folder"):
        check_chart_path(folder)


def test_titles_add_chinese_only_with_a_cjk_font() -> None:
    cure = Wording(N_("Cure rate"))
    assert title(cure, chinese=False) == "Cure rate"
    assert title(cure, chinese=True) == "Cure rate\n治愈率"
