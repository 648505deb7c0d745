"""Message checker: categories in zh and en, evasions, spans in the original text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tideover.compliance.text import MessageChecker, default_checker, normalise


def categories(text: str) -> set[str]:
    return {m.category for m in default_checker().scan(text)}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("再不还钱，小心我弄死你", "threat"),
        ("You will regret this, we know where you live.", "threat"),
        ("你这个老赖，不要脸", "insult"),
        ("Pay up, you deadbeat.", "insult"),
        ("这里是派出所，请配合调查", "impersonation"),
        ("This is the police department calling about your account.", "impersonation"),
        ("明天就通知你单位和你父母", "notify_contacts"),
        ("再不还钱我们就去你单位找你领导", "notify_contacts"),
        ("We will tell your employer about this.", "notify_contacts"),
        ("请把钱转到我的支付宝", "personal_account"),
        ("Send the payment to my Venmo today.", "personal_account"),
        ("实在不行就卖房卖车还钱", "pressure_borrow_sell"),
        ("Take out a payday loan and pay us.", "pressure_borrow_sell"),
    ],
)
def test_each_category_is_caught_in_both_languages(text: str, category: str) -> None:
    assert category in categories(text)


@pytest.mark.parametrize(
    "text",
    [
        "弄 死 你",  # inserted spaces
        "弄\u200b死\u200d你",  # zero-width characters
        "弄.死-你!",  # punctuation
        "ｋｉｌｌ ｙｏｕ",  # full-width Latin
        "K I L L   Y O U",  # spaced capitals
        "k*i*l*l y.o.u",
        "通 知 你 单 位",
    ],
)
def test_evasions_are_still_caught(text: str) -> None:
    assert categories(text) & {"threat", "notify_contacts"}


@pytest.mark.parametrize(
    "text",
    [
        "您本期账单 1,200.00 元将于 6 月 10 日到期，可在 App 内还款。",
        "This is an issue we can fix together; call us at your convenience.",
        "Our skilled team will help you set up a payment plan.",
        "请转账至我司指定账户，或在 App 内还款。",
        "Reply STOP to opt out.",
    ],
)
def test_ordinary_messages_have_no_forbidden_findings(text: str) -> None:
    assert categories(text) <= {"disclosure", "opt_out"}


def test_spans_point_into_the_original_text() -> None:
    text = "提醒：ｋｉｌｌ　ｙｏｕ，另外我们会通\u200b知你单位。"
    matches = default_checker().scan(text)
    assert [(m.category, text[m.start : m.end]) for m in matches] == [
        ("threat", "ｋｉｌｌ　ｙｏｕ"),
        ("notify_contacts", "通\u200b知你单位"),
    ]
    assert all(m.matched == text[m.start : m.end] for m in matches)


def test_latin_terms_need_word_boundaries() -> None:
    assert "threat" not in categories("I skill youths in budgeting")
    assert "insult" not in categories("Stupidity aside")  # "stupid" inside a longer word
    assert "insult" in categories("That was stupid.")


def test_normalise_keeps_an_index_per_character() -> None:
    norm, origin = normalise("Ａ b\u200bC")
    assert norm == "abc"
    assert origin == [0, 2, 4]


def test_a_custom_lexicon_is_honoured() -> None:
    checker = MessageChecker(
        {"categories": {"rude": {"en": "rude", "zh": "粗鲁", "terms": ["go away"]}}}
    )
    assert [m.matched for m in checker.scan("Please, go  away!")] == ["go  away"]
    assert checker.contains("From Acme Finance: hello", "ACME finance")


@given(st.text(max_size=60))
def test_spans_are_always_inside_the_text(text: str) -> None:
    for match in default_checker().scan(text):
        assert 0 <= match.start < match.end <= len(text)
        assert match.matched == text[match.start : match.end]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("请通过官方渠道还款，切勿向任何个人账户转账。", False),
        ("We will never ask you to pay into a personal account.", False),
        ("今天不转账到我个人账户，明天就上门。", True),
        ("Pay it into my personal account today.", True),
    ],
)
def test_a_warning_about_personal_accounts_is_not_a_request(text: str, flagged: bool) -> None:
    assert ("personal_account" in categories(text)) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("We will sue you next week.", True),
        ("If you will not pay, we will sue you.", True),  # the negation is about paying
        ("If you won't pay, we'll take legal action.", True),
        ("不还钱我们就起诉你", True),
        ("无法按时还款的，我们将起诉", True),
        ("We will not sue you for this debt.", False),
        ("You can no longer be sued on it.", False),
        ("The law limits how long you can be sued on a debt.", False),
        ("我们不会对您提起诉讼", False),
        ("This is an issue we can fix.", False),  # "sue" inside "issue"
    ],
)
def test_a_threat_of_suit_is_told_from_saying_there_will_be_none(text: str, flagged: bool) -> None:
    assert ("suit_threat" in categories(text)) is flagged


def test_voicemail_parts_are_recognised() -> None:
    assert "reply_request" in categories("Hi, this is Jordan. Please call me back.")
    assert "reply_request" in categories("您好，请回电。")
    assert categories("Acme Recovery Services") == {"collection_business"}
    assert categories("星辰资产清收中心") == {"collection_business"}


def lexicon_categories(text: str) -> set[str]:
    from tideover.compliance.text import default_lexicon

    return MessageChecker(default_lexicon()).verdict(text).categories


@pytest.mark.parametrize(
    ("text", "category", "flagged"),
    [
        # a homophone only counts when its character makes no everyday word with its neighbour
        ("您要求我们不要联系您的家人，我们已照办。", "insult", False),
        ("你个不要脸的东西。", "insult", True),
        ("之前我们说过的方案仍然有效。", "insult", False),
        # 不 right before the match denies it
        ("民事纠纷，不会坐牢。", "false_legal", False),
        ("你再不还就会坐牢。", "false_legal", True),
        ("我们的规定：不联系家人，不联系单位。", "notify_contacts", False),
        ("明天就联系家人。", "notify_contacts", True),
        # a rule that lists what must not be done reaches past its semicolons
        (
            "Staff must not: shout; say that non-payment is a crime; ask for a personal account.",
            "false_legal",
            False,
        ),
        ("You skipped a payment; that is a crime.", "false_legal", True),
        # a Latin construction starts on a word boundary
        ("You can apply to set aside the claim. The court decides.", "impersonation", False),
        ("I'm the court clerk handling your file.", "impersonation", True),
        # quotations of what must not be said, in a lesson or a rule
        ("以下说法均属违规——“转到我微信”。", "personal_account", False),
        (
            'Coaching note: instead of "sell your car", offer a longer term.',
            "pressure_borrow_sell",
            False,
        ),
        ("Sell your car and pay us.", "pressure_borrow_sell", True),
        # what the sender reports or rules out
        ("You told us a caller said he was from the sheriff's office.", "impersonation", False),
        (
            "Anyone asking for payment to a personal account is a fraudster.",
            "personal_account",
            False,
        ),
        (
            "Messages threatening to contact your employer don't come from us.",
            "notify_contacts",
            False,
        ),
        ("您别去借高利贷，我们可以先免掉罚息。", "pressure_borrow_sell", False),
        ("你去借高利贷也得还我们。", "pressure_borrow_sell", True),
        ("以贷养贷只会让负担更重。", "pressure_borrow_sell", False),
        # a weather reminder wishes the person well; the same words alone warn them
        ("天冷了，注意保暖，出门注意安全。", "threat", False),
        ("晚上回家路上注意安全。", "threat", True),
        ("Please be careful with emails claiming to be from us.", "threat", False),
        ("Be careful walking home tonight.", "threat", True),
        # training and review material quoting what must not be said
        (
            'Examples of unlawful threats: "your boss will find out". Never use them.',
            "notify_contacts",
            False,
        ),
        (
            'Training exercise: rewrite "Pay or we\'ll tell your boss" as a compliant message.',
            "notify_contacts",
            False,
        ),
        ("Pay or we'll tell your boss.", "notify_contacts", True),
        (
            "Agents must never tell a customer that non-payment is a criminal offence.",
            "false_legal",
            False,
        ),
        ("Non-payment is a criminal offence.", "false_legal", True),
        ("Never tell me you can't pay. Non-payment is a criminal offence.", "false_legal", True),
        (
            'Case study for discussion: an agent told a customer, "the sheriff will be round'
            ' tonight." Identify the rules broken.',
            "impersonation",
            False,
        ),
        ("The sheriff will be round tonight.", "impersonation", True),
        ("关于“被骂窝囊废”的投诉，涉事员工已被辞退。", "insult", False),
        ("你就是个窝囊废。", "insult", True),
        # a reassurance, and what is said not to be the sender's
        ("There's no criminal record for missing loan payments.", "false_legal", False),
        (
            "If someone tells you to pay in cash or to a personal account, it is not us.",
            "personal_account",
            False,
        ),
        ("Genuine bailiffs will never ask for payment by bank transfer.", "impersonation", False),
        ("If you plan to sell your home, let us know.", "pressure_borrow_sell", False),
        # an authority the person is sent to for help, not one the sender claims to be
        ("如遇上门骚扰，可到就近派出所寻求帮助。", "impersonation", False),
        ("遇到纠纷可以向当地公安机关咨询。", "impersonation", False),
        ("我是派出所的，你明天来一趟。", "impersonation", True),
        ("Call your local police department if anyone threatens you.", "impersonation", False),
        ("This is the police department. Pay the fine today.", "impersonation", True),
        ("Mark Hale, Deputy Director of Customer Services", "impersonation", False),
        # the person's own account debited by the lender; a paying-in account asked for
        ("本期账单将从您绑定的个人银行卡扣款。", "personal_account", False),
        ("把钱转到我的个人银行卡上。", "personal_account", True),
        ("请勿扫描陌生人发给您的收款码。", "personal_account", False),
        # "不建议" rules out; income described is no pressure to use it
        ("我们不建议您借钱还款。", "pressure_borrow_sell", False),
        ("您以退休金为主要收入，可以申请降低月供。", "pressure_borrow_sell", False),
        ("你的退休金拿来还我们。", "pressure_borrow_sell", True),
        # HR issuing the person's papers, the app's notice board, the person telling family
        ("收入证明可以请贵单位人事部出具。", "notify_contacts", False),
        ("我们已经打给你们公司人事部了。", "notify_contacts", True),
        ("新的还款说明已发布在App公告栏。", "notify_contacts", False),
        ("把你的照片贴到小区公告栏。", "notify_contacts", True),
        ("家人问起的话，您可以告诉他们是正常分期。", "notify_contacts", False),
        # a travel wish, a car-care reminder, a security tip, prices cut
        ("春节返乡，祝您一路平安，路上注意安全。", "threat", False),
        ("下班路上注意安全，祝您周末愉快。", "threat", False),
        ("Before winter, check your tires and your wipers.", "threat", False),
        ("Your tires will be flat by morning.", "threat", True),
        ("Stay alert: nobody from our team will ask for your password.", "threat", False),
        ("We have slashed the late fee for customers on a plan.", "threat", False),
        ("Your tires got slashed last night, didn't they?", "threat", True),
        # a civil debt said to carry no criminal liability
        ("民间借贷纠纷不涉及刑事责任。", "false_legal", False),
        ("欠钱不还要承担刑事责任。", "false_legal", True),
        # quoted material followed by the words that ban it
        ("质检：坐席说的“要你好看”属于恐吓，已处理。", "threat", False),
        ("像“打断你的腿”这种话一律禁止使用。", "threat", False),
        ('The line "we know where you live" is banned on every call.', "threat", False),
        ("“打断你的腿”，你自己看着办。", "threat", True),
    ],
)
def test_context_tells_lawful_wording_from_abuse(text: str, category: str, flagged: bool) -> None:
    assert (category in lexicon_categories(text)) is flagged


@pytest.mark.parametrize(
    ("text", "category", "flagged"),
    [
        # a negation that governs a list of acts, the match its last item
        (
            "Our field staff cannot take your furniture, change your locks, or call your boss.",
            "notify_contacts",
            False,
        ),
        (
            "Recovery agents may not enter your home, take your things, or call your boss.",
            "notify_contacts",
            False,
        ),
        (
            "We can take your furniture, change your locks, or call your boss.",
            "notify_contacts",
            True,
        ),
        ("You can't run, you can't hide, and your family will know.", "notify_contacts", True),
        ("Do not ignore us or your family will know.", "notify_contacts", True),
        # no such act, or the person's own worry about it
        ("No bailiffs have been sent to your address.", "impersonation", False),
        ("Bailiffs have been sent to your address.", "impersonation", True),
        ("Worried about the sheriff? There is no court order against you.", "impersonation", False),
        ("The sheriff is on his way to your door.", "impersonation", True),
        ("You wouldn't be sent to prison over this.", "false_legal", False),
        ("You would be sent to prison over this.", "false_legal", True),
        # the person's own wish or feeling right before the act
        (
            "If you wish to sell your car, an adviser can help you get a fair price first.",
            "pressure_borrow_sell",
            False,
        ),
        ("If you wish to keep your car, borrow from your parents.", "pressure_borrow_sell", True),
        ("Please don't feel you have to borrow from your brother.", "pressure_borrow_sell", False),
        ("You have to borrow from your brother.", "pressure_borrow_sell", True),
        (
            "You may choose to sell your car; free debt advice is available too.",
            "pressure_borrow_sell",
            False,
        ),
        ("You should sell your car this week.", "pressure_borrow_sell", True),
        ("If you're thinking about a title loan, talk to us first.", "pressure_borrow_sell", False),
        ("Quit thinking and get a title loan.", "pressure_borrow_sell", True),
        # the sender advises against it in the next sentence
        (
            "Some people feel pushed to take out a payday loan. Please don't.",
            "pressure_borrow_sell",
            False,
        ),
        ("Take out a payday loan. Don't make us call again.", "pressure_borrow_sell", True),
        (
            "It might be tempting to sell your car. We don't want that for you.",
            "pressure_borrow_sell",
            False,
        ),
        ("Sell your car. We don't want excuses.", "pressure_borrow_sell", True),
        (
            "Friends might offer a loan, or you could sell your car. You don't have to do either.",
            "pressure_borrow_sell",
            False,
        ),
        ("Sell your car. You don't have to like it.", "pressure_borrow_sell", True),
        ("Scared you'll need to pawn your jewelry? You won't.", "pressure_borrow_sell", False),
        ("Pawn your jewelry. You won't get another warning.", "pressure_borrow_sell", True),
        # a list of quotations that training material bans or asks about, a script's
        # customer line
        (
            'Never say "we can see your house", "think of your kids" or "pawn your jewelry".',
            "pressure_borrow_sell",
            False,
        ),
        (
            'Quiz: which is acceptable? (a) "Can we agree a plan?" (b) "You will go to jail."',
            "false_legal",
            False,
        ),
        (
            'Remember: "pawn your jewelry", "borrow from your mum", or we visit.',
            "pressure_borrow_sell",
            True,
        ),
        (
            'Borrower: "Am I going to be arrested?" Agent: "No, this is a civil matter."',
            "false_legal",
            False,
        ),
        ('Agent: "You are going to be arrested."', "false_legal", True),
        (
            'The lines "you will be deported" and "you will lose custody" are false and forbidden.',
            "false_legal",
            False,
        ),
        ('"You will be deported" and that is no lie.', "false_legal", True),
        # a staff notice; what to do about a fake call; an insurer's cover
        ("Training poster: how to speak to customers in hardship.", "notify_contacts", False),
        ("We will put a poster with your name in the shop window.", "notify_contacts", True),
        ("If a caller says they are from the sheriff's office, hang up.", "impersonation", False),
        ("Don't hang up: this is the sheriff's office.", "impersonation", True),
        (
            "Acme never texts claiming to be a bailiff, a detective or the sheriff.",
            "impersonation",
            False,
        ),
        ("Accidents happen, and your insurance should cover the windscreen.", "threat", False),
        ("Accidents happen, and your insurance won't cover what happens next.", "threat", True),
    ],
)
def test_lawful_uses_of_risky_english_words_are_told_from_abuse(
    text: str, category: str, flagged: bool
) -> None:
    assert (category in lexicon_categories(text)) is flagged
