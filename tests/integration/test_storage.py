"""Storage round trips, platform isolation, PII at rest and transactions, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from tideover.adapters.pii import PiiCipher
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.allocation import Component
from tideover.domain.borrowers import Borrower, PhoneNumber
from tideover.domain.delinquency import DelinquencyStatus, PausePeriod
from tideover.domain.errors import Conflict, NotFound, UsageError, ValidationError
from tideover.domain.loans import (
    Frequency,
    Installment,
    Loan,
    LoanTerms,
    RepaymentMethod,
    Schedule,
)
from tideover.domain.money import CNY, USD, Currency, Money
from tideover.domain.payments import Payment

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
PHONE = "+8613812345678"
NATIONAL_ID = "11010519491231002X"


def borrower(platform: str, borrower_id: str = "B1", *, phone: str = PHONE) -> Borrower:
    return Borrower(
        platform=platform,
        borrower_id=borrower_id,
        name="王小明",
        phones=(
            PhoneNumber(phone, "CN", ("Asia/Shanghai",)),
            PhoneNumber("+12025550123", "US", ("America/New_York", "America/Chicago")),
        ),
        national_id=NATIONAL_ID,
        address="北京市朝阳区建国路 1 号",
        time_zone="Asia/Shanghai",
        locale="zh-CN",
        email="xm@example.com",
        attributes={"segment": "prime"},
    )


def loan(platform: str, loan_id: str = "L1", borrower_id: str = "B1", cur: Currency = CNY) -> Loan:
    parts = [("3300.00", "100.00"), ("3350.00", "50.00"), ("3350.00", "16.75")]
    installments = tuple(
        Installment(
            n + 1, date(2024, 2 + n, 15), Money.of(p, cur), Money.of(i, cur), Money.of("5", cur)
        )
        for n, (p, i) in enumerate(parts)
    )
    terms = LoanTerms(
        principal=Money.of("10000.00", cur),
        annual_rate=Decimal("0.12345678"),
        term=3,
        method=RepaymentMethod.EQUAL_PRINCIPAL,
        start_date=date(2024, 1, 15),
        first_due_date=date(2024, 2, 15),
        frequency=Frequency.MONTHLY,
    )
    return Loan(
        platform, loan_id, borrower_id, terms, Schedule(installments, cur), "cash", {"k": "v"}
    )


def payment(platform: str, payment_id: str, amount: str = "100.00", **kw: str) -> Payment:
    return Payment(platform, payment_id, "L1", Money.of(amount, CNY), date(2024, 2, 15), **kw)


def status(loan_id: str, as_of: date, dpd: int, bucket: str) -> DelinquencyStatus:
    return DelinquencyStatus(
        loan_id=loan_id,
        as_of=as_of,
        dpd=dpd,
        bucket=bucket,
        oldest_unpaid_due=date(2024, 2, 15) if dpd else None,
        overdue={
            Component.PENALTY: Money(12, CNY),
            Component.FEES: Money(500, CNY),
            Component.INTEREST: Money(10_000, CNY),
            Component.PRINCIPAL: Money(330_000, CNY),
        },
        outstanding_principal=Money(1_000_000, CNY),
    )


def seed(uow_factory: UowFactory, *platforms: str) -> None:
    """Each platform with borrower B1, loan L1 and nothing else."""
    with uow_factory() as uow:
        for code in platforms:
            uow.platforms.ensure(code, name=code.title(), currency=CNY, settings={"tz": "UTC"})
            uow.borrowers(code).add_many([borrower(code)])
            uow.loans(code).add_many([loan(code)])
        uow.commit()


# -- platforms -------------------------------------------------------------------------


def test_platform_ensure_is_idempotent_and_updates_settings(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        first = uow.platforms.ensure("alpha", name="Alpha", currency="CNY", settings={"a": 1})
        again = uow.platforms.ensure("alpha", name="Alpha", currency=CNY, settings={"a": 1})
        uow.commit()
    assert first == again
    assert first.currency == CNY
    with uow_factory() as uow:
        updated = uow.platforms.ensure("alpha", name="Alpha Ltd", currency=CNY, settings={"a": 2})
        uow.commit()
    with uow_factory() as uow:
        assert uow.platforms.list() == [updated]
        assert uow.platforms.get("alpha") == updated
        assert updated.settings == {"a": 2}
        assert uow.platforms.get("nope") is None


def test_platform_currency_cannot_change(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        uow.platforms.ensure("alpha", name="Alpha", currency=CNY, settings={})
        with pytest.raises(Conflict) as raised:
            uow.platforms.ensure("alpha", name="Alpha", currency=USD, settings={})
    assert "CNY" in raised.value.en
    assert "CNY" in raised.value.zh


def test_unknown_platform_is_not_found_in_both_languages(uow_factory: UowFactory) -> None:
    with uow_factory() as uow, pytest.raises(NotFound) as raised:
        uow.loans("ghost")
    assert "ghost" in raised.value.en
    assert "ghost" in raised.value.zh
    assert raised.value.en != raised.value.zh


# -- round trips -------------------------------------------------------------------------


def test_borrower_round_trip(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    with uow_factory() as uow:
        repo = uow.borrowers("alpha")
        assert repo.get("B1") == borrower("alpha")
        assert repo.get("B2") is None
        assert repo.existing_ids(["B1", "B2"]) == {"B1"}
        assert repo.count() == 1
        assert repo.list_all() == [borrower("alpha")]


def test_borrower_without_optional_fields_round_trips(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    bare = Borrower(platform="alpha", borrower_id="B2", name="Ann")
    with uow_factory() as uow:
        assert uow.borrowers("alpha").add_many([bare]) == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.borrowers("alpha").get("B2") == bare


def test_loan_round_trip_rebuilds_schedule_and_exact_rate(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    with uow_factory() as uow:
        repo = uow.loans("alpha")
        stored = repo.get("L1")
        assert stored == loan("alpha")
        assert stored is not None
        assert stored.terms.annual_rate == Decimal("0.12345678")
        assert isinstance(stored.terms.annual_rate, Decimal)
        assert repo.list_all() == [loan("alpha")]
        assert repo.existing_ids(["L1", "L9"]) == {"L1"}
        assert repo.count() == 1
        assert repo.get("L9") is None


def test_a_borrowers_loans_come_whole_and_in_the_order_stored(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha", "beta")
    with uow_factory() as uow:
        uow.loans("alpha").add_many([loan("alpha", "L0"), loan("alpha", "L3")])
        uow.commit()
    with uow_factory() as uow:
        repo = uow.loans("alpha")
        assert repo.for_borrower("B1") == [loan("alpha", n) for n in ("L1", "L0", "L3")]
        assert repo.for_borrower("B2") == []
        assert uow.loans("beta").for_borrower("B1") == [loan("beta")]


def test_rate_with_too_many_places_is_refused(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    base = loan("alpha", "L2")
    terms = LoanTerms(
        base.terms.principal,
        Decimal("0.123456789"),
        base.terms.term,
        base.terms.method,
        base.terms.start_date,
        base.terms.first_due_date,
    )
    with uow_factory() as uow, pytest.raises(ValidationError):
        uow.loans("alpha").add_many([Loan("alpha", "L2", "B1", terms, base.schedule)])


def test_loan_of_unknown_borrower_is_not_found(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    with uow_factory() as uow, pytest.raises(NotFound, match="B404"):
        uow.loans("alpha").add_many([loan("alpha", "L2", borrower_id="B404")])


def test_duplicate_loan_is_a_conflict(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    with uow_factory() as uow, pytest.raises(Conflict):
        uow.loans("alpha").add_many([loan("alpha")])


def test_payments_round_trip_with_reversal(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    paid = [
        payment("alpha", "P1", channel="bank"),
        payment("alpha", "P2", reverses="P1", channel="bank"),
        Payment("alpha", "P3", "L1", Money.of("0.01", CNY), date(2024, 1, 31)),
    ]
    with uow_factory() as uow:
        assert uow.payments("alpha").add_many(paid) == 3
        uow.commit()
    with uow_factory() as uow:
        repo = uow.payments("alpha")
        in_value_date_order = [paid[2], paid[0], paid[1]]
        assert repo.for_loan("L1") == in_value_date_order
        assert repo.by_loan() == {"L1": in_value_date_order}
        assert repo.existing(["P1", "P2", "P9"]) == {"P1": paid[0], "P2": paid[1]}
        assert repo.count() == 3
        assert repo.for_loan("L9") == []


def test_payment_in_another_currency_is_refused(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    dollars = Payment("alpha", "P1", "L1", Money.of("1", USD), date(2024, 2, 1))
    with uow_factory() as uow, pytest.raises(ValidationError):
        uow.payments("alpha").add_many([dollars])


def test_pauses_round_trip(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    later, earlier = (
        PausePeriod(date(2024, 5, 1), date(2024, 5, 31)),
        PausePeriod(date(2024, 3, 1), date(2024, 3, 10)),
    )
    with uow_factory() as uow:
        uow.loans("alpha").add_pause("L1", later, "hardship")
        uow.loans("alpha").add_pause("L1", earlier, "disaster")
        with pytest.raises(NotFound):
            uow.loans("alpha").add_pause("L9", later, "typo")
        uow.commit()
    with uow_factory() as uow:
        assert uow.loans("alpha").pauses_by_loan() == {"L1": [earlier, later]}


def test_delinquency_replace_is_idempotent(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    day1, day2 = date(2024, 3, 1), date(2024, 3, 2)
    for _ in range(2):
        with uow_factory() as uow:
            uow.delinquency("alpha").replace(day1, [status("L1", day1, 15, "M1")])
            uow.delinquency("alpha").replace(day2, [status("L1", day2, 0, "M0")])
            uow.commit()
    with uow_factory() as uow:
        repo = uow.delinquency("alpha")
        assert repo.for_date(day1) == {"L1": status("L1", day1, 15, "M1")}
        assert repo.for_date(day2) == {"L1": status("L1", day2, 0, "M0")}
        assert repo.dates() == [day1, day2]
        assert repo.previous_date(day2) == day1
        assert repo.previous_date(day1) is None
        repo.replace(day2, [status("L1", day2, 31, "M2")])
        assert repo.for_date(day2)["L1"].bucket == "M2"
        repo.replace(day2, [])
        assert repo.dates() == [day1]


def test_delinquency_status_dated_elsewhere_is_refused(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    with uow_factory() as uow, pytest.raises(ValidationError):
        uow.delinquency("alpha").replace(
            date(2024, 3, 2), [status("L1", date(2024, 3, 1), 1, "M1")]
        )


def test_import_batches_are_recorded_newest_first(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    with uow_factory() as uow:
        repo = uow.import_batches("alpha")
        first = repo.record(
            kind="loans",
            file_name="a.csv",
            sha256="0" * 64,
            rows=3,
            written=2,
            skipped=1,
            rejected=0,
        )
        second = repo.record(
            kind="payments",
            file_name="b.csv",
            sha256="f" * 64,
            rows=5,
            written=5,
            skipped=0,
            rejected=0,
        )
        uow.commit()
    assert first.created_at.tzinfo is not None
    with uow_factory() as uow:
        recent = uow.import_batches("alpha").recent(10)
    assert [r.file_name for r in recent] == ["b.csv", "a.csv"]
    assert recent[0] == second
    assert recent[0].created_at.utcoffset() == UTC.utcoffset(None)
    assert abs((recent[0].created_at - datetime.now(UTC)).total_seconds()) < 300


# -- platform isolation ------------------------------------------------------------------


def test_repositories_never_see_another_platforms_rows(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha", "beta")
    day = date(2024, 3, 1)
    with uow_factory() as uow:
        uow.payments("alpha").add_many([payment("alpha", "P1")])
        uow.loans("alpha").add_pause("L1", PausePeriod(day, day), "")
        uow.delinquency("alpha").replace(day, [status("L1", day, 15, "M1")])
        uow.import_batches("alpha").record(
            kind="loans",
            file_name="a.csv",
            sha256="0" * 64,
            rows=1,
            written=1,
            skipped=0,
            rejected=0,
        )
        uow.commit()
    with uow_factory() as uow:
        assert uow.borrowers("beta").find_by_phone(PHONE) == [borrower("beta")]
        assert uow.borrowers("beta").find_by_national_id(NATIONAL_ID) == [borrower("beta")]
        assert uow.loans("beta").get("L1") == loan("beta")
        assert uow.payments("beta").existing(["P1"]) == {}
        assert uow.payments("beta").by_loan() == {}
        assert uow.payments("beta").count() == 0
        assert uow.loans("beta").pauses_by_loan() == {}
        assert uow.delinquency("beta").dates() == []
        assert uow.delinquency("beta").for_date(day) == {}
        assert uow.import_batches("beta").recent(5) == []
        # The same external ids exist on both platforms without colliding.
        assert uow.loans("alpha").count() == uow.loans("beta").count() == 1
        assert uow.payments("alpha").count() == 1


def test_a_repository_refuses_another_platforms_objects(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha", "beta")
    with uow_factory() as uow:
        with pytest.raises(ValidationError, match="beta"):
            uow.payments("alpha").add_many([payment("beta", "P1")])
        with pytest.raises(ValidationError, match="beta"):
            uow.borrowers("alpha").add_many([borrower("beta", "B2")])


def test_the_database_refuses_a_cross_platform_reference(engine: Engine) -> None:
    """Even raw SQL cannot book beta's payment on alpha's loan: the key includes the platform."""
    with engine.begin() as connection:
        for code in ("alpha", "beta"):
            connection.execute(
                text(
                    "INSERT INTO platforms (code, name, currency, settings, created_at) "
                    "VALUES (:c, :c, 'CNY', '{}', CURRENT_TIMESTAMP)"
                ),
                {"c": code},
            )
        ids: dict[str, int] = dict(connection.execute(text("SELECT code, id FROM platforms")).all())
        connection.execute(
            text(
                "INSERT INTO borrowers (platform_id, borrower_id, name, address, locale, "
                "attributes) VALUES (:p, 'B1', 'x', '', 'en', '{}')"
            ),
            {"p": ids["alpha"]},
        )
    with pytest.raises(IntegrityError, match=r"(?i)foreign key"), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO borrower_phones (platform_id, borrower_pk, position, "
                "e164_ciphertext, e164_hash, region, time_zones) "
                "SELECT :beta, id, 0, 'x', 'x', 'CN', '[]' FROM borrowers"
            ),
            {"beta": ids["beta"]},
        )


# -- personal data at rest ---------------------------------------------------------------


def test_pii_is_encrypted_at_rest(uow_factory: UowFactory, engine: Engine) -> None:
    seed(uow_factory, "alpha")
    with engine.connect() as connection:
        borrowers = connection.execute(
            text("SELECT national_id_ciphertext, national_id_hash FROM borrowers")
        ).one()
        phones = connection.execute(
            text("SELECT e164_ciphertext, e164_hash FROM borrower_phones ORDER BY position")
        ).all()
    stored = " ".join(str(value) for row in [borrowers, *phones] for value in row)
    for secret in (NATIONAL_ID, PHONE, PHONE[1:], "13812345678", "2025550123"):
        assert secret not in stored
    assert len(phones) == 2


def test_look_up_by_keyed_hash_normalises_input(
    uow_factory: UowFactory, cipher: PiiCipher, engine: Engine
) -> None:
    seed(uow_factory, "alpha")
    with uow_factory() as uow:
        repo = uow.borrowers("alpha")
        assert repo.find_by_phone("+86 138-1234-5678") == [borrower("alpha")]
        assert repo.find_by_phone("+12025550123") == [borrower("alpha")]
        assert repo.find_by_national_id(NATIONAL_ID.lower()) == [borrower("alpha")]
        assert repo.find_by_phone("+8613800000000") == []
    with engine.connect() as connection:
        stored_hash = connection.execute(text("SELECT national_id_hash FROM borrowers")).scalar()
    assert stored_hash == cipher.lookup_hash(NATIONAL_ID)


# -- transactions ----------------------------------------------------------------------


def _crash_mid_import(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        uow.borrowers("alpha").add_many([borrower("alpha", "B2")])
        uow.payments("alpha").add_many([payment("alpha", "P1")])
        raise RuntimeError("crash mid-import")


def test_leaving_without_commit_rolls_back(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    with pytest.raises(RuntimeError):
        _crash_mid_import(uow_factory)
    with uow_factory() as uow:
        uow.borrowers("alpha").add_many([borrower("alpha", "B3")])  # forgot to commit
    with uow_factory() as uow:
        assert uow.borrowers("alpha").existing_ids(["B1", "B2", "B3"]) == {"B1"}
        assert uow.payments("alpha").count() == 0


def _import_with_a_duplicate(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        uow.loans("alpha").add_many([loan("alpha", "L2")])
        uow.loans("alpha").add_many([loan("alpha", "L3"), loan("alpha", "L1")])
        uow.commit()


def test_a_failed_write_leaves_the_last_committed_state(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    with pytest.raises(Conflict):
        _import_with_a_duplicate(uow_factory)
    with uow_factory() as uow:
        assert uow.loans("alpha").existing_ids(["L1", "L2", "L3"]) == {"L1"}


# -- bulk writes ---------------------------------------------------------------------------

BULK = 1200  # above the size at which PostgreSQL switches from INSERT to COPY


def test_bulk_writes_round_trip(uow_factory: UowFactory) -> None:
    borrowers = [borrower("alpha", f"B{n}", phone=f"+86139{n:08d}") for n in range(BULK)]
    loans = [loan("alpha", f"L{n}", f"B{n}") for n in range(BULK)]
    payments = [
        Payment("alpha", f"P{n}", f"L{n}", Money(100 + n, CNY), date(2024, 2, 15))
        for n in range(BULK)
    ]
    with uow_factory() as uow:
        uow.platforms.ensure("alpha", name="Alpha", currency=CNY, settings={})
        assert uow.borrowers("alpha").add_many(borrowers) == BULK
        assert uow.loans("alpha").add_many(loans) == BULK
        assert uow.payments("alpha").add_many(payments) == BULK
        uow.commit()
    with uow_factory() as uow:
        assert uow.borrowers("alpha").list_all() == borrowers
        assert uow.borrowers("alpha").find_by_phone("+8613900000777") == [borrowers[777]]
        assert uow.loans("alpha").list_all() == loans
        assert uow.payments("alpha").by_loan()["L999"] == [payments[999]]
        assert uow.payments("alpha").count() == BULK


def test_call_profiles_agree_with_the_borrowers_they_are_read_for(
    uow_factory: UowFactory, cipher: PiiCipher
) -> None:
    """The gate's light read (time zones and the first number's look-up hash, nothing
    decrypted) gives what the full borrowers give, past the size of one IN-list chunk."""
    zones = ("Asia/Shanghai",), ("America/New_York", "America/Chicago"), ()
    borrowers = [
        Borrower(
            "alpha",
            f"B{n}",
            f"Borrower {n}",
            phones=tuple(
                PhoneNumber(f"+1202555{n:04d}", "US", zones[(n + k) % 3]) for k in range(n % 3)
            ),
            time_zone="Asia/Shanghai" if n % 4 == 0 else None,
        )
        for n in range(BULK)
    ]
    with uow_factory() as uow:
        uow.platforms.ensure("alpha", name="Alpha", currency=CNY, settings={})
        uow.platforms.ensure("beta", name="Beta", currency=CNY, settings={})
        uow.borrowers("alpha").add_many(borrowers)
        uow.borrowers("beta").add_many([borrower("beta", "B7")])
        uow.commit()
    wanted = [b.borrower_id for b in borrowers] + ["missing"]
    with uow_factory() as uow:
        profiles = uow.borrowers("alpha").call_profiles(wanted)
        assert uow.borrowers("beta").call_profiles(["B8", "B9"]) == {}
    assert set(profiles) == {b.borrower_id for b in borrowers}
    for b in borrowers:
        profile = profiles[b.borrower_id]
        assert profile.zones == b.candidate_time_zones
        assert profile.number == (cipher.lookup_hash(b.phones[0].e164) if b.phones else None)
    assert {len(p.zones) for p in profiles.values()} == {0, 1, 2}


def test_a_duplicate_inside_a_bulk_write_is_a_conflict(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha")
    payments = [payment("alpha", f"P{n}") for n in range(BULK)] + [payment("alpha", "P7")]
    with uow_factory() as uow, pytest.raises(Conflict, match="P7"):
        uow.payments("alpha").add_many(payments)


def test_a_database_refusal_inside_a_bulk_write_is_a_conflict(uow_factory: UowFactory) -> None:
    """A repeated installment number is caught by the unique key, through INSERT or COPY."""
    seed(uow_factory, "alpha")
    base = loan("alpha", "L2")
    one = base.schedule.installments[0]
    repeated = (one,) * BULK
    bad = Loan("alpha", "L2", "B1", base.terms, Schedule(repeated, CNY))
    with uow_factory() as uow, pytest.raises(Conflict, match="installments"):
        uow.loans("alpha").add_many([bad])


def test_a_unit_of_work_is_used_inside_one_with_block(uow_factory: UowFactory) -> None:
    uow = uow_factory()
    with pytest.raises(UsageError):
        uow.loans("alpha")
    with uow, pytest.raises(UsageError):
        uow.__enter__()


def test_get_many_returns_only_this_platforms_stored_rows(uow_factory: UowFactory) -> None:
    seed(uow_factory, "alpha", "beta")
    with uow_factory() as uow:
        uow.borrowers("alpha").add_many([borrower("alpha", "B2", phone="+8613900139000")])
        uow.loans("alpha").add_many([loan("alpha", "L2", "B2")])
        uow.commit()
    with uow_factory() as uow:
        assert uow.loans("alpha").get_many(["L1", "L2", "L9"]) == {
            "L1": loan("alpha"),
            "L2": loan("alpha", "L2", "B2"),
        }
        assert uow.loans("beta").get_many(["L1", "L2"]) == {"L1": loan("beta")}
        assert set(uow.borrowers("alpha").get_many(["B1", "B2", "B9"])) == {"B1", "B2"}
        assert uow.borrowers("beta").get_many([]) == {}
