"""Templates in the sandbox, Babel's formats, shapes, channel limits and the review."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tideover.comms.catalogue import MessageChannel, Purpose
from tideover.comms.limits import check_length, sms_length
from tideover.comms.rendering import PlatformText, TemplateProblem, compile_template, names_used
from tideover.comms.review import TemplateText, TextFinding, review_template
from tideover.domain.money import CNY, USD, Money


def render(source: str, language: str = "zh-CN", **values: object) -> str:
    return compile_template(source, language).render(dict(values)).text


def test_money_dates_and_numbers_in_the_readers_locale() -> None:
    a, d, n = Money(123456, CNY), date(2026, 3, 5), 12345
    assert render("{{ a }} {{ d }} {{ n }}", a=a, d=d, n=n) == "¥1,234.56 2026年3月5日 12,345"
    english = render("{{ a }} {{ d }} {{ n }}", "en", a=a, d=d, n=n)
    assert english == "CN¥1,234.56 March 5, 2026 12,345"
    assert render("{{ a }}", "en", a=Money(500, USD)) == "$5.00"
    assert render('{{ d | day("short") }}', "en", d=date(2026, 3, 5)) == "3/5/26"


def test_the_sandbox_and_strict_names() -> None:
    with pytest.raises(TemplateProblem) as unknown:
        render("{{ nope }}")
    assert unknown.value.code == "template_invalid"
    assert "nope" in unknown.value.en
    with pytest.raises(TemplateProblem) as unsafe:
        render("{{ x.__class__.__mro__ }}", x="a")
    assert "沙箱" in (unsafe.value.zh or "") or "undefined" in unsafe.value.en
    with pytest.raises(TemplateProblem) as mutate:
        render("{{ xs.append(1) }}", xs=[])
    assert mutate.value.zh
    with pytest.raises(TemplateProblem) as syntax:
        compile_template("{% if %}", "en")
    assert "line 1" in syntax.value.en
    assert "第 1 行" in (syntax.value.zh or "")
    assert names_used("{% for x in xs %}{{ x }}{% endfor %}{{ y }}") == {"xs", "y"}


def test_the_shape_hides_the_borrowers_values_but_not_the_platforms() -> None:
    done = compile_template("【{{ p }}】{{ name }}：{{ a }}，{{ d }}", "zh-CN").render(
        {"p": PlatformText("示例金融"), "name": "张三", "a": Money(100, CNY), "d": date(2026, 1, 2)}
    )
    assert done.text == "【示例金融】张三：¥1.00，2026年1月2日"
    assert "示例金融" in done.shape
    assert "张三" not in done.shape
    assert "1.00" not in done.shape
    assert done.free_values == ("张三",)
    other = compile_template("【{{ p }}】{{ name }}：{{ a }}，{{ d }}", "zh-CN").render(
        {"p": PlatformText("示例金融"), "name": "李四", "a": Money(9, CNY), "d": date(2027, 5, 6)}
    )
    assert other.shape == done.shape  # one check serves both


def test_control_characters_in_values_never_reach_the_text() -> None:
    assert render("{{ x }}", x="a\x02b\x04c\x00") == "abc"


@given(st.text(alphabet="abcdefghij 0123456789", max_size=600))
def test_gsm_parts_as_carriers_count(text: str) -> None:
    length = sms_length(text)
    assert length.encoding == "gsm7"
    assert length.units == len(text)
    assert length.parts == (1 if len(text) <= 160 else -(-len(text) // 153))


@given(st.text(alphabet="催收通知您好", min_size=1, max_size=400))
def test_chinese_parts_as_carriers_count(text: str) -> None:
    length = sms_length(text)
    assert length.encoding == "ucs2"
    assert length.parts == (1 if len(text) <= 70 else -(-len(text) // 67))
    assert (check_length(MessageChannel.SMS, text) is None) == (length.parts <= 3)


def _text(zh: str, en: str, channel: MessageChannel = MessageChannel.SMS) -> TemplateText:
    return TemplateText(Purpose.REMINDER, channel, {"zh-CN": zh, "en": en}, {})


def test_review_refuses_with_each_finding() -> None:
    def check(text: str, channel: MessageChannel, language: str) -> list[TextFinding]:
        return [TextFinding(("CN-LANG",), "threat", "threat", "威胁")] if "police" in text else []

    assert (
        review_template(_text("{{ borrower_name }}您好", "Hi {{ borrower_name }}"), check=check)
        == []
    )
    codes = {
        f.code: f
        for f in review_template(_text("{{ salary }}", "{{ x"), check=check)
        + review_template(_text("您好" * 200, "police"), check=check)
        + review_template(_text("", "x"), check=check)
        + review_template(_text("a", "b", MessageChannel.EMAIL), check=check)
    }
    assert set(codes) == {
        "unknown_variable",
        "template_invalid",
        "too_long",
        "message_check",
        "missing_translation",
    }
    assert "salary" in codes["unknown_variable"].en
    assert codes["too_long"].language == "zh-CN"
    assert codes["message_check"].rule_ids == ("CN-LANG",)
    assert all(f.zh for f in codes.values())


def test_the_longest_values_decide_the_length() -> None:
    # 60 Chinese characters of text plus a name: fine with a short name, not the longest.
    body = "{{ borrower_name }}" * 17 + "您好"
    found = review_template(_text(body, "Hi"), check=None)
    assert [f.code for f in found] == ["too_long"]
