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
# the collector's workbench: item states, call outcomes, channels, tones
QUEUE_WORDS: tuple[str, ...] = ()
QUEUE_WORDS += (N_("open"), N_("assigned"), N_("done"), N_("dropped"), N_("callback"))
QUEUE_WORDS += (N_("reached"), N_("promise"), N_("dispute"), N_("cease_contact"), N_("complaint"))
QUEUE_WORDS += (N_("wrong_party"), N_("no_answer"), N_("voicemail"), N_("planned"), N_("connected"))
QUEUE_WORDS += (
    N_("conversation"),
    N_("delivered"),
    N_("failed"),
    N_("promise_to_pay"),
    N_("refusal"),
)
QUEUE_WORDS += (
    N_("dispute_raised"),
    N_("call"),
    N_("sms"),
    N_("email"),
    N_("letter"),
    N_("app_push"),
)
QUEUE_WORDS += (
    N_("visit"),
    N_("human_call"),
    N_("robot_call"),
    N_("field_visit"),
    N_("legal_referral"),
)
QUEUE_WORDS += (N_("supportive"), N_("neutral"), N_("firm"), N_("contract"), N_("inbound"))
# holds, approvers, hardship and plans as the borrower 360 shows them
QUEUE_WORDS += (N_("legal_representation"), N_("breathing_space"), N_("bankruptcy"), N_("deceased"))
QUEUE_WORDS += (N_("complaint_under_investigation"), N_("system"), N_("team_lead"), N_("manager"))
QUEUE_WORDS += (N_("submitted"), N_("under_review"), N_("decided"), N_("closed"), N_("offered"))
QUEUE_WORDS += (
    N_("accepted"),
    N_("completed"),
    N_("broken"),
    N_("cancelled"),
    N_("pending"),
    N_("kept"),
)
QUEUE_WORDS += (N_("unemployment"), N_("illness_injury"), N_("disaster"), N_("income_reduction"))
QUEUE_WORDS += (N_("family_emergency"), N_("other"), N_("due_date_shift"), N_("extension"))
QUEUE_WORDS += (
    N_("payment_holiday"),
    N_("interest_waiver"),
    N_("penalty_waiver"),
    N_("fee_waiver"),
)
QUEUE_WORDS += (N_("restructure"), N_("settlement"))
# compliance, audit trail, team and administration: job states, and the names shown for
# the roles, hold kinds, assignment figures and kinds of records these pages read as keys
ADMIN_WORDS: tuple[str, ...] = (N_("queued"), N_("running"), N_("enabled"), N_("deactivated"))
ADMIN_LABELS: dict[str, str] = {"platform_admin": N_("Platform administrator")}
ADMIN_LABELS |= {"strategy_manager": N_("Strategy manager"), "auditor": N_("Auditor")}
ADMIN_LABELS |= {"compliance_officer": N_("Compliance officer"), "team_lead": N_("Team lead")}
ADMIN_LABELS |= {"collector": N_("Collector"), "dispute": N_("Dispute")}
ADMIN_LABELS |= {"cease_contact": N_("Cease contact"), "deceased": N_("Deceased")}
ADMIN_LABELS |= {"legal_representation": N_("Legal representation")}
ADMIN_LABELS |= {"breathing_space": N_("Breathing space"), "bankruptcy": N_("Bankruptcy")}
ADMIN_LABELS |= {"complaint_under_investigation": N_("Complaint under investigation")}
ADMIN_LABELS |= {"assigned": N_("Assigned"), "placeable": N_("A collector may take it")}
ADMIN_LABELS |= {"no_permitted_collector": N_("No collector holds its licence and queue")}
ADMIN_LABELS |= {"capacity_exhausted": N_("Every collector who may take it is full")}
ADMIN_LABELS |= {"first_callback": N_("Put first: a callback was asked for")}
ADMIN_LABELS |= {"first_promise_due": N_("Put first: a promise to pay is due")}
ADMIN_LABELS |= {"borrowers": N_("Borrowers"), "loans": N_("Loans"), "payments": N_("Payments")}
# messages: template statuses, purposes and what became of an outbox message
COMMS_WORDS: tuple[str, ...] = (N_("rejected"), N_("sent"), N_("Messages"))
COMMS_WORDS += (N_("reminder"), N_("overdue_notice"), N_("promise_confirmation"))
COMMS_WORDS += (N_("plan_offer"), N_("plan_confirmation"), N_("policy_change_notice"))
COMMS_WORDS += (N_("rights_statement"), N_("validation_notice"), N_("hardship_decision"))
