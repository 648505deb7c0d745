"""``tideover model ...`` end to end on the real Taiwan sample: files, JSON, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tideover.cli import main

SAMPLE = Path(__file__).parents[1] / "data" / "taiwan_sample.csv"
TARGET = "default-payment-next-month"


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code = main.run(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result: dict[str, object] = json.loads(captured.out)
    return result


@pytest.mark.parametrize("command", ["train", "list", "promote", "rollback", "score"])
def test_every_model_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main.run(["model", command, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out


def test_train_promote_score_and_roll_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = str(tmp_path / "registry")
    common = ["--registry", registry, "--platform", "tw"]
    train = ["model", "train", "--data", str(SAMPLE), "--target", TARGET, "--id-column", "ID"]
    first = run_json(
        [*train, "--out", registry, "--platform", "tw", "--folds", "3", "--json"], capsys
    )
    version = str(first["version"])
    assert first["kind"] == "scorecard"
    cv = first["cross_validation"]
    assert isinstance(cv, dict)
    assert {"auc", "gini", "ks", "brier"} <= cv.keys()
    assert "SEX" in first["excluded"]  # type: ignore[operator]
    folder = Path(registry) / "tw" / version
    for name in ("model.json", "metadata.json", "report.md", "metrics.json", "roc.png"):
        assert (folder / name).is_file(), name
    metadata = json.loads((folder / "metadata.json").read_text())
    assert len(metadata["training_data"]["sha256"]) == 64
    assert metadata["reason_codes"]["R-PAY_0"]["zh"]

    second = run_json([*train, "--kind", "gbm", *common, "--folds", "3", "--json"], capsys)
    run_json(["model", "promote", version, *common, "--json"], capsys)
    state = run_json(["model", "promote", str(second["version"]), *common, "--json"], capsys)
    assert state["champion"] == second["version"]

    out = tmp_path / "scores.parquet"
    scored = run_json(
        ["model", "score", *common, "--data", str(SAMPLE), "--out", str(out), "--json"], capsys
    )
    assert scored["model_version"] == second["version"]
    assert scored["rows"] == 300
    table = pd.read_parquet(out)
    assert {"ID", "score", "probability", "band", "reason_1_code"} <= set(table.columns)

    account = pd.read_csv(SAMPLE).drop(columns=[TARGET]).iloc[0].to_dict()
    one = run_json(
        ["model", "score", *common, "--account", json.dumps(account), "--version", version,
         "--json"],
        capsys,
    )  # fmt: skip
    assert one["model_version"] == version
    assert one["reasons"]
    assert "en" in one["reasons"][0]

    state = run_json(["model", "rollback", *common, "--json"], capsys)
    assert state["champion"] == version
    listed = run_json(["model", "list", *common, "--json"], capsys)
    roles = {m["version"]: m["role"] for m in listed["models"]}  # type: ignore[attr-defined]
    assert roles == {version: "champion", second["version"]: ""}


def test_rejected_input_exits_1_and_registers_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "registry"
    code = main.run(
        ["model", "train", "--data", str(SAMPLE), "--target", "LIMIT_BAL", "--out", str(registry)]
    )
    assert code == 1
    assert "'LIMIT_BAL'" in capsys.readouterr().err
    assert not (registry / "default").exists()
    assert main.run(["model", "rollback", "--registry", str(registry)]) == 1


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["model", "train", "--data", str(SAMPLE), "--target", TARGET, "--out", str(tmp_path)]
    assert main.run([*base, "--kind", "forest"]) == 2
    assert main.run(["model", "score", "--registry", str(tmp_path)]) == 2
    assert main.run(["model", "score", "--registry", str(tmp_path), "--account", "[1]"]) == 2
    capsys.readouterr()


def test_chunked_scoring_matches_one_pass_and_leaves_nothing_on_failure(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    from tideover.domain.clock import FixedClock
    from tideover.domain.errors import InputRejected
    from tideover.scoring.registry import ModelRegistry
    from tideover.scoring.scoring import score_frame
    from tideover.services.scoring.models import score_file, train_model

    registry = tmp_path / "registry"
    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    trained = train_model(
        registry_dir=registry, platform="tw", data_path=SAMPLE, target=TARGET,
        id_column="ID", folds=2, created_by="ana", clock=clock,
    ).to_json()  # fmt: skip
    version = str(trained["version"])
    frame = pd.read_csv(SAMPLE)
    parquet = tmp_path / "accounts.parquet"
    frame.to_parquet(parquet)
    out = tmp_path / "out" / "scores.parquet"
    for source in (SAMPLE, parquet):
        result = score_file(
            registry_dir=registry, platform="tw", data_path=source, out_path=out,
            version=version, chunk_rows=64,
        ).to_json()  # fmt: skip
        assert result["rows"] == 300
        assert sum(result["bands"].values()) == 300
        expected = score_frame(ModelRegistry(registry).load("tw", version), frame, id_column="ID")
        got = pd.read_parquet(out)
        assert got["score"].tolist() == expected["score"].tolist()
        assert (
            got["reason_1_code"].fillna("").tolist()
            == expected["reason_1_code"].fillna("").tolist()
        )

    broken = frame.astype({"PAY_0": object})
    broken.loc[250, "PAY_0"] = "late"  # in the last chunk, after others were written
    bad = tmp_path / "bad.csv"
    broken.to_csv(bad, index=False)
    out.unlink()
    with pytest.raises(InputRejected, match="'PAY_0'"):
        score_file(
            registry_dir=registry, platform="tw", data_path=bad, out_path=out,
            version=version, chunk_rows=64,
        )  # fmt: skip
    assert list(out.parent.iterdir()) == []


def test_plain_output_is_readable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    assert main.run(["model", "list", "--registry", str(tmp_path)]) == 0
    assert "no models yet" in capsys.readouterr().out


def test_derived_features_come_from_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = Path(__file__).parents[2] / "examples" / "scoring" / "taiwan-derived.txt"
    train = ["model", "train", "--data", str(SAMPLE), "--target", TARGET, "--id-column", "ID",
             "--out", str(tmp_path), "--kind", "gbm", "--folds", "3"]  # fmt: skip
    result = run_json([*train, "--derive-file", str(shipped), "--json"], capsys)
    derivations = result["derivations"]
    assert isinstance(derivations, list)
    assert len(derivations) == 15
    assert {"PAY_MAX", "UTIL6", "PAYSUM_LIMIT"} <= {str(d).split("=")[0] for d in derivations}
    assert main.run([*train, "--derive-file", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err


def test_latest_promotes_the_model_just_trained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = str(tmp_path / "registry")
    promote = ["model", "promote", "latest", "--registry", registry]
    assert main.run(promote) == 1  # nothing trained yet
    assert "no model version yet" in capsys.readouterr().err
    train = ["model", "train", "--data", str(SAMPLE), "--target", TARGET, "--id-column", "ID",
             "--out", registry, "--folds", "3", "--json"]  # fmt: skip
    trained = run_json(train, capsys)
    state = run_json([*promote, "--json"], capsys)
    assert state["champion"] == trained["version"]
    out = tmp_path / "scores.parquet"
    scored = run_json(
        ["model", "score", "--registry", registry, "--version", "latest", "--data", str(SAMPLE),
         "--out", str(out), "--json"],
        capsys,
    )  # fmt: skip
    assert scored["model_version"] == trained["version"]
    assert main.run(promote) == 1  # already the champion: a conflict, said plainly
    assert "already the champion" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("fold cross-validation", "protected attribute", "bad rate")),
        ("zh", ("折交叉验证", "受保护属性", "违约率")),
    ],
)
def test_the_training_report_is_in_the_language_of_the_command(
    lang: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train = ["--lang", lang, "model", "train", "--data", str(SAMPLE), "--target", TARGET,
             "--id-column", "ID", "--out", str(tmp_path), "--folds", "2", "--json"]  # fmt: skip
    trained = run_json(train, capsys)
    folder = Path(str(trained["directory"]))
    text = (folder / "report.md").read_text(encoding="utf-8")
    assert all(word in text for word in words), text
    assert ("Stratified" in text) == (lang == "en")
    # What code reads stays as stored: the English reasons, whichever language wrote it.
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["excluded"]["SEX"] == "protected attribute"
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["excluded"]["SEX"] == "protected attribute"
