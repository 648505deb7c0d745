"""Migrations build the schema the ORM expects, rerun cleanly, and engines fail kindly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tideover.adapters.database import (
    MIGRATIONS_DIR,
    check_connection,
    current_revision,
    head_revision,
    make_engine,
    migrate,
    normalise_url,
)
from tideover.adapters.orm import Base
from tideover.domain.errors import ConfigurationError, DataUnavailable

TABLES = {
    "platforms",
    "borrowers",
    "borrower_phones",
    "loans",
    "installments",
    "payments",
    "loan_pauses",
    "delinquency_snapshots",
    "import_batches",
    "contact_events",
    "audit_records",
    "audit_heads",
    "policy_versions",
    "policy_events",
    "cycle_runs",
    "outbox_messages",
    "queue_items",
    "kpi_snapshots",
    "hardship_applications",
    "hardship_evidence",
    "relief_plans",
    "plan_approvals",
    "schedule_versions",
    "promises_to_pay",
    "contact_holds",
    "collectors",
    "callback_requests",
    "policy_simulations",
}


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _to(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Migrates ``engine`` up (or ``down``) to ``revision``."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_upgrade_from_empty_builds_the_orm_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None
        migrate(engine)
        assert current_revision(engine) == head_revision() == "0013"
        assert set(inspect(engine).get_table_names()) >= TABLES
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_migrate_reruns_cleanly_and_keeps_data(database_url: str) -> None:
    migrate(database_url)  # from a URL: the engine is made and disposed inside
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO platforms (code, name, currency, settings) "
                    "VALUES ('alpha', 'Alpha', 'CNY', '{}')"
                )
            )
        migrate(engine)
        migrate(engine, "head")
        assert current_revision(engine) == "0013"
        with engine.connect() as connection:
            created = connection.execute(text("SELECT created_at FROM platforms")).scalar()
        assert created is not None  # the server default fills it
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        _to(engine, "base", down=True)
        assert current_revision(engine) is None
        assert not TABLES & set(inspect(engine).get_table_names())
        migrate(engine)
        assert current_revision(engine) == "0013"
    finally:
        engine.dispose()


def test_sqlite_engine_is_tuned(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'tideover.db'}")
    try:
        with engine.connect() as connection:
            pragmas = [
                connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("foreign_keys", "journal_mode", "synchronous")
            ]
        assert pragmas == [1, "wal", 1]  # synchronous=1 is NORMAL
        assert (tmp_path / "nested" / "dir" / "tideover.db").exists()
    finally:
        engine.dispose()


def test_plain_postgresql_urls_use_psycopg() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unsupported_url_is_a_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        make_engine(url)
    assert raised.value.zh != raised.value.en


def test_unreachable_postgresql_is_data_unavailable() -> None:
    engine = make_engine("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    try:
        with pytest.raises(DataUnavailable) as raised:
            migrate(engine)
    finally:
        engine.dispose()
    assert "127.0.0.1:1" in raised.value.en
    assert "无法连接数据库" in raised.value.zh
    assert "secret" not in raised.value.en  # the password is never shown


def test_unopenable_sqlite_file_is_data_unavailable(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}")  # a directory, not a file
    try:
        with pytest.raises(DataUnavailable):
            check_connection(engine)
        with pytest.raises(DataUnavailable):
            current_revision(engine)
    finally:
        engine.dispose()


def test_policy_tables_come_and_go_with_revision_0003(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        _to(engine, "0002", down=True)
        assert current_revision(engine) == "0002"
        names = set(inspect(engine).get_table_names())
        assert "audit_records" in names
        assert not {"policy_versions", "policy_events"} & names
        if engine.dialect.name == "postgresql":  # the trigger function goes too (this schema)
            with engine.connect() as connection:
                left = connection.execute(
                    text(
                        "SELECT count(*) FROM pg_proc p JOIN pg_namespace n "
                        "ON n.oid = p.pronamespace "
                        "WHERE p.proname = :name AND n.nspname = current_schema()"
                    ),
                    {"name": "tideover_policy_version_frozen"},
                ).scalar()
            assert left == 0
        migrate(engine)
        assert current_revision(engine) == "0013"
        indexes = {i["name"] for i in inspect(engine).get_indexes("policy_versions")}
        assert "ux_policy_versions_one_active" in indexes
    finally:
        engine.dispose()


CYCLE_TABLES = {"cycle_runs", "outbox_messages", "queue_items", "kpi_snapshots"}


def test_cycle_tables_come_and_go_with_revision_0004(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        _to(engine, "0003", down=True)
        assert current_revision(engine) == "0003"
        names = set(inspect(engine).get_table_names())
        assert "policy_versions" in names
        assert not CYCLE_TABLES & names
        migrate(engine)
        assert current_revision(engine) == head_revision()
        uniques = {u["name"] for u in inspect(engine).get_unique_constraints("outbox_messages")}
        assert "uq_outbox_messages_platform_id_account_id_as_of_step" in uniques
    finally:
        engine.dispose()


def test_holds_table_comes_and_goes_with_revision_0006(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        _to(engine, "0005", down=True)
        assert current_revision(engine) == "0005"
        names = set(inspect(engine).get_table_names())
        assert "promises_to_pay" in names
        assert "contact_holds" not in names
        migrate(engine)
        assert current_revision(engine) == head_revision() == "0013"
        uniques = {u["name"] for u in inspect(engine).get_unique_constraints("contact_holds")}
        assert "uq_contact_holds_platform_id_source_attempt_id_kind" in uniques
    finally:
        engine.dispose()


def test_governance_tables_come_and_go_with_revision_0008(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        _to(engine, "0007", down=True)
        names = set(inspect(engine).get_table_names())
        assert not {"users", "pii_keys", "cycle_rollbacks"} & names
        migrate(engine)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO platforms (code, name, currency, settings) "
                    "VALUES ('alpha', 'Alpha', 'CNY', '{}')"
                )
            )
            platform = connection.execute(text("SELECT id FROM platforms")).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO users (platform_id, username, name_key, display_name, roles, "
                    "active, created_by) VALUES (:p, 'Ops1', 'ops1', 'Ops', '[]', true, 'init')"
                ),
                {"p": platform},
            )
        # The same name key twice is refused by the database itself.
        with pytest.raises(DBAPIError), engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (platform_id, username, name_key, display_name, roles, "
                    "active, created_by) VALUES (:p, 'OPS1', 'ops1', 'Ops', '[]', true, 'init')"
                ),
                {"p": platform},
            )
        # A roll-back decided by its requester is refused by the database itself.
        with engine.connect() as connection:
            user = connection.execute(text("SELECT id FROM users")).scalar_one()
        with pytest.raises(DBAPIError), engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO cycle_rollbacks (platform_id, request_id, to_date, reason, "
                    "state, requested_by, requested_at, decided_by, decided_at) VALUES "
                    "(:p, 'R1', '2026-11-30', 'x', 'done', :u, '2026-12-01T00:00:00+00:00', :u, "
                    "'2026-12-01T00:00:00+00:00')"
                ),
                {"p": platform, "u": user},
            )
    finally:
        engine.dispose()


def test_simulations_table_comes_and_goes_with_revision_0010(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        _to(engine, "0009", down=True)
        assert current_revision(engine) == "0009"
        names = set(inspect(engine).get_table_names())
        assert "jobs" in names
        assert "policy_simulations" not in names
        migrate(engine)
        assert current_revision(engine) == head_revision() == "0013"
        uniques = {u["name"] for u in inspect(engine).get_unique_constraints("policy_simulations")}
        assert "uq_policy_simulations_platform_id_version" in uniques
    finally:
        engine.dispose()


def _snapshot_keys(engine: Engine) -> set[str]:
    return {
        key["referred_table"] for key in inspect(engine).get_foreign_keys("delinquency_snapshots")
    }


def _loan_key_on_delete(engine: Engine) -> str | None:
    (key,) = (
        key
        for key in inspect(engine).get_foreign_keys("delinquency_snapshots")
        if key["referred_table"] == "loans"
    )
    on_delete: str | None = key["options"].get("ondelete")
    return on_delete


_ORPHAN = text(
    "INSERT INTO delinquency_snapshots (platform_id, loan_pk, as_of, dpd, bucket, "
    "overdue_principal_minor, overdue_interest_minor, overdue_fees_minor, "
    "overdue_penalty_minor, outstanding_principal_minor, currency) "
    "VALUES (7, 99, '2026-12-01', 0, 'current', 0, 0, 0, 0, 0, 'CNY')"
)


def test_the_bucket_history_drops_its_keys_in_revisions_0012_and_0013(database_url: str) -> None:
    """Revision 0012 drops the history's platform key (its loan key implies it), 0013 its
    loan key (the repository checks a date's loans in one join instead); going back
    deletes the history of loans that are gone and restores each key, which refuses a row
    of no loan again."""
    engine = make_engine(database_url)
    try:
        _to(engine, "0012")
        assert _snapshot_keys(engine) == {"loans"}
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO platforms (id, code, name, currency, settings) "
                    "VALUES (7, 'alpha', 'Alpha', 'CNY', '{}')"
                )
            )
        with engine.begin() as connection, pytest.raises(IntegrityError):
            connection.execute(_ORPHAN)
        migrate(engine)
        assert _snapshot_keys(engine) == set()
        with engine.begin() as connection:  # the database no longer refuses it
            connection.execute(_ORPHAN)
        # the downgrade deletes the history of loans that are gone, as the key's CASCADE
        # would have, then puts the key back
        _to(engine, "0011", down=True)
        assert _snapshot_keys(engine) == {"loans", "platforms"}
        assert _loan_key_on_delete(engine) == "CASCADE"
        with engine.connect() as connection:
            count = "SELECT count(*) FROM delinquency_snapshots"
            assert connection.execute(text(count)).scalar() == 0
        migrate(engine)
        assert _snapshot_keys(engine) == set()
        _to(engine, "0012", down=True)
        assert _snapshot_keys(engine) == {"loans"}
        assert _loan_key_on_delete(engine) == "CASCADE"
        with engine.begin() as connection, pytest.raises(IntegrityError):
            connection.execute(_ORPHAN)
    finally:
        engine.dispose()


def test_revisions_0012_and_0013_keep_the_bucket_history_rows_both_ways(database_url: str) -> None:
    """SQLite rebuilds the table to drop or add a key: every stored row comes through the
    upgrades and the downgrades unchanged, and the loan key restored holds them."""
    engine = make_engine(database_url)
    history = text(
        "SELECT platform_id, loan_pk, as_of, dpd, bucket, overdue_principal_minor, "
        "overdue_penalty_minor, outstanding_principal_minor, currency "
        "FROM delinquency_snapshots ORDER BY as_of"
    )
    try:
        _to(engine, "0011")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO platforms (id, code, name, currency, settings) "
                    "VALUES (7, 'alpha', 'Alpha', 'CNY', '{}')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO borrowers (id, platform_id, borrower_id, name, address, "
                    "locale, attributes) VALUES (3, 7, 'B-1', 'x', 'x', 'zh-CN', '{}')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO loans (id, platform_id, loan_id, borrower_pk, product, "
                    "currency, principal_minor, annual_rate, term, method, frequency, "
                    "start_date, first_due_date, attributes) VALUES (5, 7, 'L-1', 3, "
                    "'cash', 'CNY', 1200000, 0.18, 12, 'equal_installment', 'monthly', "
                    "'2026-01-01', '2026-02-01', '{}')"
                )
            )
            for day, dpd, bucket in (("2026-11-29", 29, "M1"), ("2026-11-30", 30, "M2")):
                connection.execute(
                    text(
                        "INSERT INTO delinquency_snapshots (platform_id, loan_pk, as_of, dpd, "
                        "bucket, overdue_principal_minor, overdue_interest_minor, "
                        "overdue_fees_minor, overdue_penalty_minor, "
                        "outstanding_principal_minor, currency) VALUES (7, 5, :day, :dpd, "
                        ":bucket, 100001, 2, 3, 44, 1100000, 'CNY')"
                    ),
                    {"day": day, "dpd": dpd, "bucket": bucket},
                )
        with engine.connect() as connection:
            before = connection.execute(history).all()
        assert len(before) == 2
        migrate(engine)
        assert _snapshot_keys(engine) == set()
        with engine.connect() as connection:
            assert connection.execute(history).all() == before
        _to(engine, "0011", down=True)
        assert _snapshot_keys(engine) == {"loans", "platforms"}
        with engine.connect() as connection:
            assert connection.execute(history).all() == before
        migrate(engine)
        _to(engine, "0012", down=True)
        assert _snapshot_keys(engine) == {"loans"}
        with engine.connect() as connection:
            assert connection.execute(history).all() == before
        with engine.begin() as connection, pytest.raises(IntegrityError):
            connection.execute(
                text(
                    "INSERT INTO delinquency_snapshots (platform_id, loan_pk, as_of, dpd, "
                    "bucket, overdue_principal_minor, overdue_interest_minor, "
                    "overdue_fees_minor, overdue_penalty_minor, outstanding_principal_minor, "
                    "currency) VALUES (7, 6, '2026-12-01', 0, 'current', 0, 0, 0, 0, 0, 'CNY')"
                )
            )
    finally:
        engine.dispose()
