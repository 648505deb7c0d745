"""The collector's workbench over HTTP: the queue page, the borrower 360 and "may I call now?".

Two steps, on a PostgreSQL database (``--url``):

``build`` writes platform ``bench``: ``--base`` loans of ``bench/stored_portfolio.py``
through the repositories (borrowers, loans, schedules, payments, pauses, plans), then
copies them in SQL (new ids ``C<n>…``) up to ``--loans``; ten daily delinquency
snapshots per loan (12 % of loans in arrears, DPD from a hash of the loan id, so the
same loan is late in every copy of a run); today's queue items for the loans in arrears
whose borrower has a time zone — 60 for each of 200 collectors ``c000``…``c199``, the
rest open — and three earlier days of them, worked, each with a call in the contact
ledger; a user per collector and a team lead ``lead``.

``run`` serves the app with uvicorn (``--workers``) on loopback, signs in ``--users``
collectors, and loads each endpoint with ``wrk`` (``apt-get install wrk``) for
``--duration`` seconds over ``--connections`` connections; each request is one of the
signed-in collectors (round robin) asking for one of their own items or borrowers.
The floor is ``GET /bench/ping`` (a route of this script's app that does nothing) and
``GET /api/v1/me`` (a signed-in request that does nothing else).

    .venv/bin/python bench/web_bench.py build --url postgresql+psycopg://postgres@127.0.0.1/webbench
    .venv/bin/python bench/web_bench.py run --url postgresql+psycopg://postgres@127.0.0.1/webbench
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
from sqlalchemy import Connection, text

from tideover.adapters.database import make_engine, migrate, session_factory
from tideover.adapters.pii import PiiCipher
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.bootstrap import open_app
from tideover.config import Settings
from tideover.domain.clock import FixedClock
from tideover.services.access.tokens import hash_password
from tideover.services.identity.users import add_user

sys.path.insert(0, str(Path(__file__).parent))
from stored_portfolio import DEFAULT_AS_OF, PLATFORM, build_stored_portfolio

BENCH_KEY = base64.urlsafe_b64encode(b"tideover-test-key-0123456789abcd").decode()
PASSWORD = "bench horse battery staple"
COLLECTORS = 200
PER_COLLECTOR = 60
SNAPSHOT_DAYS = 10
EARLIER_DAYS = 3
# 11:00 in Shanghai on the portfolio's business date: inside every calling window.
CLOCK = FixedClock(
    datetime(DEFAULT_AS_OF.year, DEFAULT_AS_OF.month, DEFAULT_AS_OF.day, 3, 0, tzinfo=UTC)
)


# --- build ------------------------------------------------------------------------------------


def _uow_factory(url: str) -> Any:
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    cipher = PiiCipher(BENCH_KEY)
    return engine, (lambda: SqlAlchemyUnitOfWork(sessions, cipher))


def _step(label: str, con: Connection, sql: str, **params: Any) -> None:
    started = time.perf_counter()
    result = con.execute(text(sql), params)
    con.commit()
    print(f"  {label}: {result.rowcount} rows, {time.perf_counter() - started:.1f} s", flush=True)


def build(args: argparse.Namespace) -> None:
    engine, uow = _uow_factory(args.url)
    with engine.connect() as con:
        base = con.execute(
            text(
                "SELECT count(*) FROM loans l JOIN platforms p ON p.id = l.platform_id "
                "WHERE p.code = :p AND l.loan_id NOT LIKE 'C%'"
            ),
            {"p": PLATFORM},
        ).scalar_one()
    if base < args.base:
        print(f"writing {args.base} loans through the repositories…", flush=True)
        started = time.perf_counter()
        print(build_stored_portfolio(uow, args.base), f"{time.perf_counter() - started:.0f} s")
        base = args.base
    with engine.connect() as con:
        pid = con.execute(
            text("SELECT id FROM platforms WHERE code = :p"), {"p": PLATFORM}
        ).scalar_one()
        _copies(con, pid, base, args.loans)
        _snapshots(con, pid)
        _queue(con, pid)
        _contacts(con, pid)
        _step("analyze", con, "ANALYZE")
    _people(uow)


def _copies(con: Connection, pid: int, base: int, wanted: int) -> None:
    copies = -(-wanted // base) - 1
    for n in range(1, copies + 1):
        prefix = f"C{n}"
        if con.execute(
            text("SELECT 1 FROM loans WHERE platform_id = :pid AND loan_id LIKE :p LIMIT 1"),
            {"pid": pid, "p": prefix + "%"},
        ).first():
            continue
        limit = min(base, wanted - n * base)
        print(f"copy {n}: {limit} loans", flush=True)
        keep = "l.loan_id NOT LIKE 'C%' ORDER BY l.id LIMIT :limit"
        _step(
            "borrowers",
            con,
            f"""
            INSERT INTO borrowers (platform_id, borrower_id, name, national_id_ciphertext,
                national_id_hash, address, time_zone, locale, email, attributes)
            SELECT b.platform_id, :prefix || b.borrower_id, b.name, b.national_id_ciphertext,
                b.national_id_hash, b.address, b.time_zone, b.locale, b.email, b.attributes
            FROM borrowers b WHERE b.id IN (
                SELECT l.borrower_pk FROM loans l WHERE l.platform_id = :pid AND {keep})
            """,
            pid=pid,
            prefix=prefix,
            limit=limit,
        )
        _step(
            "phones",
            con,
            """
            INSERT INTO borrower_phones (platform_id, borrower_pk, position, e164_ciphertext,
                e164_hash, region, time_zones)
            SELECT p.platform_id, nb.id, p.position, p.e164_ciphertext, p.e164_hash, p.region,
                p.time_zones
            FROM borrower_phones p JOIN borrowers b ON b.id = p.borrower_pk
            JOIN borrowers nb ON nb.platform_id = b.platform_id
                AND nb.borrower_id = :prefix || b.borrower_id
            WHERE p.platform_id = :pid
            """,
            pid=pid,
            prefix=prefix,
        )
        _step(
            "loans",
            con,
            f"""
            INSERT INTO loans (platform_id, borrower_pk, loan_id, product, currency,
                principal_minor, annual_rate, term, method, frequency, start_date,
                first_due_date, attributes)
            SELECT l.platform_id, nb.id, :prefix || l.loan_id, l.product, l.currency,
                l.principal_minor, l.annual_rate, l.term, l.method, l.frequency, l.start_date,
                l.first_due_date, l.attributes
            FROM loans l JOIN borrowers b ON b.id = l.borrower_pk
            JOIN borrowers nb ON nb.platform_id = b.platform_id
                AND nb.borrower_id = :prefix || b.borrower_id
            WHERE l.platform_id = :pid AND {keep}
            """,
            pid=pid,
            prefix=prefix,
            limit=limit,
        )
        mapped = """
            FROM {table} x JOIN loans l ON l.id = x.loan_pk
            JOIN loans nl ON nl.platform_id = l.platform_id AND nl.loan_id = :prefix || l.loan_id
            WHERE x.platform_id = :pid
        """
        _step(
            "installments",
            con,
            """
            INSERT INTO installments (platform_id, loan_pk, number, due_date, principal_minor,
                interest_minor, fees_minor)
            SELECT x.platform_id, nl.id, x.number, x.due_date, x.principal_minor,
                x.interest_minor, x.fees_minor
            """
            + mapped.format(table="installments"),
            pid=pid,
            prefix=prefix,
        )
        _step(
            "payments",
            con,
            """
            INSERT INTO payments (platform_id, loan_pk, payment_id, amount_minor, currency,
                paid_on, reverses, channel)
            SELECT x.platform_id, nl.id, :prefix || x.payment_id, x.amount_minor, x.currency,
                x.paid_on, CASE WHEN x.reverses IS NULL THEN NULL ELSE :prefix || x.reverses END,
                x.channel
            """
            + mapped.format(table="payments"),
            pid=pid,
            prefix=prefix,
        )
        _step(
            "pauses",
            con,
            """
            INSERT INTO loan_pauses (platform_id, loan_pk, start_date, end_date, reason)
            SELECT x.platform_id, nl.id, x.start_date, x.end_date, x.reason
            """
            + mapped.format(table="loan_pauses"),
            pid=pid,
            prefix=prefix,
        )


# DPD of a loan on the last date: 12 % of loans in arrears, 1 to 180 days (a hash, not random,
# so that a rerun gives the same book); each earlier day one day less.
_DPD = """
    CASE WHEN abs(hashtext(l.loan_id)) % 100 < 12
         THEN greatest(1 + abs(hashtext(l.loan_id || 'd')) % 180 - d.back, 0) ELSE 0 END
"""
_BUCKET = """
    CASE WHEN dpd = 0 THEN 'M0' WHEN dpd <= 30 THEN 'M1' WHEN dpd <= 60 THEN 'M2'
         WHEN dpd <= 90 THEN 'M3' WHEN dpd <= 120 THEN 'M4' WHEN dpd <= 150 THEN 'M5'
         WHEN dpd <= 180 THEN 'M6' ELSE 'M6+' END
"""


def _snapshots(con: Connection, pid: int) -> None:
    if con.execute(
        text("SELECT 1 FROM delinquency_snapshots WHERE platform_id = :pid LIMIT 1"), {"pid": pid}
    ).first():
        return
    _step(
        "delinquency snapshots",
        con,
        f"""
        INSERT INTO delinquency_snapshots (platform_id, loan_pk, as_of, dpd, bucket,
            oldest_unpaid_due, overdue_principal_minor, overdue_interest_minor,
            overdue_fees_minor, overdue_penalty_minor, outstanding_principal_minor, currency)
        SELECT platform_id, id, as_of, dpd, {_BUCKET},
            CASE WHEN dpd > 0 THEN as_of - dpd END,
            CASE WHEN dpd > 0 THEN principal_minor / term ELSE 0 END,
            CASE WHEN dpd > 0 THEN principal_minor / 100 ELSE 0 END, 0,
            CASE WHEN dpd > 0 THEN dpd * principal_minor / 20000 ELSE 0 END,
            principal_minor / 2, currency
        FROM (SELECT l.platform_id, l.id, l.principal_minor, l.term, l.currency,
                     CAST(:day AS date) - d.back AS as_of, {_DPD} AS dpd
              FROM loans l CROSS JOIN generate_series(0, :days - 1) AS d(back)
              WHERE l.platform_id = :pid) s
        ORDER BY as_of, id
        """,
        pid=pid,
        day=DEFAULT_AS_OF,
        days=SNAPSHOT_DAYS,
    )


def _queue(con: Connection, pid: int) -> None:
    if con.execute(
        text("SELECT 1 FROM queue_items WHERE platform_id = :pid LIMIT 1"), {"pid": pid}
    ).first():
        return
    _step(
        "collectors",
        con,
        """
        INSERT INTO collectors (platform_id, collector_id, name, team, role, jurisdictions,
            queues, daily_capacity, active)
        SELECT :pid, 'c' || lpad(n::text, 3, '0'), 'Collector ' || n, 'team' || (n / 20),
            'collector', '["CN"]', '["*"]', :cap, true
        FROM generate_series(0, :n - 1) AS n
        """,
        pid=pid,
        n=COLLECTORS,
        cap=PER_COLLECTOR,
    )
    for back in range(EARLIER_DAYS, -1, -1):
        state = "assigned" if back == 0 else "done"
        _step(
            f"queue items, day -{back}",
            con,
            """
            INSERT INTO queue_items (platform_id, as_of, account_id, borrower_id, step, channel,
                template, tone, segment, arm, treatment, state, rescheduled, rule_ids, run_id,
                queue, priority, due_at, assigned_to, offers, summary, jurisdiction, precedence,
                assigned_at, assigned_by)
            SELECT :pid, s.as_of, s.loan_id, s.borrower_id, 'call#0', 'human_call', 'call_script',
                'neutral', 'early', '', 'call',
                CASE WHEN s.rank < :assigned THEN :state ELSE 'open' END, false, '[]', 1,
                'early', s.priority, CAST(s.as_of AS timestamp) + interval '2 hours',
                CASE WHEN s.rank < :assigned
                     THEN 'c' || lpad((s.rank % :collectors)::text, 3, '0') END,
                '["hardship"]',
                jsonb_build_object('dpd', s.dpd, 'bucket', s.bucket,
                    'overdue', to_char(s.overdue / 100.0, 'FM999999990.00'),
                    'balance', to_char(s.balance / 100.0, 'FM999999990.00'), 'currency', 'CNY',
                    'score', to_char(0.05 + (s.dpd % 90) / 100.0, 'FM0.000000'),
                    'band', chr(65 + s.dpd % 5), 'segment', 'early', 'offers_id', 'hardship',
                    'reason', jsonb_build_object('code', 'R-MAX_DPD_6M',
                        'en', 'Worst days past due in six months', 'zh', '近六个月最长逾期天数')),
                'CN', 0,
                CASE WHEN s.rank < :assigned THEN CAST(s.as_of AS timestamp) END,
                CASE WHEN s.rank < :assigned THEN 'system' END
            FROM (SELECT d.as_of, l.loan_id, b.borrower_id, d.dpd, d.bucket,
                         d.overdue_principal_minor + d.overdue_interest_minor
                           + d.overdue_penalty_minor AS overdue,
                         d.outstanding_principal_minor AS balance,
                         d.outstanding_principal_minor * (1 + d.dpd) / 100 AS priority,
                         row_number() OVER (ORDER BY d.outstanding_principal_minor * (1 + d.dpd)
                                            DESC, l.id) - 1 AS rank
                  FROM delinquency_snapshots d JOIN loans l ON l.id = d.loan_pk
                  JOIN borrowers b ON b.id = l.borrower_pk
                  WHERE d.platform_id = :pid AND d.as_of = CAST(:day AS date) - :back
                    AND d.dpd > 0 AND b.time_zone IS NOT NULL) s
            """,
            pid=pid,
            day=DEFAULT_AS_OF,
            back=back,
            state=state,
            assigned=COLLECTORS * PER_COLLECTOR,
            collectors=COLLECTORS,
        )


def _contacts(con: Connection, pid: int) -> None:
    if con.execute(
        text("SELECT 1 FROM contact_events WHERE platform_id = :pid LIMIT 1"), {"pid": pid}
    ).first():
        return
    _step(
        "contact ledger",
        con,
        """
        INSERT INTO contact_events (platform_id, attempt_id, borrower_id, debt_id, channel, actor,
            target, automated, debt_type, inbound, outcome, occurred_at)
        SELECT platform_id, md5(id::text), borrower_id, account_id, 'call', 'creditor', 'debtor',
            false, 'consumer_loan', false,
            CASE WHEN id % 3 = 0 THEN 'conversation' ELSE 'no_answer' END,
            CAST(as_of AS timestamp) + interval '3 hours'
        FROM queue_items WHERE platform_id = :pid AND state = 'done'
        """,
        pid=pid,
    )


def _people(uow: Any) -> None:
    at = CLOCK.now()
    with uow() as unit:
        names = {u.username for u in unit.users(PLATFORM).list()}
    wanted = [f"c{n:03d}" for n in range(COLLECTORS)]
    if "admin" not in names:  # the first user of a platform needs no creator
        add_user(uow=uow(), platform=PLATFORM, username="admin", roles=["platform_admin"], at=at)
    people = [("lead", "team_lead")] + [(name, "collector") for name in wanted]
    for name, role in people:
        if name not in names:
            add_user(uow=uow(), platform=PLATFORM, username=name, roles=[role], by="admin", at=at)
    password = hash_password(PASSWORD)
    with uow() as unit:
        users = unit.users(PLATFORM)
        for user in users.list():
            users.set_password_hash(user.user_id, password)
        unit.commit()
    print(f"  users: lead and {len(wanted)} collectors", flush=True)


# --- the app under load -----------------------------------------------------------------------


def make_app() -> Any:
    """The console over ``TIDEOVER_BENCH_URL`` on the fixed clock, plus ``/bench/ping``."""
    from fastapi.responses import PlainTextResponse

    from tideover.web.app import create_app
    from tideover.web.startup import settle_worker

    url = os.environ["TIDEOVER_BENCH_URL"]
    core = open_app(Settings(mode="test", database_url=url, pii_key=BENCH_KEY)).__enter__()
    app = create_app(core, clock=CLOCK, secure_cookies=False)

    @app.get("/bench/ping", include_in_schema=False)
    def ping() -> PlainTextResponse:
        return PlainTextResponse("ok")

    settle_worker()  # as tideover serve does
    if os.environ.get("TIDEOVER_BENCH_SWITCH_INTERVAL"):  # --switch-interval, to compare
        sys.setswitchinterval(float(os.environ["TIDEOVER_BENCH_SWITCH_INTERVAL"]))
    return app


@contextmanager
def server(
    url: str, port: int, workers: int, switch_interval: float | None = None
) -> Iterator[tuple[str, int]]:
    env = {**os.environ, "TIDEOVER_BENCH_URL": url}
    if switch_interval is not None:
        env["TIDEOVER_BENCH_SWITCH_INTERVAL"] = str(switch_interval)
    # As ``tideover serve --workers N`` serves: a process per worker, each on its own socket.
    start = (
        "import sys; from tideover.web.startup import serve_workers; "
        f"sys.exit(serve_workers(host='127.0.0.1', port={port}, workers={workers}, "
        f"app='web_bench:make_app', app_dir={str(Path(__file__).parent)!r}))"
    )
    process = subprocess.Popen([sys.executable, "-c", start], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(base + "/bench/ping", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise RuntimeError("the server did not start")
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pids: set[int]) -> dict[int, float]:
    """CPU seconds (user + system) each process has used so far."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / _TICK
    return found


def _workers(parent: int) -> set[int]:
    """The uvicorn worker processes (children of ``parent``)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.add(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found | {parent}


def _backends(url: str) -> set[int]:
    """The PostgreSQL server processes serving this database's connections."""
    engine = make_engine(url)
    with engine.connect() as con:
        pids = con.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ).scalars()
        found = set(pids)
    engine.dispose()
    return found


def sessions(base: str, users: int) -> list[dict[str, Any]]:
    """``users`` collectors signed in, each with their items and borrowers of the day."""
    found = []
    for n in range(users):
        with httpx.Client(base_url=base, timeout=30) as client:
            answer = client.post(
                "/api/v1/session",
                json={"platform": PLATFORM, "username": f"c{n:03d}", "password": PASSWORD},
            )
            answer.raise_for_status()
            page = client.get("/api/v1/queue", params={"as_of": DEFAULT_AS_OF.isoformat()}).json()
            items = page["items"]
            found.append(
                {
                    "cookie": f"tideover_session={client.cookies['tideover_session']}",
                    "items": [i["item_id"] for i in items],
                    "borrowers": [i["borrower_id"] for i in items],
                }
            )
    return found


LUA = """
local sessions = %(sessions)s
local kind = "%(kind)s"
local day = "%(day)s"
local think = %(think)d
local n = 0
function delay()
  if think > 0 then return math.random(math.floor(think / 2), math.floor(think * 3 / 2)) end
  return 0
end
function init(args)
  n = math.random(1, 100000)
end
function request()
  n = n + 1
  local s = sessions[(n %% #sessions) + 1]
  local k = (math.floor(n / #sessions) %% #s.items) + 1
  local path
  if kind == "ping" then path = "/bench/ping"
  elseif kind == "me" then path = "/api/v1/me"
  elseif kind == "queue" then path = "/api/v1/queue?as_of=" .. day
  elseif kind == "queue_page" then path = "/queue?as_of=" .. day
  elseif kind == "borrower" then path = "/api/v1/borrowers/" .. s.borrowers[k]
  elseif kind == "borrower_page" then path = "/queue/borrowers/" .. s.borrowers[k]
  else path = "/api/v1/queue/items/" .. s.items[k] .. "/call-check" end
  local accept = "application/json"
  if kind == "queue_page" or kind == "borrower_page" then accept = "text/html" end
  return wrk.format("GET", path, {["Cookie"] = s.cookie, ["Accept"] = accept})
end
"""

ENDPOINTS = {
    "ping": "GET /bench/ping (floor: no session, no work)",
    "me": "GET /api/v1/me (floor: a signed-in request)",
    "queue": "GET /api/v1/queue (my queue, JSON, 50 per page)",
    "queue_page": "GET /queue (my queue, HTML)",
    "borrower": "GET /api/v1/borrowers/{id} (borrower 360, JSON)",
    "borrower_page": "GET /queue/borrowers/{id} (borrower 360, HTML)",
    "call_check": "GET /api/v1/queue/items/{id}/call-check",
}


def _lua_table(found: list[dict[str, Any]]) -> str:
    rows = []
    for s in found:
        items = ", ".join(str(i) for i in s["items"])
        borrowers = ", ".join(json.dumps(b) for b in s["borrowers"])
        cookie = json.dumps(s["cookie"])
        rows.append(f"{{cookie = {cookie}, items = {{{items}}}, borrowers = {{{borrowers}}}}}")
    return "{" + ",\n".join(rows) + "}"


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    base: str, kind: str, found: list[dict[str, Any]], args: argparse.Namespace
) -> dict[str, Any]:
    script = LUA % {
        "sessions": _lua_table(found),
        "kind": kind,
        "day": DEFAULT_AS_OF.isoformat(),
        "think": args.think,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            ["wrk", "--latency", "-t", str(args.threads), "-c", str(args.connections),
             "-d", f"{args.duration}s", "--timeout", "10s", "-s", handle.name, base],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(handle.name)
    latency = {
        p: _ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    done = re.search(r"(\d+) requests in", out)
    return {
        "requests": int(done.group(1)) if done else 0,
        "endpoint": ENDPOINTS[kind],
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": latency.get("50"),
        "p99_ms": latency.get("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def in_process(url: str, found: list[dict[str, Any]], n: int = 20_000) -> dict[str, Any]:
    """The call check without HTTP: ``CallGate.verdict`` on the day's kept inputs, one thread."""
    from tideover.services.queues.call_gate import CallGate

    core = open_app(
        Settings(mode="test", database_url=url, pii_key=BENCH_KEY), require_schema=False
    )
    gate = CallGate()
    asks = [(f"c{k:03d}", item) for k, s in enumerate(found) for item in s["items"]]
    at = CLOCK.now()
    gate.verdict(uow=core.uow(), platform=PLATFORM, item_id=asks[0][1], collector=asks[0][0], at=at)
    times = []
    for i in range(n):
        who, item = asks[i % len(asks)]
        started = time.perf_counter()
        gate.verdict(uow=core.uow(), platform=PLATFORM, item_id=item, collector=who, at=at)
        times.append(time.perf_counter() - started)
    core.engine.dispose()
    times.sort()
    return {
        "endpoint": "CallGate.verdict in process (kept inputs, one thread)",
        "checks_per_s": round(n / sum(times)),
        "p50_us": round(times[n // 2] * 1e6, 1),
        "p99_us": round(times[n * 99 // 100] * 1e6, 1),
    }


def prewarm(url: str) -> None:
    """Reads every table and index of the book into the OS page cache (``pg_prewarm``), as
    a server that has run a while holds them: otherwise the first 360 of a borrower may
    wait on the disk, and a run's slowest percentile measures what else the machine read."""
    with make_engine(url).begin() as con:
        con.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
        pages = con.execute(
            text(
                "SELECT sum(pg_prewarm(c.oid::regclass, 'read')) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')"
            )
        ).scalar_one()
    print(f"prewarmed: {pages} pages read into the page cache", flush=True)


def run(args: argparse.Namespace) -> None:
    kinds = args.only.split(",") if args.only else list(ENDPOINTS)
    migrate(make_engine(args.url))  # a migration added since the build, once, before the workers
    if args.prewarm:
        prewarm(args.url)
    with server(args.url, args.port, args.workers, args.switch_interval) as (base, parent):
        found = sessions(base, args.users)
        print(f"{len(found)} collectors signed in, {sum(len(s['items']) for s in found)} items",
              flush=True)  # fmt: skip
        for kind in ("me", "queue", "borrower", "call_check"):  # warm the pools and caches
            wrk(base, kind, found, argparse.Namespace(**{**vars(args), "duration": 2}))
        results = []
        app, db = _workers(parent), _backends(args.url)
        for kind in kinds:
            before_app, before_db = _cpu(app), _cpu(db)
            result = wrk(base, kind, found, args)
            after_app, after_db = _cpu(app), _cpu(db | _backends(args.url))
            used_app = sum(after_app.values()) - sum(before_app.values())
            used_db = sum(v - before_db.get(pid, 0.0) for pid, v in after_db.items())
            per = max(result["requests"], 1)
            result["app_cpu_ms"] = round(used_app / per * 1000, 2)
            # How the load fell on the workers (a connection stays with the worker that
            # accepted it): CPU seconds each worker used, the parent's last.
            result["app_cpu_s_by_process"] = [
                round(after_app[pid] - before_app.get(pid, 0.0), 1)
                for pid in sorted(after_app, key=lambda p: p == parent)
            ]
            result["db_cpu_ms"] = round(used_db / per * 1000, 2)
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
        gate = in_process(args.url, found)
        print(json.dumps(gate), flush=True)
    print()
    load = os.getloadavg()
    switch = args.switch_interval or "serve's"
    print(f"(workers={args.workers}, switch interval {switch}, {args.connections} "
          f"connections, think {args.think} ms, {args.duration} s, "
          f"load average {load[0]:.1f} {load[1]:.1f})")  # fmt: skip
    print("| endpoint | requests/s | p50 | p99 | errors | CPU per request: app + database |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['endpoint']} | {r['requests_per_s']:,.0f} | {r['p50_ms']:.1f} ms | "
              f"{r['p99_ms']:.1f} ms | {r['errors']} | "
              f"{r['app_cpu_ms']:.2f} + {r['db_cpu_ms']:.2f} ms |")  # fmt: skip
    print(f"| {gate['endpoint']} | {gate['checks_per_s']:,} | {gate['p50_us']} µs | "
          f"{gate['p99_us']} µs | 0 | — |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--url", required=True)
    b.add_argument("--loans", type=int, default=1_000_000)
    b.add_argument("--base", type=int, default=50_000)
    r = sub.add_parser("run")
    r.add_argument("--url", required=True)
    r.add_argument("--port", type=int, default=8765)
    r.add_argument("--workers", type=int, default=2)
    r.add_argument("--users", type=int, default=50)
    r.add_argument("--connections", type=int, default=50)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--duration", type=int, default=20)
    r.add_argument(
        "--prewarm",
        action="store_true",
        help="read the book into the OS page cache first (PostgreSQL's pg_prewarm)",
    )
    r.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        help="seconds; the workers' interpreter switch interval instead of tideover serve's",
    )
    r.add_argument(
        "--think",
        type=int,
        default=0,
        help="ms each user waits between requests (0.5 to 1.5 times this); 0: none, at full load",
    )
    r.add_argument("--only", default="", help="comma-separated endpoints: " + ",".join(ENDPOINTS))
    args = parser.parse_args()
    build(args) if args.command == "build" else run(args)


if __name__ == "__main__":
    main()
