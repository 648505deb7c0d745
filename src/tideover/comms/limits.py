"""How long a message may be on each channel.

SMS is counted as carriers count it.  A message in the GSM 03.38 alphabet
takes 160 characters in one part and 153 per part when split; any other
character (every Chinese one) makes it UCS-2, 70 in one part and 67 per part
(3GPP TS 23.040 §9.2.3.24.1; Chinese carriers bill long messages the same
way).  Tideover allows three parts: a reminder that needs more belongs in an
e-mail or a letter.  A push shows about 200 characters of its body and 40 of
its title; longer ones are cut by the phone, so they are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from tideover.comms.catalogue import MessageChannel
from tideover.i18n import N_, Worded, Wording

MAX_SMS_PARTS = 3
PUSH_BODY = 200
PUSH_TITLE = 40
EMAIL_SUBJECT = 150
EMAIL_BODY = 20_000
LETTER_BODY = 30_000

_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")  # two septets each


@dataclass(frozen=True, slots=True)
class SmsLength:
    encoding: str  # "gsm7" or "ucs2"
    units: int  # septets (GSM) or UTF-16 code units (UCS-2)
    parts: int


def sms_length(text: str) -> SmsLength:
    """The encoding, length in its units and number of parts of ``text`` as one SMS."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text):
        units = sum(2 if c in _GSM_EXTENDED else 1 for c in text)
        single, per_part, encoding = 160, 153, "gsm7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, per_part, encoding = 70, 67, "ucs2"
    parts = 1 if units <= single else -(-units // per_part)
    return SmsLength(encoding, units, parts)


@dataclass(frozen=True, slots=True)
class TooLong(Worded):
    """A message over its channel's limit: what was measured and the limit, in words."""

    wording: Wording


def check_length(channel: MessageChannel, body: str, subject: str | None = None) -> TooLong | None:
    """``None`` when ``body`` (and ``subject``) fit ``channel``."""
    if channel is MessageChannel.SMS:
        measured = sms_length(body)
        if measured.parts > MAX_SMS_PARTS:
            return TooLong(
                Wording(
                    N_(
                        "the SMS takes %(parts)s parts (%(units)s %(encoding)s characters); "
                        "at most %(most)s are allowed"
                    ),
                    parts=measured.parts,
                    units=measured.units,
                    encoding="GSM" if measured.encoding == "gsm7" else "UCS-2",
                    most=MAX_SMS_PARTS,
                )
            )
        return None
    limits = {
        MessageChannel.APP_PUSH: (PUSH_BODY, PUSH_TITLE),
        MessageChannel.EMAIL: (EMAIL_BODY, EMAIL_SUBJECT),
        MessageChannel.LETTER: (LETTER_BODY, EMAIL_SUBJECT),
    }
    body_limit, subject_limit = limits[channel]
    if len(body) > body_limit:
        return TooLong(
            Wording(
                N_("the %(channel)s body has %(count)s characters; at most %(body_limit)s"),
                channel=channel.value,
                count=len(body),
                body_limit=body_limit,
            ),
        )
    if subject is not None and len(subject) > subject_limit:
        return TooLong(
            Wording(
                N_("the %(channel)s subject has %(count)s characters; at most %(subject_limit)s"),
                channel=channel.value,
                count=len(subject),
                subject_limit=subject_limit,
            ),
        )
    return None
