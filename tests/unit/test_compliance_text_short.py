"""Short Chinese fragments: everyday ones pass, abusive ones are blocked.

The corpus's messages are mostly whole sentences, so its figures say little about a
fragment of a few characters — a name with a title, a time, a place, an amount — which
a rendered message's free values and chat replies often are.  These probes were written
for this test, apart from the corpus (no training or held-out row is one of them); the
last twenty everyday ones after the model was trained on the corpus's short rows.  With
the model of 2026-12-07 the first 32 everyday fragments lost 9 (and the last twenty 4)
to the classifier.
"""

from __future__ import annotations

import pytest

from tideover.compliance.text import default_checker
from tideover.compliance.textcheck.corpus import BLOCKING, load_corpus
from tideover.compliance.textcheck.model import (
    SHORT,
    SHORT_HAN,
    default_classifier,
    threshold_group,
)

EVERYDAY = [
    "王经理下午到",
    "下午三点见",
    "办公室在三楼",
    "中国工商银行",
    "钱女士上午好",
    "明天上午十点半",
    "在南京路门店办理",
    "已收到您的回执",
    "韩律师的助理",
    "本期还款两千元",
    "记得周五前还款",
    "三号楼一单元",
    "欢迎致电客服",
    "我是客服小周",
    "手机尾号2468",
    "祝您生日快乐",
    "冯主任已审批",
    "请到二号窗口",
    "下周二回访您",
    "已为您减免利息",
    "还款日是每月15号",
    "金额为三百元整",
    "好的，明天见",
    "请稍候片刻",
    "麻烦您了",
    "预约已成功",
    "您的工单已关闭",
    "邓阿姨您好",
    "交通银行信用卡",
    "叶先生已到前台",
    "四点以后都可以",
    "上午在家吗",
    # written after the model was trained on the short training rows
    "周四上午见",
    "后天下午两点",
    "财务部的刘姐",
    "在华联商厦三层",
    "农业银行卡尾号0912",
    "年化利率7.2%",
    "还款成功",
    "已帮您取消预约",
    "孔先生您好",
    "苏经理稍后回复",
    "收到回执了",
    "剩余两期未还",
    "请于本月20日前",
    "已更换绑定手机",
    "客服小李为您服务",
    "欠款已结清",
    "晚上八点后再联系",
    "营业部在一楼",
    "十二点前回复您",
    "谢谢您的理解",
]

ABUSIVE = [
    "不还钱就弄死你",
    "你个老赖去死吧",
    "打断你的狗腿",
    "告诉你全公司你欠钱",
    "转到我私人微信",
    "去借高利贷还钱",
    "你个窝囊废",
    "我们是公安局的",
    "不还钱让你坐牢",
    "晚上别出门了",
    "你爸妈的电话我有",
    "滚去卖肾还钱",
]


def _blocked(text: str) -> set[str]:
    return set(default_checker().verdict(text).categories) & BLOCKING["debtor"]


@pytest.mark.parametrize("text", EVERYDAY, ids=range(len(EVERYDAY)))
def test_an_everyday_fragment_passes(text: str) -> None:
    assert not _blocked(text)


@pytest.mark.parametrize("text", ABUSIVE, ids=range(len(ABUSIVE)))
def test_a_short_abusive_fragment_is_blocked(text: str) -> None:
    assert _blocked(text)


def test_the_probes_are_not_corpus_rows() -> None:
    texts = {row.text for row in load_corpus()}
    assert not texts & {*EVERYDAY, *ABUSIVE}
    assert all(4 <= len(t) <= 12 for t in EVERYDAY + ABUSIVE)


def test_short_chinese_texts_have_thresholds_of_their_own() -> None:
    assert [threshold_group(n) for n in (0, 1, SHORT_HAN, SHORT_HAN + 1)] == [
        "en",
        SHORT,
        SHORT,
        "zh",
    ]
    # a card without short thresholds judges every Chinese text by the ``zh`` ones
    assert threshold_group(4, 0) == "zh"
    classifier = default_classifier()
    assert classifier is not None
    assert classifier.group(len("王经理下午到")) == SHORT
    # out of fold the short thresholds stand above every short lawful training row's score,
    # so they differ from the whole messages'
    assert classifier.thresholds[SHORT].tolist() != classifier.thresholds["zh"].tolist()
