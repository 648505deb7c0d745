"""How the thresholds hold on texts of kinds the model has not seen.

    python -m tideover.compliance.textcheck.batches [--lang en] [--block 50] [--seeds ...]
        [--choices BUDGET:FLOOR ...]

The build's folds (``train.out_of_fold``) keep a row with its variants, but spread the rows
written together over every fold, so a held fold's lawful rows are of kinds the model has
seen.  The held-out split was written apart, and there lawful texts score higher.  Here
the rows are grouped by the batch they were written in as well (blocks of ``--block``
consecutive base ids, a variant with its row), and the thresholds are judged as the
held-out split judges them: for each batch fold, thresholds are chosen on the *other*
folds' rows only and applied to the held fold's scores, which come from a model that saw
none of its batches.  Each way of choosing thresholds (``METHODS``) is judged so:

- ``row``: on the build's out-of-fold scores, as ``train.build`` does;
- ``batch``: on the batch folds' out-of-fold scores.

For each fold assignment (the fixed one and shuffled ones, ``--seeds``) it prints, per
method and per budget and greedy-step floor (``--choices``, the build's by default), the
abusive rows blocked (recall, the lexicon included), the lawful rows blocked
and the share of the weakest categories' rows blocked.  ``--rows FILE`` writes, for the
first assignment and the first method and choice, the rows behind those figures: each
abusive row let through and each lawful row blocked, with its highest unit score, one
JSON object a line.  Reads the training split only and writes no model (the English word
list is rewritten from it, as the build does).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tideover.compliance.textcheck import train
from tideover.compliance.textcheck.corpus import LEARNED

METHODS = ("row", "batch")
WATCHED = ("threat", "false_legal", "impersonation", "pressure_borrow_sell")


@dataclass(frozen=True, slots=True)
class Judged:
    """One method's figures over every held batch fold."""

    recall: float
    lawful_blocked: int
    lawful: int
    categories: dict[str, float]
    # per row of the language, in the training split's order: blocked, and the highest
    # unit score of the model that saw none of its batch
    blocked: np.ndarray = field(repr=False)
    top: np.ndarray = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "recall_with_lexicon": round(self.recall, 4),
            "lawful_blocked": self.lawful_blocked,
            "false_positive_rate": round(self.lawful_blocked / self.lawful, 4),
            "blocked": {c: round(v, 4) for c, v in self.categories.items()},
        }


def judge(
    data: train.Training,
    lang: str,
    block: int,
    seed: int | None,
    choices: dict[str, tuple[float, float]],
    settings: train.Settings | None = None,
) -> dict[str, Judged]:
    """Figures on one fold assignment (see the module's text) of each method with each
    choice of ``choices``: a name for a language's budget (share of lawful rows) and floor
    of the greedy steps.  Keys are ``<method> <name>``."""
    from sklearn.model_selection import GroupKFold

    settings = settings or train.SETTINGS[lang]
    mine = np.flatnonzero(data.langs == lang)
    rows = [data.rows[i] for i in mine]
    texts = [data.texts[i] for i in mine]
    y, lexicon, groups = data.y[mine], data.lexicon[mine], data.groups[mine]
    firm, unconfirmable = data.firm[mine], data.unconfirmable[mine]
    batches = train._groups(rows, block)
    scores = {
        "row": train.out_of_fold("logistic", texts, y, train._groups(rows), settings, seed),
        "batch": train.out_of_fold("logistic", texts, y, batches, settings, seed),
    }
    silent = data.silent[mine]
    for s in scores.values():
        s[silent] = 0.0  # the classifier does not read them at run time
    confirmation = train.LEXICON_CONFIRMATION.get(lang)
    folds = GroupKFold(n_splits=5, shuffle=seed is not None, random_state=seed)
    keys = [(method, name) for method in METHODS for name in choices]
    blocked = {key: np.zeros(len(rows), dtype=bool) for key in keys}
    for fit, held in folds.split(texts, y, batches):
        fit_rows = [rows[i] for i in fit]
        for method, name in keys:
            budget, floor = choices[name]
            cut = train.thresholds_for(
                scores[method][fit],
                fit_rows,
                train.confirmed(
                    lexicon[fit], firm[fit], scores[method][fit], unconfirmable[fit], confirmation
                ),
                groups[fit],
                train.FPR_TARGET | {lang: budget},
                train.STEP_FLOOR | {lang: floor},
            )
            held_scores = scores["batch"][held]
            found = train.predictions(held_scores, cut, groups[held]).any(axis=1)
            stands = train.confirmed(
                lexicon[held], firm[held], held_scores, unconfirmable[held], confirmation
            )
            blocked[method, name][held] = found | stands
    lawful = np.array([row.lawful for row in rows])
    top = scores["batch"].max(axis=1)  # the same for every method and choice
    out: dict[str, Judged] = {}
    for (method, name), hit in blocked.items():
        categories = {
            c: float(hit[y[:, LEARNED.index(c)] == 1].mean())
            for c in WATCHED
            if (y[:, LEARNED.index(c)] == 1).any()
        }
        out[f"{method} {name}"] = Judged(
            float(hit[~lawful].mean()),
            int(hit[lawful].sum()),
            int(lawful.sum()),
            categories,
            hit,
            top,
        )
    return out


def mistakes(data: train.Training, lang: str, judged: Judged) -> list[dict[str, Any]]:
    """The rows behind ``judged``: abusive rows let through and lawful rows blocked."""
    rows = [row for row in data.rows if row.lang == lang]
    return [
        {
            "id": row.id,
            "mistake": "blocked" if row.lawful else "let through",
            "categories": list(row.categories),
            "top_score": round(float(top), 3),
            "text": row.text,
        }
        for row, hit, top in zip(rows, judged.blocked, judged.top, strict=True)
        if hit == row.lawful
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en", choices=("zh", "en"))
    parser.add_argument("--block", type=int, default=50, help="ids per writing batch")
    parser.add_argument(
        "--seeds",
        nargs="*",
        default=["fixed", "1", "2"],
        help="fold assignments: 'fixed' or a shuffling seed",
    )
    parser.add_argument(
        "--choices",
        nargs="*",
        default=[],
        metavar="BUDGET:FLOOR",
        help="budgets and floors to judge (default: the build's)",
    )
    parser.add_argument(
        "--rows",
        type=Path,
        metavar="FILE",
        help="write the first assignment's mistakes (first method and choice) here",
    )
    args = parser.parse_args(argv)
    lang = args.lang
    choices = {c: (float(c.split(":")[0]), float(c.split(":")[1])) for c in args.choices} or {
        "build": (train.FPR_TARGET[lang], train.STEP_FLOOR[lang])
    }
    data = train.read_training()
    results: dict[str, dict[str, Any]] = {}
    for name in args.seeds:
        seed = None if name == "fixed" else int(name)
        judged = judge(data, lang, args.block, seed, choices)
        results[name] = {key: j.as_dict() for key, j in judged.items()}
        if args.rows and name == args.seeds[0]:
            lines = mistakes(data, lang, next(iter(judged.values())))
            args.rows.write_text(
                "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), "utf-8"
            )
        print(name, json.dumps(results[name]), file=sys.stderr)
    means = {
        key: {
            figure: round(float(np.mean([results[n][key][figure] for n in results])), 4)
            for figure in ("recall_with_lexicon", "lawful_blocked", "false_positive_rate")
        }
        for key in results[args.seeds[0]]
    }
    print(json.dumps({"assignments": results, "mean": means}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
