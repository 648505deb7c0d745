"""One verdict from two detectors: categories, detector, score, span; what was not checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tideover.compliance import ActorRole, Channel, Target, load_pack
from tideover.compliance.gate import check_message
from tideover.compliance.lint import lint
from tideover.compliance.text import (
    MessageChecker,
    default_checker,
    default_lexicon,
    normalise,
    verdict_for,
)
from tideover.compliance.textcheck.model import (
    MODEL_NPZ,
    TextClassifier,
    _package_file,
    default_classifier,
)
from tideover.compliance.textcheck.report import TextNotUtf8, decode
from tideover.compliance.textcheck.verdict import (
    CLASSIFIER,
    LEXICON,
    UNCHECKED_LENGTH,
    UNCHECKED_SCRIPT,
)
from tideover.policy import load_policy

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "tideover" / "policy" / "examples"

# Abusive paraphrases that no lexicon term or pattern matches: only the model finds them.
PARAPHRASES = [
    ("你的那些好友，很快都会收到一份关于你的说明。", "zh"),
    ("We have your sister's number and she's about to hear everything.", "en"),
]


def test_the_lexicon_finding_has_its_words_and_score_one() -> None:
    verdict = verdict_for("再不还钱，小心我弄死你")
    (finding,) = [f for f in verdict.findings if f.category == "threat"]
    assert (finding.detector, finding.score, finding.matched) == (LEXICON, 1.0, "弄死你")
    assert finding.en
    assert finding.zh


@pytest.mark.parametrize(("text", "lang"), PARAPHRASES)
def test_the_classifier_catches_what_the_lexicon_misses(text: str, lang: str) -> None:
    assert not MessageChecker(default_lexicon()).verdict(text).findings
    verdict = verdict_for(text)
    assert verdict.language == lang
    learned = [f for f in verdict.findings if f.detector == CLASSIFIER]
    assert learned, verdict
    finding = learned[0]
    assert 0.0 < finding.score <= 1.0
    assert finding.matched == text[finding.start : finding.end]
    assert verdict.model_version == default_classifier().version  # type: ignore[union-attr]


def test_a_category_the_lexicon_found_is_not_repeated_by_the_classifier() -> None:
    verdict = verdict_for("We know where you live. Be careful walking home at night.")
    threats = [f for f in verdict.findings if f.category == "threat"]
    assert threats
    assert {f.detector for f in threats} == {LEXICON}


def test_the_classifier_span_is_the_sentence_that_carries_the_finding() -> None:
    text = "您本期账单已出。你的那些好友，很快都会收到一份关于你的说明，大家都会知道你是什么人。"
    (finding,) = [f for f in verdict_for(text).findings if f.detector == CLASSIFIER]
    assert "好友" in finding.matched
    assert "账单" not in finding.matched


@pytest.mark.parametrize(
    "text",
    [
        # rights statements and lawful notice of legal action name courts and lawyers
        "您有权对欠款金额提出异议；如双方无法协商一致，我司可能依法向人民法院起诉。",
        "If we cannot resolve this account, we may ask a court to decide; only a court can "
        "order garnishment after a judgment.",
        # warnings about scammers posing as the police or asking for personal accounts
        "如有人自称派出所民警要求您转账还款，请立即挂断并拨打110核实。",
        "Scam alert: people posing as police officers may call demanding payment. Hang up.",
        "请通过官方渠道还款，切勿向任何个人账户转账。",
        # the borrower's own words quoted back in a complaint reply
        "您反映催收员称“明天就去你家门口等你”，我们已对该员工停职处理。",
        'You told us the caller said he would "tell your boss". That is against our policy.',
        # a collector code of conduct lists what is forbidden
        "催收人员不得冒充公检法人员，不得以告知单位或家人相威胁。",
    ],
)
def test_lawful_texts_that_use_risky_words_pass(text: str) -> None:
    verdict = verdict_for(text)
    blocking = {"threat", "insult", "impersonation", "false_legal", "notify_contacts"}
    assert not verdict.blocking(blocking | {"personal_account", "pressure_borrow_sell"})


def test_empty_text_says_there_was_nothing_to_check() -> None:
    verdict = verdict_for("")
    assert (verdict.findings, verdict.unchecked, verdict.language) == ((), (), "none")
    assert verdict.complete
    assert "nothing to check" in verdict.summary("en")
    assert "没有可检查的内容" in verdict.summary("zh")


def test_an_unknown_script_is_reported_unchecked_never_passed_silently() -> None:
    text = "Hello. Мы знаем, где ты живёшь."
    verdict = verdict_for(text)
    assert not verdict.complete
    assert {u.reason for u in verdict.unchecked} == {UNCHECKED_SCRIPT}
    assert all(u.detail == "Cyrillic" for u in verdict.unchecked)
    assert verdict.blocked(frozenset())
    summary = verdict.summary("en")
    assert "Cyrillic" in summary
    assert "not checked" in summary


def test_the_gate_blocks_a_message_with_an_unchecked_part() -> None:
    findings = check_message("您好，ありがとうございます", load_pack("CN"))
    assert findings
    assert {f.category for f in findings} == {UNCHECKED_SCRIPT}
    assert "CN-LANG" in findings[0].rule_ids


def test_a_long_text_is_read_whole_and_beyond_the_limit_reported() -> None:
    filler = "您本期账单已出，请按时还款。" * 8000  # about 112,000 characters
    text = filler + "再不还钱，小心我弄死你。"
    verdict = verdict_for(text)
    assert len(text) >= 100_000
    assert verdict.complete
    assert any(f.category == "threat" and f.start > 100_000 for f in verdict.findings)
    short = MessageChecker(default_lexicon(), max_chars=1000)
    capped = short.verdict(text)
    (part,) = capped.unchecked
    assert (part.reason, part.start, part.end) == (UNCHECKED_LENGTH, 1000, len(text))
    assert capped.blocked(frozenset())


def test_invalid_utf8_is_refused_with_a_coded_error_saying_nothing_was_checked() -> None:
    with pytest.raises(TextNotUtf8) as caught:
        decode("再不还钱".encode() + b"\xff\xfe", "message.txt")
    assert caught.value.code == "text_not_utf8"
    assert "nothing was checked" in caught.value.message("en")
    assert "未做任何检查" in caught.value.message("zh")
    assert "byte 12" in caught.value.message("en")


def test_the_gate_names_the_classifier_and_its_score() -> None:
    text, _ = PARAPHRASES[1]
    findings = check_message(
        text, load_pack("US"), channel=Channel.SMS, actor=ActorRole.AGENCY, target=Target.DEBTOR
    )
    learned = [f for f in findings if "learned classifier" in f.en]
    assert learned
    assert "学习模型" in learned[0].zh


def test_a_policy_template_goes_through_the_same_checker() -> None:
    texts = {"sms_overdue_firm": PARAPHRASES[0][0]}
    report = lint(load_policy(EXAMPLES / "aggressive.yaml"), [load_pack("CN")], templates=texts)
    assert any(f.rule_id == "CN-LANG" for f in report.blocking)


def test_the_shipped_checker_is_built_once() -> None:
    assert default_checker() is default_checker()
    assert default_classifier() is default_classifier()


@pytest.mark.parametrize(
    "text",
    [
        # a sender's own heading before a quotation is not reported speech
        'Our statement: "We will tell your employer about your debt and you will go to jail."',
        'A few remarks: "We will tell your employer about your debt and you will go to jail."',
        "用语提醒：“明天去你单位找你领导，让全公司都知道你欠钱，等着坐牢吧。”",
        # a bare "Don't:" opening a message is no rule that lists what must not be done
        "不要：再拖了，明天就联系你家人和单位，让你坐牢。",
        "Don't: ignore this. You will go to jail and we will call your boss tomorrow.",
    ],
)
def test_a_heading_or_a_bare_prohibition_does_not_hide_the_senders_own_words(text: str) -> None:
    lexicon_only = MessageChecker(default_lexicon(), classifier=None)
    found = {f.category for f in lexicon_only.verdict(text).findings}
    assert {"false_legal", "notify_contacts"} <= found


def test_a_rule_that_names_whom_it_binds_lists_what_must_not_be_said() -> None:
    rule = (
        "Staff must not: threaten arrest; tell the borrower's employer; "
        "ask for payment to a personal account."
    )
    assert not verdict_for(rule).findings


@pytest.mark.parametrize("text", ["欧阳中华", "司马长风", "上官飞燕"])
def test_a_text_the_model_knows_nothing_of_is_not_judged_by_its_priors(text: str) -> None:
    # a name alone (a rendered message's free value is checked alone): none of its
    # n-grams is in the vocabulary, so every unit would score its prior; with thresholds
    # below the priors (the model of 2026-12-07 had the abusive unit's above its Chinese
    # threshold) the classifier must still say nothing
    shipped = default_classifier()
    assert shipped is not None
    norm, origin = normalise(text)
    assert not shipped.feature_rows(norm, [])
    prior = shipped.scores(norm, origin)
    card = dict(shipped.card)
    below = float(prior.max()) - 0.01
    if "languages" in card:  # one model per language
        card["languages"] = {
            lang: spec
            | {"thresholds": {g: dict.fromkeys(shipped.classes, below) for g in spec["thresholds"]}}
            for lang, spec in shipped.card["languages"].items()
        }
    else:
        card["thresholds"] = {g: dict.fromkeys(shipped.classes, below) for g in shipped.thresholds}
    with _package_file(MODEL_NPZ).open("rb") as handle:
        arrays = dict(np.load(handle, allow_pickle=False))
    eager = TextClassifier(arrays, card)
    assert (eager.scores(norm, origin) >= eager.thresholds[eager.group(len(text))]).any()
    assert not eager.detect(text, norm, origin)
    assert not shipped.detect(text, norm, origin)
    assert not verdict_for(text).findings
