"""The demo lenders' staff: one user per role on each demo platform, with a public password;
and one demo borrower per platform with a phone number, to try the borrower portal.

``make demo`` prints them (and the README lists them) so that anyone can open the
console and work as each role.  They are created by ``demo`` (their ``created_by``),
which ``tideover serve`` refuses outside demo mode: their password is public.  The
demo's borrowers have made-up phone numbers that nobody knows, so nobody could sign in
to the borrower portal; one delinquent borrower also gets the platform's public demo
number, and the sign-in code goes to the SMS sink file (demo mode sends no text).
"""

from __future__ import annotations

from collections.abc import Callable

from tideover.domain.contacts import parse_phone
from tideover.domain.identity import Role
from tideover.services.access.tokens import hash_password
from tideover.services.results import Result
from tideover.services.unit_of_work import UnitOfWork

DEMO_CREATOR = "demo"
# Public by construction (printed by `make demo`, in the README): demo mode only.
DEMO_PASSWORD = "tideover-demo-2026"
DEMO_AUTHOR, DEMO_REVIEWER = "demo-author", "demo-reviewer"

# (user name, roles): one per role, and the two who take the demo policy through four eyes.
DEMO_STAFF: tuple[tuple[str, tuple[Role, ...]], ...] = (
    ("admin", (Role.PLATFORM_ADMIN,)),
    ("manager", (Role.STRATEGY_MANAGER,)),
    ("cco", (Role.COMPLIANCE_OFFICER,)),
    ("lead", (Role.TEAM_LEAD,)),
    ("agent", (Role.COLLECTOR,)),
    ("auditor", (Role.AUDITOR,)),
    (DEMO_AUTHOR, (Role.STRATEGY_MANAGER,)),
    (DEMO_REVIEWER, (Role.COMPLIANCE_OFFICER, Role.STRATEGY_MANAGER)),
)


class DemoUser(Result):
    platform: str
    username: str
    roles: list[str]


def ensure_demo_users(*, uow_factory: Callable[[], UnitOfWork], platform: str) -> list[DemoUser]:
    """The demo staff of ``platform`` (created once, with the demo password)."""
    shown: list[DemoUser] = []
    password_hash: str | None = None
    with uow_factory() as uow:
        users = uow.users(platform)
        for username, roles in DEMO_STAFF:
            found = users.by_name(username)
            if found is None:
                password_hash = password_hash or hash_password(DEMO_PASSWORD)
                found = users.add(
                    username=username,
                    display_name=username,
                    roles=roles,
                    created_by=DEMO_CREATOR,
                )
                users.set_password_hash(found.user_id, password_hash)
            shown.append(
                DemoUser(platform=platform, username=username, roles=[r.value for r in roles])
            )
        uow.commit()
    return shown


# The demo's collector works as the staff user of the same name (the console matches a
# collector to the user whose name is the collector's id).
DEMO_COLLECTOR = "agent"
DEMO_COLLECTOR_CAPACITY = 60  # calls a day: enough for the demo book's human queue


def ensure_demo_collector(*, uow_factory: Callable[[], UnitOfWork], platform: str) -> bool:
    """The demo's collector on ``platform`` (licensed where the platform is, every queue),
    added once, so that the daily cycle gives ``agent`` a queue; True when it was added."""
    from tideover.services.platforms import settings_of
    from tideover.services.queues.collectors import add_collectors, build_collector

    with uow_factory() as uow:
        if uow.collectors(platform).get(DEMO_COLLECTOR) is not None:
            return False
        jurisdiction = settings_of(uow, platform).home_jurisdiction
    collector = build_collector(
        collector_id=DEMO_COLLECTOR,
        name="Demo agent",
        team="demo",
        jurisdictions=[jurisdiction],
        queues=["*"],
        daily_capacity=DEMO_COLLECTOR_CAPACITY,
    )
    add_collectors(uow=uow_factory(), platform=platform, collectors=[collector], by="admin")
    return True


# The number the demo borrower signs in with, by platform.  The US one is in the 555-01xx
# block that the North American Numbering Plan keeps for fiction; China keeps no such
# block, so an all-zero subscriber number.  Only the sink ever "receives" these.
DEMO_BORROWER_PHONES = {
    "demo-cn": "+8613000000000",
    "demo-cn-aggressive": "+8613000000000",
    "demo-us": "+12025550123",
}
# Early arrears first: the portal's hardship path has the most to offer there.
EARLY_ARREARS_DPD = 30


class DemoBorrower(Result):
    platform: str
    borrower_id: str
    phone: str


def ensure_demo_borrower(
    *, uow_factory: Callable[[], UnitOfWork], platform: str
) -> DemoBorrower | None:
    """The borrower of ``platform`` who signs in to the portal with its demo number.

    Chosen once, deterministically, from the latest delinquency snapshot: the borrower of
    the first loan by id in early arrears (1 to 30 days past due; else any in arrears).
    The number is added after theirs.  ``None`` when the platform has no demo number or
    nobody is in arrears.
    """
    phone = DEMO_BORROWER_PHONES.get(platform)
    if phone is None:
        return None
    with uow_factory() as uow:
        borrowers = uow.borrowers(platform)
        for known in borrowers.find_by_phone(phone):
            return DemoBorrower(platform=platform, borrower_id=known.borrower_id, phone=phone)
        dates = uow.delinquency(platform).dates()
        if not dates:
            return None
        late = [s for s in uow.delinquency(platform).for_date(dates[-1]).values() if s.dpd > 0]
        late.sort(key=lambda s: (s.dpd > EARLY_ARREARS_DPD, s.loan_id))
        number = parse_phone(phone)
        for status in late:
            loan = uow.loans(platform).get(status.loan_id)
            if loan is not None and borrowers.add_phone_if_new(loan.borrower_id, number):
                uow.commit()
                return DemoBorrower(platform=platform, borrower_id=loan.borrower_id, phone=phone)
    return None
