"""``tideover model monitor|fairness|rollrates`` end to end: files, JSON, exit codes, databases."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli import main
from tideover.domain.allocation import Component
from tideover.domain.borrowers import Borrower
from tideover.domain.delinquency import DelinquencyStatus
from tideover.domain.errors import NotFound
from tideover.domain.loans import Frequency, Installment, Loan, LoanTerms, RepaymentMethod, Schedule
from tideover.domain.money import CNY, Money
from tideover.services.scoring.monitoring import rollrates_between

SAMPLE = Path(__file__).parents[1] / "data" / "taiwan_sample.csv"
TARGET = "default-payment-next-month"
UowFactory = Callable[[], SqlAlchemyUnitOfWork]


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code = main.run(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result: dict[str, Any] = json.loads(captured.out)
    return result


def run_error(argv: list[str], capsys: pytest.CaptureFixture[str], status: int = 1) -> str:
    assert main.run(argv) == status
    return capsys.readouterr().err


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry whose champion (platform tw) is a scorecard trained on the sample."""
    folder = tmp_path_factory.mktemp("registry")
    train = ["model", "train", "--data", str(SAMPLE), "--target", TARGET, "--id-column", "ID"]
    assert main.run([*train, "--out", str(folder), "--platform", "tw", "--folds", "3"]) == 0
    version = json.loads((folder / "events.jsonl").read_text().splitlines()[0])["version"]
    assert (
        main.run(["model", "promote", version, "--registry", str(folder), "--platform", "tw"]) == 0
    )
    return folder


def common(registry: Path) -> list[str]:
    return ["--registry", str(registry), "--platform", "tw"]


@pytest.mark.parametrize("command", ["monitor", "fairness", "rollrates"])
def test_every_new_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main.run(["model", command, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out


# -- monitor --------------------------------------------------------------------------


def test_training_stores_the_monitoring_baseline(registry: Path) -> None:
    (metadata_path,) = registry.glob("tw/*/metadata.json")
    baseline = json.loads(metadata_path.read_text())["monitoring"]
    assert baseline["rows"] == 300
    assert baseline["score"]["name"] == "score"
    assert sum(baseline["score"]["shares"]) == pytest.approx(1.0)


def test_monitor_the_training_sample_then_a_shifted_one(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = run_json(
        ["model", "monitor", *common(registry), "--data", str(SAMPLE), "--json"], capsys
    )
    assert same["status"] == "stable"
    shifted = pd.read_csv(SAMPLE)
    shifted["PAY_0"] = shifted["PAY_0"].clip(lower=0) + 2
    shifted["LIMIT_BAL"] = shifted["LIMIT_BAL"] / 4
    path = tmp_path / "shifted.csv"
    shifted.to_csv(path, index=False)
    report_dir = tmp_path / "report"
    argv = ["model", "monitor", *common(registry), "--data", str(path), "--report", str(report_dir)]
    result = run_json([*argv, "--json"], capsys)
    assert result["status"] == "shift"
    score = result["score"]
    assert isinstance(score, dict)
    assert score["psi"] > 0.25
    assert json.loads((report_dir / "monitoring.json").read_text())["status"] == "shift"
    assert "Population stability" in (report_dir / "monitoring.md").read_text()


def test_monitor_with_realised_outcomes(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = tmp_path / "outcomes.csv"
    pd.read_csv(SAMPLE)[["ID", TARGET]].iloc[:200].to_csv(outcomes, index=False)
    argv = ["model", "monitor", *common(registry), "--data", str(SAMPLE), "--outcomes"]
    result = run_json([*argv, str(outcomes), "--json"], capsys)
    realised = result["outcomes"]
    assert isinstance(realised, dict)
    assert realised["rows_with_outcome"] == 200
    assert realised["rows_without_outcome"] == 100
    assert 0.6 < realised["auc"] <= 1.0  # in-sample, so better than cross-validated
    assert len(realised["calibration"]) == 10


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda f: f.assign(**{TARGET: f[TARGET] * 2}), TARGET),
        (lambda f: f.assign(ID=f["ID"] + 1_000_000), "'ID'"),
        (lambda f: f.rename(columns={TARGET: "paid"}), "'outcome'"),
    ],
    ids=["non-binary outcome", "ids that do not match", "unknown outcome column"],
)
def test_bad_outcome_files_are_refused_in_both_languages(
    change: Callable[[pd.DataFrame], pd.DataFrame],
    named: str,
    registry: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcomes = tmp_path / "outcomes.csv"
    change(pd.read_csv(SAMPLE)[["ID", TARGET]]).to_csv(outcomes, index=False)
    argv = ["model", "monitor", *common(registry), "--data", str(SAMPLE), "--outcomes"]
    for locale, marker in (("en", "outcome"), ("zh_CN.UTF-8", "结果")):
        monkeypatch.setenv("TIDEOVER_LOCALE", locale)
        err = run_error([*argv, str(outcomes)], capsys)
        assert named in err
        assert marker in err


def test_monitor_refuses_unknown_scoring_columns(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "renamed.csv"
    pd.read_csv(SAMPLE).rename(columns={"PAY_0": "PAY_1"}).to_csv(path, index=False)
    err = run_error(["model", "monitor", *common(registry), "--data", str(path)], capsys)
    assert "PAY_0" in err


@pytest.mark.parametrize(
    ("lang", "monitoring", "fairness"),
    [
        ("en", ("# Monitoring:", "Population stability", "Score bins"), ("# Fairness:", "group")),
        ("zh", ("# 模型监控：", "群体稳定性", "评分分箱"), ("# 公平性：", "平均分")),
    ],
)
def test_the_reports_written_are_in_the_language_of_the_command(
    lang: str,
    monitoring: tuple[str, ...],
    fairness: tuple[str, ...],
    registry: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "reports"
    for command in ("monitor", "fairness"):
        argv = ["--lang", lang, "model", command, *common(registry), "--data", str(SAMPLE)]
        assert main.run([*argv, "--report", str(folder)]) == 0, capsys.readouterr().err
        printed = capsys.readouterr().out
        written = (folder / f"{'monitoring' if command == 'monitor' else command}.md").read_text(
            encoding="utf-8"
        )
        assert written.strip() == printed.strip()  # the file is what the reader was shown
    shown = (folder / "monitoring.md").read_text(encoding="utf-8")
    assert all(word in shown for word in monitoring), shown
    assert ("Population stability" in shown) == (lang == "en")
    shown = (folder / "fairness.md").read_text(encoding="utf-8")
    assert all(word in shown for word in fairness), shown
    assert ("mean score" in shown) == (lang == "en")
    # The JSON beside them is the stored report: codes, whichever language wrote it.
    assert json.loads((folder / "monitoring.json").read_text())["status"] == "stable"


# -- fairness -------------------------------------------------------------------------


def test_fairness_by_sex_and_age(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["model", "fairness", *common(registry), "--data", str(SAMPLE)]
    result = run_json([*argv, "--protected", "SEX,AGE", "--min-rows", "30", "--json"], capsys)
    attributes = result["attributes"]
    assert isinstance(attributes, dict)
    assert set(attributes) == {"SEX", "AGE"}
    sex = attributes["SEX"]["groups"]
    assert set(sex) == {"0", "1"}
    assert sum(g["rows"] for g in sex.values()) == 300
    assert all(g["auc"] is not None for g in sex.values())  # the target is in the data
    assert result["model_inputs_protected"] == []
    report = tmp_path / "fair"
    default = run_json([*argv, "--report", str(report), "--json"], capsys)
    assert set(default["attributes"]) == {"SEX", "AGE", "MARRIAGE", "EDUCATION"}
    assert "## EDUCATION" in (report / "fairness.md").read_text()


def test_fairness_refuses_an_unknown_attribute(
    registry: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["model", "fairness", *common(registry), "--data", str(SAMPLE), "--protected", "RACE"]
    assert "'RACE'" in run_error(argv, capsys)
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh")
    assert "受保护属性 'RACE'" in run_error(argv, capsys)


def test_fairness_names_protected_inputs_when_they_were_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "registry"
    train = ["model", "train", "--data", str(SAMPLE), "--target", TARGET, "--id-column", "ID"]
    options = ["--kind", "gbm", "--allow-protected", "--folds", "2", "--json"]
    exclude = ["--exclude", "EDUCATION_0", "--exclude", "MARRIAGE_0"]  # constant in the sample
    trained = run_json([*train, *exclude, "--out", str(folder), *options], capsys)
    argv = ["model", "fairness", "--registry", str(folder), "--version", str(trained["version"])]
    result = run_json([*argv, "--data", str(SAMPLE), "--protected", "SEX", "--json"], capsys)
    assert {"SEX", "AGE"} <= set(result["model_inputs_protected"])


# -- roll rates -----------------------------------------------------------------------


def test_rollrates_from_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(["model", "rollrates", "--data", str(SAMPLE), "--json"], capsys)
    matrices = result["matrices"]
    assert isinstance(matrices, list)
    pooled = matrices[0]
    assert pooled["segment"] == "all"
    assert pooled["accounts"] == 1500
    assert pooled["states"] == ["C", "D1", "D3", "D4"]
    assert main.run(["model", "rollrates", "--data", str(SAMPLE)]) == 0
    assert "| C |" in capsys.readouterr().out


def test_rollrates_needs_a_file_or_two_dates(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--from" in run_error(["model", "rollrates"], capsys, status=2)
    err = run_error(
        ["model", "rollrates", "--data", str(SAMPLE), "--months", "PAY_0,PAY_9"], capsys
    )
    assert "PAY_9" in err


def _loan(loan_id: str, product: str) -> Loan:
    installment = Installment(
        1, date(2024, 2, 15), Money.of("1000", CNY), Money.of("10", CNY), Money.zero(CNY)
    )
    terms = LoanTerms(
        principal=Money.of("1000", CNY),
        annual_rate=Decimal("0.12"),
        term=1,
        method=RepaymentMethod.BULLET,
        start_date=date(2024, 1, 15),
        first_due_date=date(2024, 2, 15),
        frequency=Frequency.MONTHLY,
    )
    return Loan("alpha", loan_id, "B1", terms, Schedule((installment,), CNY), product)


def _status(loan_id: str, as_of: date, bucket: str) -> DelinquencyStatus:
    zero = Money.zero(CNY)
    overdue = dict.fromkeys(Component, zero)
    return DelinquencyStatus(loan_id, as_of, 0, bucket, None, overdue, Money.of("1000", CNY))


D1, D2 = date(2024, 3, 1), date(2024, 4, 1)
HISTORY = {  # loan: (product, bucket on D1, bucket on D2 or None when closed)
    "L1": ("cash", "M0", "M0"),
    "L2": ("cash", "M0", "M1"),
    "L3": ("card", "M1", "M2"),
    "L4": ("card", "M1", "M0"),
    "L5": ("card", "M1", None),
}


def seed(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        uow.platforms.ensure("alpha", name="Alpha", currency=CNY, settings={"tz": "UTC"})
        borrower = Borrower(platform="alpha", borrower_id="B1", name="王小明")
        uow.borrowers("alpha").add_many([borrower])
        uow.loans("alpha").add_many([_loan(k, v[0]) for k, v in HISTORY.items()])
        uow.delinquency("alpha").replace(D1, [_status(k, D1, v[1]) for k, v in HISTORY.items()])
        later = [_status(k, D2, v[2]) for k, v in HISTORY.items() if v[2] is not None]
        uow.delinquency("alpha").replace(D2, later)
        uow.commit()


def test_rollrates_from_the_bucket_history(uow_factory: UowFactory) -> None:
    seed(uow_factory)
    result = rollrates_between(
        uow=uow_factory(), platform="alpha", start=D1, end=D2, by_product=True
    ).to_json()
    pooled, *segments = result["matrices"]
    assert pooled["counts"]["M0"]["M0"] == 1
    assert pooled["counts"]["M0"]["M1"] == 1
    assert pooled["counts"]["M1"]["M2"] == 1
    assert pooled["counts"]["M1"]["M0"] == 1
    assert pooled["exited"]["M1"] == 1
    assert pooled["rates"]["M1"]["M2"] == 0.5  # of the two M1 loans still open
    assert {m["segment"] for m in segments} == {"cash", "card"}
    with pytest.raises(NotFound) as caught:
        rollrates_between(uow=uow_factory(), platform="alpha", start=D1, end=date(2024, 5, 1))
    assert "2024-05-01" in caught.value.en
    assert "2024-05-01" in caught.value.zh


def test_rollrates_command_reads_the_database(
    uow_factory: UowFactory,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(uow_factory)
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    argv = ["model", "rollrates", "--platform", "alpha", "--from", str(D1), "--to", str(D2)]
    result = run_json([*argv, "--json"], capsys)
    matrices = result["matrices"]
    assert isinstance(matrices, list)
    assert matrices[0]["counts"]["M0"]["M1"] == 1
    assert "2024-02-01" in run_error([*argv[:-1], "2024-02-01"], capsys)  # --to before --from
