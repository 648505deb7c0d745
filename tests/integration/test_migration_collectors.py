"""Revision 0007 on SQLite and PostgreSQL: collectors, callbacks, queue item assignment columns."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from tideover.adapters.database import MIGRATIONS_DIR, current_revision, make_engine, migrate

NEW_COLUMNS = {
    "jurisdiction",
    "precedence",
    "callback_at",
    "assigned_at",
    "assigned_by",
}
OLD_ITEM = (
    "INSERT INTO queue_items (platform_id, as_of, account_id, borrower_id, step, channel, tone, "
    "segment, arm, treatment, state, rescheduled, rule_ids, run_id, queue, priority, offers, "
    "summary) VALUES (1, '2026-01-05', 'L1', 'B1', 't#0', 'human_call', 'neutral', 's', '', "
    "'t', 'open', false, '[]', 1, 'early', 5, '[]', '{}')"
)


def _downgrade(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_0007_keeps_old_items_valid_and_comes_and_goes(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine, "0006")
        with engine.begin() as connection:
            for code in ("alpha", "beta"):
                connection.execute(
                    text(
                        "INSERT INTO platforms (code, name, currency, settings) "
                        f"VALUES ('{code}', '{code}', 'USD', '{{}}')"
                    )
                )
            connection.execute(text(OLD_ITEM))
        migrate(engine, "0007")
        assert current_revision(engine) == "0007"
        names = set(inspect(engine).get_table_names())
        assert {"collectors", "callback_requests"} <= names
        with engine.begin() as connection:
            old = connection.execute(
                text("SELECT jurisdiction, precedence, assigned_to, state FROM queue_items")
            ).one()
            assert tuple(old) == ("", 0, None, "open")  # unknown jurisdiction: nobody's
            connection.execute(
                text(
                    "INSERT INTO collectors (platform_id, collector_id, name, team, role, "
                    "jurisdictions, queues, daily_capacity, active) VALUES "
                    "(2, 'zed', 'Zed', 't', 'collector', '[\"US\"]', '[\"*\"]', 5, true)"
                )
            )
        # The item of platform 1 cannot name platform 2's collector, nor be assigned to nobody.
        for change in (
            "SET assigned_to = 'zed', state = 'assigned'",
            "SET state = 'assigned'",
            "SET precedence = 3",
        ):
            with engine.begin() as connection:
                try:
                    connection.execute(text(f"UPDATE queue_items {change}"))
                except IntegrityError:
                    continue
                raise AssertionError(f"the database accepted {change}")
        _downgrade(engine, "0006")
        assert current_revision(engine) == "0006"
        assert not {"collectors", "callback_requests"} & set(inspect(engine).get_table_names())
        columns = {c["name"] for c in inspect(engine).get_columns("queue_items")}
        assert not NEW_COLUMNS & columns
        uniques = {u["name"] for u in inspect(engine).get_unique_constraints("queue_items")}
        assert "uq_queue_items_platform_id_account_id_as_of_step" in uniques
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM queue_items")).scalar() == 1
        migrate(engine, "0007")
        assert current_revision(engine) == "0007"
    finally:
        engine.dispose()
