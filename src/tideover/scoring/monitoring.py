"""Monitoring a model in use: population stability against training, realised performance.

Population stability index (PSI) of one variable, over bins fixed on the
training sample: ``sum((actual - expected) * ln(actual / expected))`` of the
bin shares. Reading (Siddiqi, *Credit Risk Scorecards*, Wiley 2006;
Yurdakul & Naranjo, "Statistical properties of the population stability
index", *Journal of Risk Model Validation* 14(4), 2020): below 0.10 stable,
0.10 to 0.25 a change worth watching, above 0.25 a significant shift.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tideover.domain.errors import InputRejected
from tideover.i18n import N_, Texts
from tideover.scoring.artefact import Artefact
from tideover.scoring.derive import derive
from tideover.scoring.inputs import coerce
from tideover.scoring.outcomes import realised_performance
from tideover.scoring.scaling import FloatArray

PSI_WATCH = 0.10
PSI_SHIFT = 0.25
BINS = 10
# An empty bin makes ln(actual / expected) infinite; flooring shares at 0.01% is the
# usual practical fix (Yurdakul & Naranjo 2020) and caps one bin's term near 0.9.
_SHARE_FLOOR = 1e-4
_MAX_LEVELS = 20
MISSING = "(missing)"
OTHER = "(other)"


@dataclass(frozen=True)
class Baseline:
    """Where the training sample fell for one variable: fixed bins and their shares.

    Numeric bins are right-closed between ``edges`` (training deciles, ties merged);
    categorical bins are the commonest ``levels`` and ``(other)``; both end in ``(missing)``.
    """

    name: str
    kind: str
    edges: tuple[float, ...] = ()
    levels: tuple[str, ...] = ()
    shares: tuple[float, ...] = ()

    def labels(self) -> list[str]:
        if self.kind == "categorical":
            return [*self.levels, OTHER, MISSING]
        if not self.edges:
            return ["all", MISSING]
        inner = [f"({a:g}, {b:g}]" for a, b in pairwise(self.edges)]
        return [f"≤ {self.edges[0]:g}", *inner, f"> {self.edges[-1]:g}", MISSING]

    def counts(self, values: Any) -> npt.NDArray[np.int64]:
        """Rows per bin, in ``labels()`` order."""
        if self.kind == "categorical":
            text = pd.Series(values, dtype=object)
            missing = text.isna().to_numpy()
            known = text[~missing].astype(str)
            index = {level: i for i, level in enumerate(self.levels)}
            slots = known.map(index).fillna(len(self.levels)).to_numpy(dtype=np.int64)
            found = np.bincount(slots, minlength=len(self.levels) + 1)
            return np.append(found, int(missing.sum())).astype(np.int64)
        numbers = np.asarray(values, dtype=np.float64)
        missing = np.isnan(numbers)
        slots = np.searchsorted(np.asarray(self.edges), numbers[~missing], side="left")
        found = np.bincount(slots, minlength=len(self.edges) + 1)
        return np.append(found, int(missing.sum())).astype(np.int64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "edges": list(self.edges),
            "levels": list(self.levels),
            "shares": list(self.shares),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Baseline:
        return cls(
            str(data["name"]),
            str(data["kind"]),
            tuple(float(e) for e in data.get("edges", ())),
            tuple(str(v) for v in data.get("levels", ())),
            tuple(float(s) for s in data["shares"]),
        )


def _shares(counts: npt.NDArray[np.int64]) -> tuple[float, ...]:
    total = int(counts.sum())
    return tuple(float(c) / total if total else 0.0 for c in counts)


def fit_baseline(name: str, values: Any, kind: str = "numeric", bins: int = BINS) -> Baseline:
    """Bins fixed on the training values and the share of training rows in each."""
    if kind == "categorical":
        text = pd.Series(values, dtype=object).dropna().astype(str)
        levels = tuple(str(v) for v in text.value_counts().index[:_MAX_LEVELS])
        shell = Baseline(name, kind, levels=levels)
    else:
        numbers = np.asarray(values, dtype=np.float64)
        present = numbers[~np.isnan(numbers)]
        cuts: FloatArray = (
            np.quantile(present, np.arange(1, bins) / bins, method="inverted_cdf")
            if present.size
            else np.zeros(0)
        )
        shell = Baseline(name, kind, edges=tuple(float(c) for c in np.unique(cuts)))
    return Baseline(name, kind, shell.edges, shell.levels, _shares(shell.counts(values)))


def psi(expected: Any, actual: Any) -> float:
    """Population stability index of two share vectors over the same bins."""
    e = np.maximum(np.asarray(expected, dtype=np.float64), _SHARE_FLOOR)
    a = np.maximum(np.asarray(actual, dtype=np.float64), _SHARE_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_status(value: float) -> str:
    """``stable`` below 0.10, ``watch`` up to 0.25, ``shift`` above (module docstring)."""
    if value < PSI_WATCH:
        return "stable"
    return "watch" if value <= PSI_SHIFT else "shift"


@dataclass(frozen=True)
class Stability:
    """One variable's PSI with its bins: label, expected and actual share, contribution."""

    name: str
    psi: float
    status: str
    rows: int
    bins: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "psi": round(self.psi, 4),
            "status": self.status,
            "rows": self.rows,
            "bins": list(self.bins),
        }


def stability(baseline: Baseline, values: Any) -> Stability:
    """PSI of ``values`` (a scoring run) against the training ``baseline``."""
    counts = baseline.counts(values)
    actual = np.asarray(_shares(counts))
    expected = np.asarray(baseline.shares)
    if len(expected) != len(actual):
        raise InputRejected(
            N_("the stored baseline of %(name)s does not match its bins"),
            name=repr(baseline.name),
        )
    e, a = np.maximum(expected, _SHARE_FLOOR), np.maximum(actual, _SHARE_FLOOR)
    terms = (a - e) * np.log(a / e)
    bins = tuple(
        {
            "bin": label,
            "expected": round(float(x), 4),
            "actual": round(float(y), 4),
            "contribution": round(float(t), 4),
        }
        for label, x, y, t in zip(baseline.labels(), expected, actual, terms, strict=True)
    )
    value = float(terms.sum())
    return Stability(baseline.name, value, psi_status(value), int(counts.sum()), bins)


def training_baselines(
    inputs: pd.DataFrame, kinds: Mapping[str, str], scores: FloatArray, bins: int = BINS
) -> dict[str, Any]:
    """What monitoring needs from training, for the artefact's metadata."""
    return {
        "bins": bins,
        "rows": len(inputs),
        "features": [fit_baseline(n, inputs[n], k, bins).to_dict() for n, k in kinds.items()],
        "score": fit_baseline("score", scores, "numeric", bins).to_dict(),
    }


def population_stability(
    stored: Mapping[str, Any], inputs: pd.DataFrame, scores: FloatArray
) -> tuple[Stability, list[Stability]]:
    """PSI of the score and of every feature with a stored baseline, worst feature first."""
    score = stability(Baseline.from_dict(stored["score"]), scores)
    features = [
        stability(baseline, inputs[baseline.name])
        for baseline in (Baseline.from_dict(b) for b in stored["features"])
        if baseline.name in inputs.columns
    ]
    return score, sorted(features, key=lambda s: -s.psi)


@dataclass(frozen=True)
class Assessed:
    """A table run through a model: its typed inputs, probability of bad and score."""

    inputs: pd.DataFrame
    probability: FloatArray
    score: FloatArray


def assess_frame(artefact: Artefact, frame: pd.DataFrame) -> Assessed:
    """Derive, type-check and score ``frame`` with ``artefact`` (errors name the column)."""
    model = artefact.model
    inputs = coerce(derive(frame, artefact.derivations), model.features)
    log_odds = model.bad_log_odds(inputs)
    probability: FloatArray = 1.0 / (1.0 + np.exp(-log_odds))
    return Assessed(inputs, probability, model.scale.score(log_odds))


def stored_baseline(artefact: Artefact) -> Mapping[str, Any]:
    """The training baseline kept in the artefact's metadata, or a clear refusal."""
    stored = artefact.metadata.get("monitoring")
    if not isinstance(stored, Mapping):
        raise InputRejected(
            N_(
                "model %(version)s has no training baseline for monitoring (trained "
                "before it was recorded); pass the training data with --baseline"
            ),
            version=artefact.version,
        )
    return stored


def baseline_from_training(artefact: Artefact, frame: pd.DataFrame) -> dict[str, Any]:
    """A baseline rebuilt from the training data, for versions trained without one."""
    assessed = assess_frame(artefact, frame)
    kinds = {f.name: f.kind for f in artefact.model.features}
    return training_baselines(assessed.inputs, kinds, assessed.score)


def monitor(
    artefact: Artefact,
    frame: pd.DataFrame,
    *,
    baseline: Mapping[str, Any] | None = None,
    outcome: FloatArray | None = None,
) -> dict[str, Any]:
    """PSI of the score and features of a scoring run, and realised performance if known."""
    if frame.empty:
        raise InputRejected(N_("the scoring data has no rows"))
    stored = baseline if baseline is not None else stored_baseline(artefact)
    assessed = assess_frame(artefact, frame)
    score, features = population_stability(stored, assessed.inputs, assessed.score)
    worst = max([score.psi, *(f.psi for f in features)])
    report: dict[str, Any] = {
        "model_version": artefact.version,
        "rows": len(frame),
        "training_rows": stored.get("rows"),
        "thresholds": {"watch": PSI_WATCH, "shift": PSI_SHIFT},
        "status": psi_status(worst),
        "score": score.to_json(),
        "features": [f.to_json() for f in features],
    }
    if outcome is not None:
        auc = artefact.metadata.get("metrics", {}).get("auc", {}).get("mean")
        report["outcomes"] = realised_performance(outcome, assessed.probability, training_auc=auc)
    return report


# How a variable's PSI reads (``psi_status``), shown in the reader's language.
STATUS = {"stable": N_("stable"), "watch": N_("watch"), "shift": N_("shift")}
# The bins named in words rather than by their edges or levels.
BIN_WORDS = {MISSING: N_("(missing)"), OTHER: N_("(other)"), "all": N_("all")}


def markdown(report: Mapping[str, Any], language: str = "en") -> str:
    """The monitoring report for people, in ``language`` (the statuses and codes of the
    JSON report are words of that language here; numbers in its format)."""
    texts = Texts(language)
    say = texts.gettext
    score = report["score"]

    def status(code: str) -> str:
        return say(STATUS[code]) if code in STATUS else code

    training = report["training_rows"]
    lines = [
        say(N_("# Monitoring: %(version)s"), version=report["model_version"]),
        "",
        say(
            N_("- rows scored: %(rows)s (training sample: %(training)s)"),
            rows=texts.number(report["rows"]),
            training="—" if training is None else texts.number(training),
        ),
        say(
            N_(
                "- overall: **%(status)s** (PSI below %(watch)s stable, up to %(shift)s watch, "
                "above it shift; Siddiqi 2006)"
            ),
            status=status(report["status"]),
            watch=texts.fixed(PSI_WATCH, 2),
            shift=texts.fixed(PSI_SHIFT, 2),
        ),
        say(
            N_("- score PSI: %(psi)s (%(status)s)"),
            psi=texts.fixed(score["psi"]),
            status=status(score["status"]),
        ),
        "",
        say(N_("## Population stability")),
        "",
        _row(say(N_("variable")), say(N_("PSI")), say(N_("status"))),
        _rule(3),
        _row(say(N_("score")), texts.fixed(score["psi"]), status(score["status"])),
        *(_row(f["name"], texts.fixed(f["psi"]), status(f["status"])) for f in report["features"]),
        "",
        say(N_("## Score bins")),
        "",
        _row(
            say(N_("bin")),
            say(N_("training share")),
            say(N_("run share")),
            say(N_("contribution")),
        ),
        _rule(4),
        *(
            _row(
                say(BIN_WORDS[b["bin"]]) if b["bin"] in BIN_WORDS else b["bin"],
                texts.percent(b["expected"], 2),
                texts.percent(b["actual"], 2),
                texts.fixed(b["contribution"]),
            )
            for b in score["bins"]
        ),
    ]
    if "outcomes" in report:
        lines += ["", *_outcome_lines(report["outcomes"], texts)]
    return "\n".join(lines) + "\n"


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _rule(columns: int) -> str:
    return "|---" * columns + "|"


def _outcome_lines(result: Mapping[str, Any], texts: Texts) -> list[str]:
    say = texts.gettext
    lines = [
        say(N_("## Realised outcomes")),
        "",
        say(
            N_("- accounts with an outcome: %(known)s (without: %(unknown)s)"),
            known=texts.number(result["rows_with_outcome"]),
            unknown=texts.number(result["rows_without_outcome"]),
        ),
    ]
    if "auc" not in result:
        note = result["note"]
        return [*lines, "- " + (note["zh"] if texts.chinese else note["en"])]
    change = result.get("auc_change")
    auc = texts.fixed(result["auc"])
    lines += [
        say(
            N_("- observed bad rate %(observed)s, mean predicted %(predicted)s"),
            observed=texts.percent(result["observed_bad_rate"], 2),
            predicted=texts.percent(result["mean_predicted"], 2),
        ),
        say(N_("- AUC %(auc)s"), auc=auc)
        if change is None
        else say(
            N_("- AUC %(auc)s (training %(training)s, %(change)s)"),
            auc=auc,
            training=texts.fixed(result["training_auc"]),
            change=("+" if change >= 0 else "") + texts.fixed(change),
        ),
        say(
            N_("- Gini %(gini)s, KS %(ks)s, Brier %(brier)s, calibration gap %(gap)s"),
            gini=texts.fixed(result["gini"]),
            ks=texts.fixed(result["ks"]),
            brier=texts.fixed(result["brier"]),
            gap=texts.fixed(result["calibration_gap"]),
        ),
        "",
        _row(
            say(N_("group")),
            say(N_("rows")),
            say(N_("mean predicted")),
            say(N_("observed")),
        ),
        _rule(4),
        *(
            _row(
                r["group"],
                texts.number(r["rows"]),
                texts.percent(r["mean_predicted"], 2),
                texts.percent(r["observed_bad_rate"], 2),
            )
            for r in result["calibration"]
        ),
    ]
    return lines
