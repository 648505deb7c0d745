"""Fairness report: scores, favourable treatment, bad rate and AUC by protected group.

Flags (documented in docs/scoring.md):

- adverse impact ratio below 0.8: a group's favourable rate under four fifths of
  the most favoured group's (the "four-fifths rule", US Uniform Guidelines on
  Employee Selection Procedures, 29 CFR 1607.4(D), used in fair-lending reviews);
- AUC gap above 0.05: the model ranks a group's accounts clearly worse than the
  best-served group's (a project threshold, not a legal one);
- calibration gap above 0.05: the group's observed bad rate is more than five
  points away from its mean predicted probability (equal calibration across groups,
  Kleinberg, Mullainathan & Raghavan 2017; also a project threshold).

Groups smaller than ``min_rows`` are reported but never flagged: their rates are noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tideover.domain.errors import InputRejected
from tideover.i18n import N_, Wording
from tideover.scoring.scaling import FloatArray

FOUR_FIFTHS = 0.8
AUC_GAP = 0.05
CALIBRATION_GAP = 0.05
# Below this a group's bad rate has a standard error near 0.04 or more: too noisy to flag.
MIN_GROUP_ROWS = 100
AGE_BANDS: tuple[float, ...] = (25, 35, 45, 55)
_MAX_PLAIN_LEVELS = 12
MISSING = "(missing)"


def _band_labels(edges: Sequence[float]) -> list[str]:
    inner = [f"{a:g}-{b:g}" for a, b in pairwise(edges)]
    return [f"<{edges[0]:g}", *inner, f"{edges[-1]:g}+"]


def _banded(column: pd.Series, name: str) -> pd.Series:
    numbers = pd.to_numeric(column, errors="coerce")
    if "age" in name.lower():
        edges = list(AGE_BANDS)
    else:  # quintiles of the data itself
        edges = sorted(set(np.nanquantile(numbers, [0.2, 0.4, 0.6, 0.8]).tolist()))
    labels = np.asarray(_band_labels(edges), dtype=object)
    slots = np.searchsorted(np.asarray(edges), numbers.to_numpy(dtype=np.float64), side="right")
    result = pd.Series(labels[np.minimum(slots, len(edges))], index=column.index, dtype=object)
    result = result.where(numbers.notna(), MISSING)
    result.attrs["order"] = [*labels.tolist(), MISSING]  # bands in age order, not text order
    return result


def _plain(column: pd.Series) -> pd.Series:
    values = column.astype(object)
    if pd.api.types.is_float_dtype(column):  # 1.0 -> "1": a code read as float because of a gap
        values = pd.Series(
            [int(v) if pd.notna(v) and float(v).is_integer() else v for v in values],
            index=column.index,
            dtype=object,
        )
    return values.where(column.notna(), MISSING).astype(str)


def _one_hot(frame: pd.DataFrame, attribute: str, columns: list[str]) -> pd.Series:
    block = frame[columns].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy()
    several = block.sum(axis=1) > 1
    if several.any():
        raise InputRejected(
            N_(
                "one-hot columns of %(attribute)s (%(columns)s) have %(several)s rows "
                "with more than one 1"
            ),
            attribute=repr(attribute),
            columns=tuple(columns),
            several=int(several.sum()),
        )
    levels = np.asarray([c[len(attribute) + 1 :] for c in columns] + [MISSING], dtype=object)
    slots = np.where(block.sum(axis=1) > 0, block.argmax(axis=1), len(columns))
    return pd.Series(levels[slots], index=frame.index, dtype=object)


def group_labels(frame: pd.DataFrame, attribute: str) -> pd.Series:
    """The group of each row: the column's values, age bands, or the one-hot level set."""
    exact = [c for c in frame.columns if str(c).lower() == attribute.lower()]
    if exact:
        column = frame[exact[0]]
        if column.isna().all():
            raise InputRejected(
                N_("protected attribute column %(attribute)s is empty (no values)"),
                attribute=repr(attribute),
            )
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        if numeric and column.nunique() > _MAX_PLAIN_LEVELS:
            return _banded(column, attribute)
        return _plain(column)
    prefix = attribute.lower() + "_"
    one_hot = [c for c in frame.columns if str(c).lower().startswith(prefix)]
    if one_hot:
        return _one_hot(frame, attribute, one_hot)
    shown = ", ".join(map(str, list(frame.columns)[:20]))
    raise InputRejected(
        N_(
            "protected attribute %(attribute)s is not in the data, as a column or as "
            "one-hot columns %(name)s_* (columns: %(shown)s)"
        ),
        attribute=repr(attribute),
        name=attribute,
        shown=shown,
    )


def _order_key(value: str, order: list[str]) -> tuple[int, float, str]:
    """Bands in their own order, numbers by value, then text; missing last."""
    if value in order:
        return (0, float(order.index(value)), "")
    if value == MISSING:
        return (3, 0.0, "")
    try:
        return (1, float(value), "")
    except ValueError:
        return (2, 0.0, value)


def _ks(a: FloatArray, b: FloatArray) -> float:
    """Two-sample Kolmogorov-Smirnov distance between two score distributions."""
    if a.size == 0 or b.size == 0:
        return float("nan")
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / a.size
    cdf_b = np.searchsorted(b, grid, side="right") / b.size
    return float(np.max(np.abs(cdf_a - cdf_b)))


def _auc(y: npt.NDArray[np.float64], p: FloatArray) -> float | None:
    from sklearn.metrics import roc_auc_score

    if y.size == 0 or y.min() == y.max():
        return None
    return float(roc_auc_score(y, p))


def _group_row(
    rows: npt.NDArray[np.bool_],
    score: FloatArray,
    probability: FloatArray,
    outcome: FloatArray | None,
    cutoff: float,
) -> dict[str, Any]:
    s, p = score[rows], probability[rows]
    q25, q50, q75 = np.percentile(s, [25, 50, 75])
    row: dict[str, Any] = {
        "rows": int(rows.sum()),
        "score_mean": float(s.mean()),
        "score_quartiles": [float(q25), float(q50), float(q75)],
        "score_ks_vs_rest": _ks(s, score[~rows]),
        "mean_predicted": float(p.mean()),
        "favourable_rate": float((p < cutoff).mean()),
    }
    if outcome is not None:
        known = rows & ~np.isnan(outcome)
        y = outcome[known]
        row["rows_with_outcome"] = int(known.sum())
        row["bad_rate"] = float(y.mean()) if y.size else None
        row["calibration_gap"] = float(y.mean() - probability[known].mean()) if y.size else None
        row["auc"] = _auc(y, probability[known])
    return row


def _flag(row: dict[str, Any], code: str, why: Wording) -> None:
    row["flags"].append({"code": code, "en": why.en, "zh": why.zh})


def _compare(groups: dict[str, dict[str, Any]], min_rows: int) -> None:
    """Adverse impact ratios, AUC gaps and flags, against the best eligible group."""
    eligible = {k: g for k, g in groups.items() if g["rows"] >= min_rows}
    best_rate = max((g["favourable_rate"] for g in eligible.values()), default=0.0)
    aucs = [g["auc"] for g in eligible.values() if g.get("auc") is not None]
    best_auc = max(aucs, default=None)
    for name, g in groups.items():
        g["flags"] = []
        g["eligible"] = name in eligible
        g["adverse_impact_ratio"] = g["favourable_rate"] / best_rate if best_rate else None
        auc = g.get("auc")
        g["auc_gap"] = best_auc - auc if best_auc is not None and auc is not None else None
        if not g["eligible"]:
            continue
        air = g["adverse_impact_ratio"]
        if air is not None and air < FOUR_FIFTHS:
            _flag(
                g,
                "adverse_impact",
                Wording(N_("adverse impact ratio %(air)s < 0.8"), air=format(air, ".2f")),
            )
        if g["auc_gap"] is not None and g["auc_gap"] > AUC_GAP:
            _flag(
                g,
                "auc_gap",
                Wording(
                    N_("AUC %(auc_gap)s below the best group"), auc_gap=format(g["auc_gap"], ".3f")
                ),
            )
        gap = g.get("calibration_gap")
        if gap is not None and abs(gap) > CALIBRATION_GAP:
            _flag(
                g,
                "calibration_gap",
                Wording(N_("observed bad rate %(gap)s from predicted"), gap=format(gap, "+.3f")),
            )


def fairness(
    frame: pd.DataFrame,
    attributes: Sequence[str],
    *,
    score: FloatArray,
    probability: FloatArray,
    outcome: FloatArray | None = None,
    cutoff: float,
    min_rows: int = MIN_GROUP_ROWS,
) -> dict[str, Any]:
    """Per protected attribute, per group: scores, favourable rate, bad rate, AUC, flags.

    Favourable means a predicted probability of bad below ``cutoff``.
    """
    if not attributes:
        raise InputRejected(
            N_(
                "no protected attributes to report on: name them (--protected) or give "
                "data holding the attributes the model marked protected"
            ),
        )
    report: dict[str, Any] = {}
    for attribute in attributes:
        series = group_labels(frame, attribute)
        labels = series.to_numpy()
        order = series.attrs.get("order", [])
        names = sorted(set(labels.tolist()), key=lambda v: _order_key(v, order))
        if len(names) < 2:
            raise InputRejected(
                N_(
                    "protected attribute %(attribute)s has a single group (%(names)s) in the "
                    "data; there is nothing to compare"
                ),
                attribute=repr(attribute),
                names=repr(names[0]),
            )
        groups = {
            name: _group_row(labels == name, score, probability, outcome, cutoff) for name in names
        }
        _compare(groups, min_rows)
        flagged = [k for k, g in groups.items() if g["flags"]]
        report[attribute] = {"groups": groups, "flagged_groups": flagged}
    return report


def _fmt(value: Any, pattern: str) -> str:
    return (
        "-"
        if value is None or (isinstance(value, float) and np.isnan(value))
        else (format(value, pattern))
    )


# The columns of a group's table, left to right.
_COLUMNS = (
    N_("group"),
    N_("rows"),
    N_("mean score"),
    N_("median"),
    N_("KS vs rest"),
    N_("favourable"),
    N_("AIR"),
    N_("bad rate"),
    N_("predicted"),
    N_("AUC"),
    N_("AUC gap"),
    N_("flags"),
)


def markdown(report: dict[str, Any], language: str = "en") -> str:
    """The fairness report for people, in ``language``: one table per protected attribute
    (the flags are their codes, as the JSON report has them)."""

    def said(message: str, /, **values: object) -> str:
        return Wording(message, **values).in_language(language)

    inputs = report["model_inputs_protected"]
    lines = [
        said(N_("# Fairness: %(version)s"), version=report["model_version"]),
        "",
        said(
            N_("- rows: %(rows)s; favourable = predicted bad probability below %(cutoff)s"),
            rows=report["rows"],
            cutoff=format(report["cutoff"], ".2f"),
        ),
        said(
            N_(
                "- flags: adverse impact ratio < %(air)s (four-fifths rule, 29 CFR 1607.4(D)), "
                "AUC gap > %(auc_gap)s, |calibration gap| > %(calibration_gap)s; groups under "
                "%(min_rows)s rows are not flagged"
            ),
            air=FOUR_FIFTHS,
            auc_gap=AUC_GAP,
            calibration_gap=CALIBRATION_GAP,
            min_rows=report["min_rows"],
        ),
        said(
            N_("- protected attributes used as model inputs: %(attributes)s"),
            attributes=tuple(inputs) if inputs else Wording(N_("none")),
        ),
    ]
    header = " | ".join(said(column) for column in _COLUMNS)
    for attribute, result in report["attributes"].items():
        lines += ["", f"## {attribute}", "", f"| {header} |", "|---" * len(_COLUMNS) + "|"]
        for name, g in result["groups"].items():
            flags = ", ".join(f["code"] for f in g["flags"])
            flags = flags or ("" if g["eligible"] else said(N_("small group")))
            lines.append(
                f"| {name} | {g['rows']} | {g['score_mean']:.1f} | {g['score_quartiles'][1]:.1f} "
                f"| {_fmt(g['score_ks_vs_rest'], '.3f')} | {g['favourable_rate']:.1%} "
                f"| {_fmt(g['adverse_impact_ratio'], '.2f')} | {_fmt(g.get('bad_rate'), '.1%')} "
                f"| {g['mean_predicted']:.1%} | {_fmt(g.get('auc'), '.3f')} "
                f"| {_fmt(g.get('auc_gap'), '.3f')} | {flags} |"
            )
    return "\n".join(lines) + "\n"
