"""The words for stored codes (``equal-installment``, ``cease_contact``, ``kept`` …).

A code is what the data and ``--json`` hold; a person reads its label, in their
language (the catalogue translates the English label).  A code without a label
is shown as it is.
"""

from __future__ import annotations

from tideover.cli.output import N_, _

_LABELS: dict[str, dict[str, str]] = {
    "method": {
        "equal-installment": N_("equal installment"),
        "equal-principal": N_("equal principal"),
        "interest-only": N_("interest-only then bullet"),
        "bullet": N_("bullet"),
    },
    "channel": {
        "call": N_("call"),
        "sms": N_("SMS"),
        "email": N_("e-mail"),
        "letter": N_("letter"),
        "app_push": N_("app push"),
        "visit": N_("visit"),
    },
    "target": {
        "debtor": N_("borrower"),
        "contact_person": N_("contact person"),
        "third_party": N_("third party"),
    },
    "outcome": {
        "planned": N_("planned"),
        "no_answer": N_("no answer"),
        "voicemail": N_("voicemail"),
        "connected": N_("connected"),
        "conversation": N_("conversation"),
        "delivered": N_("delivered"),
        "failed": N_("failed"),
    },
    "result": {
        "promise_to_pay": N_("promise to pay"),
        "refusal": N_("refusal"),
        "dispute_raised": N_("dispute raised"),
        "complaint": N_("complaint"),
    },
    "hold": {
        "dispute": N_("dispute"),
        "cease_contact": N_("cease contact"),
        "legal_representation": N_("legal representation"),
        "breathing_space": N_("breathing space"),
        "bankruptcy": N_("bankruptcy"),
        "deceased": N_("deceased"),
        "complaint_under_investigation": N_("complaint under investigation"),
    },
    "plan": {
        "offered": N_("offered"),
        "accepted": N_("accepted"),
        "active": N_("active"),
        "completed": N_("completed"),
        "broken": N_("broken"),
        "cancelled": N_("cancelled"),
    },
    "promise": {"pending": N_("pending"), "kept": N_("kept"), "broken": N_("not kept")},
    "application": {
        "submitted": N_("submitted"),
        "under_review": N_("under review"),
        "decided": N_("decided"),
        "closed": N_("closed"),
    },
    "hardship": {
        "unemployment": N_("unemployment"),
        "illness_injury": N_("illness or injury"),
        "disaster": N_("disaster"),
        "income_reduction": N_("income reduction"),
        "family_emergency": N_("family emergency"),
        "other": N_("other"),
    },
    "decision": {"approved": N_("approved"), "declined": N_("declined")},
    "role": {
        "system": N_("automatic"),
        "platform_admin": N_("platform administrator"),
        "strategy_manager": N_("strategy manager"),
        "compliance_officer": N_("compliance officer"),
        "team_lead": N_("team lead"),
        "collector": N_("collector"),
        "auditor": N_("auditor"),
    },
    "model_role": {"champion": N_("champion"), "challenger": N_("challenger")},
    "job": {"done": N_("done"), "failed": N_("failed")},
    "score_source": {"queue_item": N_("queue item"), "scores_file": N_("scores file")},
    "first": {"callback": N_("callback"), "promise": N_("promise")},
    "queue_state": {"open": N_("open"), "assigned": N_("assigned"), "done": N_("done")},
    "unassigned": {
        "no_permitted_collector": N_("no permitted collector"),
        "capacity_exhausted": N_("capacity exhausted"),
    },
    "schedule": {"contract": N_("contract")},
}


def label(kind: str, code: str | None) -> str:
    """The reader's word for ``code`` of ``kind``; the code itself when it has none."""
    if not code:
        return ""
    found = _LABELS.get(kind, {}).get(code)
    return code if found is None else _(found)


def kinds() -> dict[str, dict[str, str]]:
    """Every kind of code with its labels (for the tests)."""
    return {kind: dict(labels) for kind, labels in _LABELS.items()}
