"""``tideover compliance text-eval`` and ``text-check``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tideover.cli.main import run
from tideover.compliance.textcheck.corpus import load_corpus
from tideover.compliance.textcheck.report import judge_for
from tideover.compliance.textcheck.verdict import CLASSIFIER, LEXICON


def small_corpus(path: Path) -> Path:
    """A few held-out rows of each kind, as a corpus file of its own."""
    rows = load_corpus("heldout", "zh")
    picked = [r for r in rows if r.lawful][:5] + [r for r in rows if not r.lawful][:5]
    path.write_text(
        "".join(json.dumps(r.as_dict(), ensure_ascii=False) + "\n" for r in picked), "utf-8"
    )
    return path


def test_text_eval_prints_figures_per_category_and_writes_the_confusion_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    confusion = tmp_path / "confusion.md"
    corpus = small_corpus(tmp_path / "corpus.jsonl")
    code = run(["compliance", "text-eval", "--corpus", str(corpus), "--confusion", str(confusion)])
    out = capsys.readouterr().out
    assert code == 0
    assert "threat" in out
    assert "false-positive rate" in out
    assert "recall" in out
    tables = confusion.read_text("utf-8")
    assert "| written \\ found |" in tables
    assert "## zh" in tables


def test_text_eval_json_has_precision_recall_f1_and_the_false_positive_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = small_corpus(tmp_path / "corpus.jsonl")
    code = run(
        [
            "compliance",
            "text-eval",
            "--corpus",
            str(corpus),
            "--confusion",
            str(tmp_path / "c.md"),
            "--json",
        ]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    zh = result["languages"]["zh"]
    assert (zh["abusive"], zh["lawful"]) == (5, 5)
    assert set(zh["micro"]) == {"precision", "recall", "f1", "support"}
    assert 0.0 <= zh["false_positive_rate"] <= 1.0


def test_each_detector_alone_reports_its_own_findings() -> None:
    """``--detectors classifier`` and ``--detectors lexicon`` each measure one detector."""
    rows = [r for r in load_corpus("train", "en") if not r.lawful and not r.variant][:60]
    for detectors, name in (("classifier", CLASSIFIER), ("lexicon", LEXICON)):
        judge = judge_for(detectors)
        found = [judge(row.text).findings for row in rows]
        assert sum(bool(f) for f in found) >= 10, detectors
        assert {finding.detector for f in found for finding in f} == {name}
    # the model has learned its own training rows: alone it finds nearly all of them
    classifier = judge_for("classifier")
    assert sum(bool(classifier(row.text).findings) for row in rows) >= 50


def test_text_check_blocks_and_explains(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["compliance", "text-check", "你个老賴，小心我弄s你"])
    out = capsys.readouterr().out
    assert code == 1
    assert "threat (lexicon, 1.00)" in out
    assert "«弄s你»" in out


def test_text_check_passes_a_lawful_message(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["compliance", "text-check", "Your payment of $120 is due on Friday.", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["blocked"] is False
    assert result["complete"] is True


def test_text_check_reads_a_file_and_refuses_invalid_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "message.txt"
    bad.write_bytes("再不还钱".encode() + b"\xc3\x28")
    code = run(["compliance", "text-check", "--file", str(bad)])
    err = capsys.readouterr().err
    assert code == 1
    assert "text_not_utf8" in err
    assert "nothing was checked" in err


def test_text_check_says_what_was_not_checked(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["compliance", "text-check", "Оплатите сегодня", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1
    assert result["language"] == "unknown"
    assert [u["detail"] for u in result["unchecked"]] == ["Cyrillic", "Cyrillic"]
