"""Build the learned detector from the training split (``make text-model``).

    python -m tideover.compliance.textcheck.train [--compare]

1. ``data/words-en.txt`` (the English words a leet token may stand for) is rebuilt
   from the training rows and the lexicon, so normalisation knows them.
2. Every training row is normalised exactly as at run time, and its features counted.
3. Five-fold cross-validation, grouped so that a row and its variants fall in the
   same fold, gives out-of-fold scores; thresholds are chosen per language so that
   the lexicon and the model together block at most ``FPR_TARGET`` of lawful rows.
   ``--compare`` also cross-validates the other candidate models and prints them.
4. The chosen model is fitted on the whole training split and written as plain arrays
   (``model/text-model.npz``) with its card (``model/text-model.json``): classes,
   thresholds, feature settings, cross-validation figures and a fingerprint of the
   training data.  The held-out split is never read here.

Only this build step needs scikit-learn's estimators; scoring at run time is numpy.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from tideover.compliance.textcheck.corpus import LEARNED, Row, load_corpus
from tideover.compliance.textcheck.features import FeatureConfig, english_words, features
from tideover.compliance.textcheck.model import _HAN, ANY, SHORT, SHORT_HAN, long_enough

HERE = Path(__file__).parent
Doc = tuple[str, list[int]]  # normalised text and the origin of each character
FEATURES = FeatureConfig(
    ngram_min=2,
    ngram_max=4,
    syllables=False,
    words=True,
    concepts=True,
    frames=True,
    negation=True,
)
CLASSES = (*LEARNED, ANY)
FPR_TARGET = 0.005  # out-of-fold share of lawful rows blocked, per language (lexicon too)
# Lawful short Chinese rows (``model.SHORT_HAN``) blocked out of fold by the short texts'
# thresholds: none.  On the same folds, zh recall with the lexicon 0.9708 with none and
# with one (the 0.5 % rule), false positives 0.42 % against 0.48 %.
SHORT_BUDGET = 0
GROUPS = ("zh", SHORT, "en")
THRESHOLD_RANGE = (0.2, 0.99)
C = 8.0  # inverse regularisation of the logistic units
MIN_DF = 2
# English words and word pairs weigh this many times their inverse document frequency,
# so that the few words of a sentence count against its hundred letter n-grams (the
# scaled IDF is what the artefact stores: scoring at run time is unchanged)
WORD_WEIGHT = 3.0
# English frames and their pairs (``data/frames.yaml``) weigh this many times their inverse
# document frequency: on the same folds, English recall with the lexicon 0.734 at 1, 0.769
# at 3, 0.774 at 6 and 0.758 at 10 (Chinese texts have no frames)
FRAME_WEIGHT = 6.0
SEED = 20261128


def write_word_list(rows: list[Row]) -> int:
    """English words of the training rows and the lexicon, one a line."""
    import yaml

    words: set[str] = set()
    for row in rows:
        if row.lang == "en" and row.variant in ("", "hand"):
            words.update(w.lower() for w in re.findall(r"[A-Za-z]{2,}", row.text))
    lexicon = yaml.safe_load((HERE.parent / "packs" / "lexicon.yaml").read_text("utf-8"))
    for spec in lexicon["categories"].values():
        for term in spec.get("terms", []):
            words.update(w.lower() for w in re.findall(r"[A-Za-z]{2,}", str(term)))
    (HERE / "data" / "words-en.txt").write_text("\n".join(sorted(words)) + "\n", "utf-8")
    return len(words)


def _reset_caches() -> None:
    from tideover.compliance.textcheck import evasions, normalise

    evasions.evasions.cache_clear()
    evasions._letters_in_leet.cache_clear()
    for cache in normalise._PIECES.values():
        cache.clear()


def _analyzer(doc: Doc) -> list[str]:
    return features(doc[0], doc[1], FEATURES)


def _vectoriser(texts: list[Doc]) -> Any:
    """TF-IDF over the features of ``texts``, English words weighted by ``WORD_WEIGHT``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from tideover.compliance.textcheck.features import FRAME_MARK, WORD_MARK

    vectoriser = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, min_df=MIN_DF)
    vectoriser.fit(texts)
    names = vectoriser.get_feature_names_out()
    marks = {WORD_MARK: WORD_WEIGHT, FRAME_MARK: FRAME_WEIGHT}
    weight = np.array([marks.get(str(n)[:1], 1.0) for n in names])
    vectoriser.idf_ = vectoriser.idf_ * weight
    return vectoriser


def _groups(rows: list[Row]) -> list[str]:
    return [row.source or row.id for row in rows]


def _targets(rows: list[Row]) -> np.ndarray:
    return np.array(
        [[c in row.categories for c in LEARNED] + [not row.lawful] for row in rows], dtype=int
    )


def _make(kind: str) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVC

    if kind == "logistic":
        return OneVsRestClassifier(
            LogisticRegression(C=C, class_weight="balanced", max_iter=2000, solver="liblinear")
        )
    if kind == "linear-svm":
        return OneVsRestClassifier(LinearSVC(C=0.5, class_weight="balanced"))
    raise ValueError(kind)


def _probabilities(model: Any, x: Any) -> np.ndarray:
    if hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(x))
    margins = np.asarray(model.decision_function(x), dtype=float)
    return np.asarray(1.0 / (1.0 + np.exp(-margins)))


def out_of_fold(kind: str, texts: list[Doc], y: np.ndarray, groups: list[str]) -> np.ndarray:
    """Scores of every row by a model that did not see its group."""
    from sklearn.model_selection import GroupKFold

    scores = np.zeros(y.shape, dtype=float)
    for fit, held in GroupKFold(n_splits=5).split(texts, y, groups):
        vectoriser = _vectoriser([texts[i] for i in fit])
        x_fit = vectoriser.transform([texts[i] for i in fit])
        if kind == "gradient-boosting":
            scores[held] = _boosted_scores(
                x_fit, y[fit], vectoriser.transform([texts[i] for i in held])
            )
            continue
        model = _make(kind).fit(x_fit, y[fit])
        scores[held] = _probabilities(model, vectoriser.transform([texts[i] for i in held]))
    return scores


def _boosted_scores(x_fit: Any, y_fit: Any, x_held: Any) -> np.ndarray:
    import lightgbm

    out = np.zeros((x_held.shape[0], y_fit.shape[1]))
    for k in range(y_fit.shape[1]):
        booster = lightgbm.LGBMClassifier(
            n_estimators=200, learning_rate=0.1, num_leaves=15, min_child_samples=5, verbose=-1
        )
        booster.fit(x_fit.astype(np.float32), y_fit[:, k])
        probabilities = np.asarray(booster.predict_proba(x_held.astype(np.float32)))
        out[:, k] = probabilities[:, 1]
    return out


def threshold_groups(rows: list[Row], texts: list[Doc]) -> np.ndarray:
    """Each row's thresholds: ``en``, ``zh``, or ``zh-short`` for a Chinese row of at most
    ``SHORT_HAN`` characters as the classifier reads it."""
    han = np.array([len(_HAN.findall(text)) for text, _ in texts])
    zh = np.array([row.lang == "zh" for row in rows])
    return np.where(zh, np.where(han <= SHORT_HAN, SHORT, "zh"), "en")


def unread(texts: list[Doc]) -> np.ndarray:
    """Rows too short for the classifier to read at run time (``model.long_enough``)."""
    return np.array(
        [
            not long_enough(len(_HAN.findall(text)), english_words(text, origin))
            for text, origin in texts
        ]
    )


def thresholds_for(
    scores: np.ndarray, rows: list[Row], lexicon: np.ndarray, groups: np.ndarray
) -> dict[str, dict[str, float]]:
    """Per group (``GROUPS``), thresholds that catch the most abusive rows within the
    false-positive budget.

    On out-of-fold scores, in two steps.  First one threshold for every unit: the lowest
    at which the lexicon and the model together block no more than ``FPR_TARGET`` of the
    lawful rows (``SHORT_BUDGET`` rows of the short Chinese ones).  Then, from there,
    greedily: repeatedly lower the one unit's threshold that catches the next abusive
    row(s) for the fewest new false positives, while the budget holds.  Started from
    silent units instead, the greedy steps stop early (each looks one row ahead, and one
    lawful row can bar a unit's way), catching fewer rows with nine thresholds fitted to
    the folds than the one shared threshold does.
    """
    chosen: dict[str, dict[str, float]] = {}
    for group in GROUPS:
        mine = groups == group
        s = scores[mine]
        lawful = np.array([row.lawful for row in rows])[mine]
        lex = lexicon[mine]
        budget = SHORT_BUDGET if group == SHORT else int(FPR_TARGET * lawful.sum())
        limits = np.full(len(CLASSES), _shared_threshold(s, lawful, lex, budget))
        while True:
            flagged = (s >= limits).any(axis=1) | lex
            fp_now = int((flagged & lawful).sum())
            best: tuple[float, int, float] | None = None
            for k in range(len(CLASSES)):
                waiting = s[~flagged & ~lawful, k]
                below = waiting[waiting < limits[k]]
                if not below.size:
                    continue
                step = max(float(below.max()), THRESHOLD_RANGE[0])
                trial = limits.copy()
                trial[k] = step
                hit = (s >= trial).any(axis=1) | lex
                gained = int((hit & ~lawful).sum() - (flagged & ~lawful).sum())
                cost = int((hit & lawful).sum()) - fp_now
                if gained <= 0 or fp_now + cost > budget:
                    continue
                value = gained / (cost + 0.5)
                if best is None or value > best[0]:
                    best = (value, k, step)
            if best is None:
                break
            limits[best[1]] = best[2]
        # rounded up, so a rounded threshold never blocks a row the exact one let through
        chosen[group] = {c: math.ceil(float(limits[k]) * 1e4) / 1e4 for k, c in enumerate(CLASSES)}
    return chosen


def _shared_threshold(s: np.ndarray, lawful: np.ndarray, lex: np.ndarray, budget: int) -> float:
    """The lowest threshold, the same for every unit, within the false-positive budget."""
    top = s.max(axis=1)
    allowed = budget - int((lex & lawful).sum())
    # lawful rows the lexicon lets through, by their highest unit score
    free = np.sort(top[lawful & ~lex])[::-1]
    if allowed < 0 or not free.size:
        return THRESHOLD_RANGE[1]
    # just above the lawful row that would be one too many
    limit = float(np.nextafter(free[allowed], 1.0)) if allowed < free.size else 0.0
    return min(max(limit, THRESHOLD_RANGE[0]), THRESHOLD_RANGE[1])


def summarise(
    scores: np.ndarray,
    y: np.ndarray,
    rows: list[Row],
    cut: dict[str, dict[str, float]],
    lexicon: np.ndarray,
    groups: np.ndarray,
) -> dict[str, Any]:
    """Out-of-fold figures: the classifier alone, and with the lexicon, per language; and
    the short Chinese rows' (``SHORT``)."""
    lawful = np.array([row.lawful for row in rows])
    langs = np.array([row.lang for row in rows])
    limits = np.array([[cut[g][c] for c in CLASSES] for g in groups])
    predicted: np.ndarray = np.asarray(scores >= limits)
    flagged: np.ndarray = np.asarray(predicted.any(axis=1))
    predicted = predicted[:, : len(LEARNED)]
    abusive: np.ndarray = ~lawful
    both: np.ndarray = flagged | lexicon
    by_language = {
        lang: {
            "recall_classifier": round(float(flagged[abusive & (langs == lang)].mean()), 4),
            "recall_with_lexicon": round(float(both[abusive & (langs == lang)].mean()), 4),
            "false_positive_rate_with_lexicon": round(
                float(both[lawful & (langs == lang)].mean()), 4
            ),
        }
        for lang in ("zh", "en")
    }
    short = groups == SHORT
    by_language[SHORT] = {
        "lawful_rows": int((short & lawful).sum()),
        "lawful_blocked_with_lexicon": int((both & short & lawful).sum()),
        "abusive_rows": int((short & abusive).sum()),
        "abusive_blocked_with_lexicon": int((both & short & abusive).sum()),
    }
    per = {}
    for k, category in enumerate(LEARNED):
        tp = int((predicted[:, k] & (y[:, k] == 1)).sum())
        fp = int((predicted[:, k] & (y[:, k] == 0)).sum())
        fn = int((~predicted[:, k] & (y[:, k] == 1)).sum())
        per[category] = {
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        }
    return {
        "recall_abusive": round(float(flagged[abusive].mean()), 4),
        "false_positive_rate": round(float(flagged[lawful].mean()), 4),
        "by_language": by_language,
        "per_category": per,
    }


def classifier_input(text: str) -> Doc:
    """What the classifier reads of ``text`` at run time (the checker's own view)."""
    from tideover.compliance.text import _classifier_view
    from tideover.compliance.textcheck.normalise import normalise_text

    normalised = normalise_text(text)
    return _classifier_view(text, normalised.text, normalised.origin)


def _lexicon_flags(rows: list[Row]) -> np.ndarray:
    """Whether the lexicon alone blocks each row (for the combined figures)."""
    from tideover.compliance.text import MessageChecker, default_lexicon

    checker = MessageChecker(default_lexicon())
    return np.array([bool(checker.verdict(row.text).categories & row.blocking) for row in rows])


def fingerprint(rows: list[Row]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row.as_dict(), ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()


def build(compare: bool) -> dict[str, Any]:
    rows = load_corpus("train")
    words = write_word_list(rows)
    _reset_caches()
    texts = [classifier_input(row.text) for row in rows]
    y = _targets(rows)
    lawful = np.array([row.lawful for row in rows])
    lexicon = _lexicon_flags(rows)
    groups = threshold_groups(rows, texts)
    silent = unread(texts)
    comparison: dict[str, Any] = {}
    kinds = ["logistic", "linear-svm", "gradient-boosting"] if compare else ["logistic"]
    for kind in kinds:
        oof = out_of_fold(kind, texts, y, _groups(rows))
        oof[silent] = 0.0  # the classifier does not read them at run time
        cut = thresholds_for(oof, rows, lexicon, groups)
        comparison[kind] = summarise(oof, y, rows, cut, lexicon, groups) | {"thresholds": cut}
        print(kind, json.dumps(comparison[kind]["by_language"]), file=sys.stderr)
    chosen = comparison["logistic"]
    vectoriser = _vectoriser(texts)
    x = vectoriser.transform(texts)
    model = _make("logistic").fit(x, y)
    weights = np.column_stack([e.coef_.ravel() for e in model.estimators_]).astype(np.float32)
    bias = np.array([e.intercept_[0] for e in model.estimators_], dtype=np.float32)
    vocab = vectoriser.get_feature_names_out()
    keep = np.abs(weights).max(axis=1) >= 1e-3  # drop features the model gave no weight
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        vocab=np.asarray(vocab[keep], dtype=str),
        idf=vectoriser.idf_[keep].astype(np.float32),
        # half precision keeps the artefact under 2 MB; scoring reads it as float64 (over
        # the training rows a score moved by 0.0002 at most and no decision changed)
        weights=weights[keep].astype(np.float16),
        bias=bias,
    )
    data = buffer.getvalue()
    (HERE / "model").mkdir(exist_ok=True)
    (HERE / "model" / "text-model.npz").write_bytes(data)
    card = {
        "version": hashlib.sha256(data).hexdigest()[:16],
        "model": "one-vs-rest logistic regression over TF-IDF character n-grams",
        "classes": list(CLASSES),
        "thresholds": chosen["thresholds"],
        "short_han": SHORT_HAN,
        "features": FEATURES.as_dict(),
        "vocabulary": int(keep.sum()),
        "training": {
            "rows": len(rows),
            "lawful": int(lawful.sum()),
            "abusive": int((~lawful).sum()),
            "fingerprint": fingerprint(rows),
            "english_words": words,
            "regularisation_c": C,
            "min_df": MIN_DF,
            "english_word_weight": WORD_WEIGHT,
            "english_frame_weight": FRAME_WEIGHT,
            "false_positive_target": FPR_TARGET,
            "short_false_positive_budget": SHORT_BUDGET,
        },
        "cross_validation": comparison,
    }
    (HERE / "model" / "text-model.json").write_text(
        json.dumps(card, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    return card


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true", help="also cross-validate other models")
    args = parser.parse_args(argv)
    card = build(args.compare)
    print(json.dumps({k: card[k] for k in ("version", "vocabulary", "thresholds")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
