"""The monitoring, training and fairness reports read in the reader's language: every text from
the catalogue, every catalogue text of theirs translated, the numbers in the reader's format."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po

from tideover.i18n import N_, Wording
from tideover.scoring import fairness as fair
from tideover.scoring import monitoring, report
from tideover.scoring.monitoring import fit_baseline, stability
from tideover.scoring.outcomes import realised_performance
from tideover.services.scoring.results import MonitoringReport

SOURCE = Path(__file__).resolve().parents[2] / "src" / "tideover"
ZH_CATALOGUE = SOURCE / "i18n" / "locale" / "zh_CN" / "LC_MESSAGES" / "tideover.po"
RNG = np.random.default_rng(11)
SCORES = RNG.normal(600, 40, 2000)
PROBABILITY = 1 / (1 + np.exp((SCORES - 560) / 30))
OUTCOME = (RNG.random(len(SCORES)) < PROBABILITY).astype(np.float64)

# What a Chinese report may keep in Latin letters: names of measures, codes and data.
KEPT = {"PSI", "AUC", "KS", "Gini", "Brier", "Siddiqi", "ROC", "AIR", "scorecard"}
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def _english_left(text: str, data: set[str]) -> set[str]:
    """Latin words of a Chinese report that are neither kept names nor the data's own
    (nor the file names of its images)."""
    words = ENGLISH_WORD.findall(re.sub(r"\]\([^)]*\)", "]", text))
    return set(words) - KEPT - data


def _monitoring(outcome: np.ndarray | None) -> MonitoringReport:
    score = stability(fit_baseline("score", SCORES), SCORES + 25).to_json()
    feature = stability(fit_baseline("PAY_0", SCORES / 100), SCORES / 100).to_json()
    feature["name"] = "PAY_0"
    data: dict[str, object] = {
        "platform": "tw",
        "model_version": "scorecard-1",
        "rows": len(SCORES),
        "training_rows": 12000,
        "thresholds": {"watch": 0.1, "shift": 0.25},
        "status": score["status"],
        "score": score,
        "features": [feature],
    }
    if outcome is not None:
        data["outcomes"] = realised_performance(outcome, PROBABILITY, training_auc=0.7)
    return MonitoringReport.model_validate(data)


@pytest.mark.parametrize(
    "outcome", [OUTCOME, np.zeros(len(SCORES)), None], ids=["outcomes", "one class", "none"]
)
def test_the_monitoring_report_in_english_and_in_chinese(outcome: np.ndarray | None) -> None:
    result = _monitoring(outcome)
    english, chinese = result.markdown("en"), result.markdown("zh_CN")
    assert english.startswith("# Monitoring: scorecard-1")
    assert "## Population stability" in english
    assert "- rows scored: 2,000 (training sample: 12,000)" in english
    assert chinese.startswith("# 模型监控：scorecard-1")
    assert "## 群体稳定性" in chinese
    assert "| 变量 | PSI | 状态 |" in chinese
    assert "评分行数：2,000（训练样本：12,000）" in chinese
    assert "Population" not in chinese
    if outcome is OUTCOME:
        assert "## Realised outcomes" in english
        assert "## 实际结果" in chinese
        assert "训练时 0.7000" in chinese
    if outcome is not None and outcome is not OUTCOME:
        assert "only one class" in english
        assert "AUC needs" not in chinese
    assert not _english_left(chinese, {"PAY"})


def test_a_status_reads_as_a_word_of_the_readers_language() -> None:
    result = _monitoring(None)
    code = result.score.status
    assert f"({code})" in result.markdown("en")
    assert f"({code})" not in result.markdown("zh_CN")
    assert f"（{Wording(monitoring.STATUS[code]).zh}）" in result.markdown("zh_CN")


def _training_summary() -> dict[str, object]:
    spread = {"mean": 0.7712, "std": 0.0123, "min": 0.75, "max": 0.79}
    return {
        "kind": "scorecard",
        "rows": 30000,
        "bad_rate": 0.2212,
        "features": ["PAY_0", "LIMIT_BAL"],
        "derivations": [],
        "excluded": {"SEX": "protected attribute", "ID": "excluded on request"},
        "cross_validation": {"folds": 5, **dict.fromkeys(report.METRICS, spread)},
        "calibration": [
            {
                "group": g,
                "rows": 3000,
                "mean_predicted": g / 20,
                "observed_bad_rate": g / 21,
                "gap": g / 20 - g / 21,
            }
            for g in range(1, 11)
        ],
    }


def test_the_training_report_in_english_and_in_chinese() -> None:
    title = Wording(
        N_("%(kind)s model for %(platform)s (%(file)s)"),
        kind="scorecard",
        platform="tw",
        file="taiwan.csv",
    )
    excluded = {"SEX": Wording(N_("protected attribute")), "ID": Wording(N_("excluded on request"))}
    summary = _training_summary()
    english = report.markdown(summary, title=title, language="en", excluded=excluded)
    chinese = report.markdown(summary, title=title, language="zh_CN", excluded=excluded)
    assert english.startswith("# scorecard model for tw (taiwan.csv)")
    assert "- rows: 30,000, bad rate: 22.12%" in english
    assert "- derived features: none" in english
    assert "- excluded: SEX (protected attribute), ID (excluded on request)" in english
    assert "## Stratified 5-fold cross-validation" in english
    assert "| auc | 0.7712 | 0.0123 | 0.7500 | 0.7900 |" in english
    assert "## 分层 5 折交叉验证" in chinese
    assert "- 行数：30,000，违约率：22.12%" in chinese
    assert "- 衍生特征：无" in chinese
    assert "PAY_0、LIMIT_BAL" in chinese
    assert f"SEX（{excluded['SEX'].zh}）" in chinese
    assert not _english_left(chinese, {"PAY", "LIMIT", "BAL", "SEX", "taiwan", "csv"}) - set(
        report.METRICS
    )
    # Without the reasons' wordings, the stored English reasons are shown as they are.
    assert "SEX (protected attribute)" in report.markdown(summary, title="t")


def test_the_fairness_report_in_english_and_in_chinese() -> None:
    frame = pd.DataFrame({"SEX": np.where(RNG.random(len(SCORES)) < 0.5, 1, 2)})
    groups = fair.fairness(
        frame, ["SEX"], score=SCORES, probability=PROBABILITY, outcome=OUTCOME, cutoff=0.2
    )
    data = {
        "model_version": "scorecard-1",
        "rows": len(frame),
        "cutoff": 0.2,
        "min_rows": 100,
        "model_inputs_protected": [],
        "attributes": groups,
    }
    english, chinese = fair.markdown(data, "en"), fair.markdown(data, "zh_CN")
    assert english.startswith("# Fairness: scorecard-1")
    assert "mean score" in english
    assert "Fairness" not in chinese
    assert Wording(N_("mean score")).zh in chinese
    flags = {f["code"] for g in groups["SEX"]["groups"].values() for f in g["flags"]}
    assert not _english_left(chinese, {"SEX", "CFR", *flags})


@pytest.mark.parametrize(
    "module", ["scoring/monitoring.py", "scoring/report.py", "scoring/fairness.py"]
)
def test_every_text_of_the_reports_has_its_chinese(module: str) -> None:
    with ZH_CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    with (SOURCE / module).open("rb") as source:
        texts = [m for _, _, m, _ in extract_python(source, ["N_", "_"], [], {})]
    assert texts
    untranslated = [t for t in texts if not (catalogue.get(t) and catalogue.get(t).string)]
    assert untranslated == []
