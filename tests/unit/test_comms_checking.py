"""The worker's check by shape agrees with checking every message whole."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.comms.catalogue import MessageChannel
from tideover.comms.defaults import default_template
from tideover.comms.rendering import PlatformText, Rendered, compile_template
from tideover.compliance.loader import load_pack
from tideover.domain.money import CNY, Money
from tideover.services.comms.checking import MessageCheck

CHECK = MessageCheck([load_pack("CN")], sender_names={"zh-CN": "示例金融", "en": "示例金融"})
CLEAN = ["张伟", "李娜", "王芳", "Jane Doe", "欧阳中华", "陈", "Li Wei"]
FORBIDDEN = ["再不还钱就找你单位", "我们会通知你的家人", "打到我个人账户", "you will be arrested"]


def _render(name: str, amount: int, language: str) -> Rendered:
    template = default_template("overdue_notice_sms")
    assert template is not None
    return compile_template(template.text.body[language], language).render(
        {
            "borrower_name": name,
            "account_ref": "0001",
            "overdue_amount": Money(amount, CNY),
            "balance": Money(amount * 3, CNY),
            "due_date": date(2026, 3, 5),
            "today": date(2026, 3, 8),
            "dpd": 3,
            "platform_name": PlatformText("示例金融"),
            "service_phone": PlatformText("400-000-0000"),
            "pay_where": PlatformText("官方App"),
            "portal_url": PlatformText("https://example.cn/me"),
        }
    )


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(CLEAN + FORBIDDEN),
    st.integers(min_value=1, max_value=10**11),
    st.sampled_from(["zh-CN", "en"]),
)
def test_the_shape_check_flags_exactly_what_the_whole_check_flags(
    name: str, amount: int, language: str
) -> None:
    rendered = _render(name, amount, language)
    by_shape = CHECK.rendered(rendered, MessageChannel.SMS, language)
    whole = CHECK.text(rendered.text, MessageChannel.SMS, language)
    assert bool(by_shape) == bool(whole)
    assert bool(by_shape) == (name in FORBIDDEN)


def test_one_shape_serves_many_borrowers() -> None:
    first = _render("张伟", 100, "zh-CN")
    other = _render("李娜", 99_999, "zh-CN")
    assert first.shape == other.shape
    assert first.text != other.text
