"""Words the console shows that come from data (statuses, actions, menu entries).

``N_`` marks a message for extraction into the catalogues without translating
it where it is written; the page translates it when it shows it.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    return message


WORDS = (
    # policy version statuses and workflow actions
    N_("draft"),
    N_("in_review"),
    N_("approved"),
    N_("active"),
    N_("retired"),
    N_("submit"),
    N_("approve"),
    N_("reject"),
    N_("activate"),
    N_("rollback"),
    # the menu
    N_("KPIs"),
    N_("Policy"),
    N_("My queue"),
    N_("Team"),
    N_("Compliance"),
    N_("Audit trail"),
    N_("Administration"),
)
