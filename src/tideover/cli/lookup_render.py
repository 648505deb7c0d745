"""The borrower 360 and one loan as a person reads them: facts, then tables, nothing cut."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.text import Text

from tideover.cli.labels import label
from tideover.cli.output import _, console, language, texts
from tideover.cli.tables import Column, Listing

if TYPE_CHECKING:
    from tideover.services.portfolio.borrower_results import (
        BorrowerView,
        BucketDay,
        LoanDetail,
        LoanView,
        ScoreInfo,
    )


def _line(text: str) -> None:
    # Text, not markup: ids and names come from files and people.
    console.print(Text(text))


def _money(value: Decimal) -> str:
    return texts().number(value, 2)


def _facts(pairs: Sequence[tuple[str, str]]) -> None:
    for name, value in pairs:
        _line("  " + _("%(name)s: %(value)s", name=name, value=value))


def _none(title: str) -> None:
    _line(_("%(section)s: none", section=title))


def render_borrower(view: BorrowerView) -> None:
    note = _("personal data masked") if view.masked else _("personal data shown")
    _line(
        _(
            "Borrower %(borrower)s on %(platform)s, as of %(date)s (%(note)s)",
            borrower=view.borrower_id,
            platform=view.platform,
            date=view.as_of.isoformat(),
            note=note,
        )
    )
    _facts(
        [
            (_("name"), view.name or "—"),
            (_("resident ID"), view.national_id or "—"),
            (_("phones"), ", ".join(view.phones) or "—"),
            (_("e-mail"), view.email or "—"),
            (_("address"), view.address or "—"),
            (_("language"), view.locale),
            (_("time zones"), ", ".join(view.time_zones) or "—"),
        ]
    )
    for loan in view.loans:
        _loan(loan)
    if not view.loans:
        _none(_("Loans"))
    _contacts(view)
    _holds(view)


def render_loan(detail: LoanDetail) -> None:
    _line(
        _(
            "Loan %(loan)s of borrower %(borrower)s on %(platform)s, as of %(date)s",
            loan=detail.loan.loan_id,
            borrower=detail.borrower_id,
            platform=detail.platform,
            date=detail.as_of.isoformat(),
        )
    )
    _loan(detail.loan)


def _loan(loan: LoanView) -> None:
    s = loan.standing
    console.print()
    _line(_("Loan %(loan)s", loan=loan.loan_id))
    _facts(
        [
            (_("product"), loan.product or "—"),
            (_("principal"), f"{_money(loan.principal)} {loan.currency}"),
            (_("annual rate"), texts().percent(loan.annual_rate, 2)),
            (_("term"), _("%(n)s installments", n=loan.term)),
            (_("method"), label("method", loan.method)),
            (_("start date"), loan.start_date.isoformat()),
            (_("DPD"), str(s.dpd)),
            (_("bucket"), s.bucket),
            (_("oldest unpaid due date"), texts().day(s.oldest_unpaid_due)),
            (
                _("overdue"),
                _(
                    "%(total)s (principal %(principal)s, interest %(interest)s, fees %(fees)s, "
                    "penalty %(penalty)s)",
                    total=_money(s.overdue_total),
                    principal=_money(s.overdue_principal),
                    interest=_money(s.overdue_interest),
                    fees=_money(s.overdue_fees),
                    penalty=_money(s.overdue_penalty),
                ),
            ),
            (_("outstanding principal"), _money(s.outstanding_principal)),
            (_("outstanding in total"), _money(s.outstanding_total)),
            (
                _("schedule in force"),
                _(
                    "%(reason)s, from %(date)s",
                    reason=label("schedule", loan.schedule.reason),
                    date=loan.schedule.effective_from.isoformat(),
                ),
            ),
            (_("score"), _score(loan.score)),
        ]
    )
    for reason in [] if loan.score is None else loan.score.reasons:
        _line(f"    {reason.code}  {reason.zh if language() == 'zh_CN' else reason.en}")
    _installments(loan)
    _payments(loan)
    _history(loan.history)
    _promises(loan)
    _applications(loan)
    _plans(loan)


def _score(score: ScoreInfo | None) -> str:
    if score is None:
        return "—"
    probability = "—" if score.probability is None else texts().percent(score.probability, 1)
    return _(
        "%(probability)s probability of bad, band %(band)s (%(date)s, %(source)s, model %(model)s)",
        probability=probability,
        band=score.band or "—",
        date=score.as_of.isoformat(),
        source=label("score_source", score.source),
        model=score.model_version or "—",
    )


def _installments(loan: LoanView) -> None:
    listing = Listing(
        _("Schedule in force"),
        [
            Column("number", _("#"), "right"),
            Column("due_date", _("due date")),
            Column("total", _("due"), "right", places=2),
            Column("paid", _("paid"), "right", places=2),
            Column("outstanding", _("outstanding"), "right", places=2),
            Column("settled_on", _("settled on")),
            Column("overdue", _("overdue")),
        ],
    )
    for i in loan.schedule.installments:
        listing.add(i.number, i.due_date, i.total, i.paid, i.outstanding, i.settled_on, i.overdue)
    listing.print()


def _payments(loan: LoanView) -> None:
    if not loan.payments:
        _none(_("Payments"))
        return
    listing = Listing(
        _("Payments"),
        [
            Column("payment_id", _("payment")),
            Column("paid_on", _("paid on")),
            Column("amount", _("amount"), "right", places=2),
            Column("reverses", _("reverses")),
        ],
    )
    for p in loan.payments:
        listing.add(p.payment_id, p.paid_on, p.amount, p.reverses or "")
    listing.print()


def _history(days: Sequence[BucketDay]) -> None:
    """The first and last stored day and every day the bucket changed."""
    if not days:
        _none(_("DPD and bucket over time"))
        return
    ordered = sorted(days, key=lambda d: d.as_of)
    kept = [
        d
        for n, d in enumerate(ordered)
        if n in (0, len(ordered) - 1) or d.bucket != ordered[n - 1].bucket
    ]
    listing = Listing(
        _("DPD and bucket over time (the bucket's changes; every day: --json)"),
        [
            Column("as_of", _("date")),
            Column("dpd", _("DPD"), "right"),
            Column("bucket", _("bucket")),
            Column("overdue_total", _("overdue"), "right", places=2),
        ],
    )
    for d in kept:
        listing.add(d.as_of, d.dpd, d.bucket, d.overdue_total)
    listing.print()


def _promises(loan: LoanView) -> None:
    if not loan.promises:
        _none(_("Promises to pay"))
        return
    listing = Listing(
        _("Promises to pay"),
        [
            Column("promise_id", _("promise")),
            Column("made_on", _("made on")),
            Column("due", _("due by")),
            Column("amount", _("amount"), "right", places=2),
            Column("outcome", _("outcome")),
            Column("decided_on", _("decided on")),
        ],
    )
    for p in loan.promises:
        outcome = label("promise", p.outcome)
        listing.add(p.promise_id, p.made_on, p.due, p.amount, outcome, p.decided_on)
    listing.print()


def _applications(loan: LoanView) -> None:
    if not loan.applications:
        _none(_("Hardship applications"))
        return
    listing = Listing(
        _("Hardship applications"),
        [
            Column("application_id", _("application")),
            Column("submitted_on", _("submitted on")),
            Column("reason", _("reason")),
            Column("status", _("status")),
            Column("vulnerable", _("vulnerable")),
        ],
    )
    for a in loan.applications:
        reason, status = label("hardship", a.reason), label("application", a.status)
        listing.add(a.application_id, a.submitted_on, reason, status, a.vulnerable)
    listing.print()


def _plans(loan: LoanView) -> None:
    if not loan.plans:
        _none(_("Plans"))
        return
    listing = Listing(
        _("Plans"),
        [
            Column("plan_id", _("plan")),
            Column("option_id", _("option")),
            Column("status", _("status")),
            Column("starts_on", _("starts on")),
            Column("expires_on", _("offer expires")),
            Column("required_role", _("approval by")),
            Column("approved_by", _("approved by")),
        ],
    )
    for p in loan.plans:
        status = label("plan", p.status)
        listing.add(
            p.plan_id, p.option_id, status, p.starts_on, p.expires_on, p.required_role,
            p.approved_by or "",
        )  # fmt: skip
    listing.print()


def _contacts(view: BorrowerView) -> None:
    console.print()
    if not view.contacts:
        _none(_("Contacts"))
        return
    listing = Listing(
        _("Contacts (newest first)"),
        [
            Column("at", _("at")),
            Column("debt_id", _("loan")),
            Column("channel", _("channel")),
            Column("target", _("with")),
            Column("outcome", _("outcome")),
            Column("result", _("result")),
            Column("inbound", _("inbound")),
        ],
    )
    for c in view.contacts:
        listing.add(
            c.at, c.debt_id, label("channel", c.channel), label("target", c.target),
            label("outcome", c.outcome), label("result", c.result), c.inbound,
        )  # fmt: skip
    listing.print()


def _holds(view: BorrowerView) -> None:
    if not view.holds:
        _none(_("Holds"))
        return
    listing = Listing(
        _("Holds"),
        [
            Column("hold_id", _("hold")),
            Column("kind", _("kind")),
            Column("debt_id", _("loan")),
            Column("starts_at", _("from")),
            Column("until", _("until")),
            Column("in_force", _("in force")),
            Column("reason", _("reason")),
        ],
    )
    for h in view.holds:
        listing.add(
            h.hold_id, label("hold", h.kind), h.debt_id or _("every loan"), h.starts_at,
            h.until, h.in_force, h.reason,
        )  # fmt: skip
    listing.print()
