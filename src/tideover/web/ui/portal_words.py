"""The borrower portal's words for values that come from data, in plain language.

``LABELS[group][value]`` is a msgid (marked with ``N_`` for extraction); the
page translates it when it shows it.  A value without a label is shown as it is.
"""

from __future__ import annotations

from tideover.web.ui.words import N_

LABELS: dict[str, dict[str, str]] = {
    "reason": {
        "unemployment": N_("I lost my job"),
        "illness_injury": N_("Illness or injury"),
        "disaster": N_("A disaster"),
        "income_reduction": N_("My income fell"),
        "family_emergency": N_("A family emergency"),
        "other": N_("Something else"),
    },
    "income": {
        "earnings": N_("Earnings (wages, salary, self-employment)"),
        "benefits": N_("Benefits and unemployment insurance"),
        "pensions": N_("Pensions"),
        "other_income": N_("Other income (family help, rent received)"),
    },
    "expense": {
        "home_and_contents": N_("Rent or mortgage, home insurance"),
        "utilities": N_("Water, electricity, gas, heating"),
        "care_and_health": N_("Care and health"),
        "transport_and_travel": N_("Transport and travel"),
        "school_costs": N_("School and childcare"),
        "pensions_and_insurances": N_("Pension contributions and insurance"),
        "professional_costs": N_("Costs of your work"),
        "other_essential_costs": N_("Other essential costs"),
        "communications_and_leisure": N_("Phone, internet and leisure"),
        "food_and_housekeeping": N_("Food and housekeeping"),
        "personal_costs": N_("Clothes and personal costs"),
        "savings": N_("Savings"),
        "priority_debts": N_("Priority debts (rent or tax arrears, fines)"),
        "other_creditors": N_("Payments to other lenders"),
    },
    "evidence": {
        "payslip": N_("Payslip"),
        "termination_letter": N_("Letter ending employment"),
        "benefit_letter": N_("Benefit letter"),
        "medical_certificate": N_("Medical certificate"),
        "hospital_bill": N_("Hospital bill"),
        "disaster_certificate": N_("Disaster certificate"),
        "death_certificate": N_("Death certificate"),
        "bank_statement": N_("Bank statement"),
        "other_official": N_("Other official document"),
    },
    "kind": {
        "due_date_shift": N_("Later due date"),
        "extension": N_("More installments, smaller payments"),
        "payment_holiday": N_("A break from payments"),
        "interest_waiver": N_("Interest reduced"),
        "penalty_waiver": N_("Late charges reduced"),
        "fee_waiver": N_("Fees reduced"),
        "restructure": N_("Lower payments first, then regular"),
        "settlement": N_("Settle for less"),
    },
    "application": {
        "submitted": N_("Received"),
        "under_review": N_("Being reviewed"),
        "decided": N_("Decided"),
        "closed": N_("Closed"),
    },
    "outcome": {"approved": N_("Approved with a plan"), "declined": N_("Declined")},
    "plan": {
        "offered": N_("Offered to you"),
        "accepted": N_("Accepted"),
        "active": N_("In effect"),
        "completed": N_("Completed"),
        "broken": N_("Payments missed"),
        "cancelled": N_("Cancelled"),
    },
    "role": {
        "team_lead": N_("a team lead of the platform"),
        "manager": N_("a manager of the platform"),
        "strategy_manager": N_("a strategy manager of the platform"),
        "compliance_officer": N_("a compliance officer of the platform"),
    },
    "hold": {
        "dispute": N_("Dispute: collection of this loan is stopped"),
        "cease_contact": N_("Contact stopped at your request"),
        "legal_representation": N_("You are represented: contact goes to your representative"),
        "breathing_space": N_("Breathing space: no demands for payment"),
        "bankruptcy": N_("Bankruptcy"),
        "deceased": N_("Estate of a deceased borrower"),
        "complaint_under_investigation": N_("Complaint being investigated: contact stopped"),
    },
    "topic": {
        "dispute": N_("If you dispute a debt"),
        "stop_contact": N_("If you want contact to stop or to change how you are contacted"),
        "complaint": N_("If you want to complain"),
        "hardship": N_("If you are in financial difficulty"),
        "payment": N_("Where you pay"),
    },
    "state": {
        "paid": N_("Paid"),
        "overdue": N_("Overdue"),
        "due_today": N_("Due today"),
        "upcoming": N_("Upcoming"),
    },
    "channel": {
        "sms": N_("Text message"),
        "call": N_("Phone call"),
        "email": N_("E-mail"),
        "letter": N_("Letter"),
        "app_push": N_("App notification"),
    },
    "schedule": {"contract": N_("Your contract"), "re-aged": N_("Your plan, brought up to date")},
}

# What a finished step says on the page it returns to (``?done=<key>``: never free text).
DONE: dict[str, str] = {
    "applied": N_("Your application was received."),
    "chosen": N_("Your choice was recorded."),
    "accepted": N_("You accepted the plan. It is now your repayment schedule."),
    "stop_contact": N_("We stopped contact about your loans."),
    "dispute": N_("Collection of this loan is stopped while the dispute is looked at."),
    "complaint": N_("Your complaint was recorded; contact is stopped while it is investigated."),
    "already": N_("This was already in force: nothing more was needed."),
    "saved": N_("Saved."),
}
