"""The borrower's language and preferred channel, chosen in the portal.

The language is the borrower's ``locale`` (pages and notices); the preferred
channel is kept in the borrower's ``attributes`` (``preferred_channel``) until
borrowers have a column for it.  A preference is not a consent: the compliance
gate still decides every contact, and asking to stop contact is a hold
(``tideover.services.portal.requests``).
"""

from __future__ import annotations

from typing import get_args

from tideover.domain.clock import Clock
from tideover.services.common import now_and_today
from tideover.services.portal.account import CHANNEL_ATTRIBUTE
from tideover.services.portal.results import Language, Preferences, PreferredChannel
from tideover.services.portal.scope import borrower_actor, nothing_here
from tideover.services.unit_of_work import UnitOfWork


def preferences(*, uow: UnitOfWork, platform: str, borrower_id: str) -> Preferences:
    with uow:
        borrower = uow.borrowers(platform).get(borrower_id)
    if borrower is None:
        raise nothing_here()
    channel = borrower.attributes.get(CHANNEL_ATTRIBUTE)
    return Preferences.model_validate(
        {
            "language": "en" if borrower.locale.lower().startswith("en") else "zh-CN",
            "channel": channel if channel in get_args(PreferredChannel) else None,
        }
    )


def set_preferences(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    language: Language,
    channel: PreferredChannel | None,
    clock: Clock | None = None,
) -> Preferences:
    """Store the borrower's choices; audited (what changed, never who they are)."""
    with uow:
        now, _ = now_and_today(uow, platform, clock)
        if uow.borrowers(platform).get(borrower_id) is None:
            raise nothing_here()
        uow.borrowers(platform).set_preferences(
            borrower_id, locale=language, attributes={CHANNEL_ATTRIBUTE: channel or ""}
        )
        uow.audit(platform).append(
            "borrower_preferences_set",
            {
                "borrower_id": borrower_id,
                "language": language,
                "channel": channel,
                "by": borrower_actor(borrower_id),
            },
            at=now,
        )
        uow.commit()
    return Preferences(language=language, channel=channel)
