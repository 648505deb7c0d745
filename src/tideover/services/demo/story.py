"""Use case: load the demo platforms from real Lending Club loans, idempotently."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any

from tideover.adapters.datasets import load_lendingclub
from tideover.compliance.calendars import calendar_for
from tideover.demo.portfolio import (
    DEMO_PLATFORMS,
    DemoPlatform,
    DemoPortfolio,
    build_demo_portfolio,
    for_platform,
)
from tideover.domain.clock import Clock
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.services.common import ProgressFn, no_progress
from tideover.services.demo.people import (
    DEMO_AUTHOR,
    DEMO_REVIEWER,
    ensure_demo_collector,
    ensure_demo_users,
)
from tideover.services.demo.results import DemoDay, DemoLoad, DemoPolicy
from tideover.services.policy.versions import (
    activate_policy_version,
    approve_policy_version,
    submit_policy,
)
from tideover.services.unit_of_work import UnitOfWork

# The demo's business date: fixed so that the tour prints the same figures on
# every machine and every day.  `tideover demo --as-of` moves it.
DEMO_AS_OF = date(2026, 11, 30)
DEMO_SEED = 20261130


def settings_for(preset: DemoPlatform) -> PlatformSettings:
    return PlatformSettings(currency=preset.currency, time_zone=preset.time_zone)


def load_demo_platform(
    *,
    uow: UnitOfWork,
    preset: DemoPlatform,
    load_source: Callable[[], Any],
    as_of: date,
    seed: int = DEMO_SEED,
    progress: ProgressFn = no_progress,
    paid_before: date | None = None,
) -> DemoLoad:
    """Create the platform and book its demo portfolio, unless it already has loans.

    The book is built as of ``as_of``; with ``paid_before``, only the payments made
    before that date are stored (the later ones arrive day by day through the
    inbox, see ``book_payments``).  One commit: a crash half-way leaves the
    platform as it was, and a rerun of a loaded platform writes nothing.
    """
    settings = settings_for(preset)
    label = f"{preset.code}: building"
    with uow:
        uow.platforms.ensure(
            preset.code,
            name=f"{preset.name_zh} / {preset.name_en}",
            currency=preset.currency.code,
            settings=settings.to_dict(),
        )
        loans = uow.loans(preset.code)
        if loans.count():
            uow.commit()
            return DemoLoad(
                platform=preset.code,
                borrowers=uow.borrowers(preset.code).count(),
                loans=loans.count(),
                payments=uow.payments(preset.code).count(),
                already_loaded=True,
            )
        progress(label, 0, 4)
        # With later payments left out, the caller asks for them next (``book_payments``).
        portfolio = _built(preset, load_source, as_of, seed, keep=paid_before is not None)
        progress(f"{preset.code}: writing borrowers", 1, 4)
        uow.borrowers(preset.code).add_many(portfolio.borrowers)
        progress(f"{preset.code}: writing loans", 2, 4)
        loans.add_many(portfolio.loans)
        progress(f"{preset.code}: writing payments", 3, 4)
        stored = [p for p in portfolio.payments if paid_before is None or p.paid_on < paid_before]
        uow.payments(preset.code).add_many(stored)
        for loan_id, pauses in portfolio.pauses.items():
            for pause in pauses:
                loans.add_pause(loan_id, pause, "demo")
        uow.commit()
        progress(f"{preset.code}: loaded", 4, 4)
    return DemoLoad(
        platform=preset.code,
        borrowers=len(portfolio.borrowers),
        loans=len(portfolio.loans),
        payments=len(stored),
        already_loaded=False,
    )


def book_payments(
    *, preset: DemoPlatform, load_source: Callable[[], Any], as_of: date, seed: int = DEMO_SEED
) -> list[Payment]:
    """Every payment of the platform's book as of ``as_of`` (the same build as the load:
    taken from it when this process just loaded the platform, built again otherwise)."""
    key = (preset.code, as_of, seed)
    kept = _last_built.pop(key, None)
    portfolio = kept if kept is not None else _built(preset, load_source, as_of, seed, keep=False)
    return list(portfolio.payments)


# The book the last load built, kept for ``book_payments`` of the same platform, date and
# seed (building it is most of a demo platform's loading time); one at a time.
_last_built: dict[tuple[str, date, int], DemoPortfolio] = {}


# The last book built, for another preset of the same book (demo-cn and
# demo-cn-aggressive): what its build would give, with the platform code changed.
_last_book: list[tuple[tuple[Any, ...], DemoPortfolio]] = []


def _book_key(
    preset: DemoPlatform, load_source: Callable[[], Any], as_of: date, seed: int
) -> tuple[Any, ...]:
    """What a build depends on besides the platform code: the book, its rows' source (a
    ``partial`` by its function and arguments, else the very callable), the date, the seed,
    the language, the currency and the penalty the late payments cover."""
    source: Any = load_source
    if isinstance(load_source, partial):
        source = (load_source.func, load_source.args, tuple(load_source.keywords.items()))
    book = preset.book or preset.code
    penalty = settings_for(preset).penalty
    return (book, source, as_of, seed, preset.locale, preset.currency, penalty)


def _built(
    preset: DemoPlatform, load_source: Callable[[], Any], as_of: date, seed: int, *, keep: bool
) -> DemoPortfolio:
    key = _book_key(preset, load_source, as_of, seed)
    same = [built for book, built in _last_book if book == key]
    if same:
        portfolio = for_platform(same[0], preset.code)
    else:
        portfolio = build_demo_portfolio(
            platform=preset.code,
            source=load_source(),
            as_of=as_of,
            seed=seed,
            penalty=settings_for(preset).penalty,
        )
        _last_book[:] = [(key, portfolio)]
    _last_built.clear()
    if keep:
        _last_built[(preset.code, as_of, seed)] = portfolio
    return portfolio


def load_demo_platforms(
    *,
    uow_factory: Callable[[], UnitOfWork],
    cache_dir: Path,
    as_of: date = DEMO_AS_OF,
    platforms: tuple[str, ...] = tuple(DEMO_PLATFORMS),
    progress: ProgressFn = no_progress,
) -> list[DemoLoad]:
    """Load every demo platform from the cached Lending Club data."""
    results = []
    for code in platforms:
        preset = DEMO_PLATFORMS[code]
        results.append(
            load_demo_platform(
                uow=uow_factory(),
                preset=preset,
                load_source=partial(load_lendingclub, cache_dir, preset.source),
                as_of=as_of,
                progress=progress,
            )
        )
    return results


# Which example policy each demo platform runs, under which jurisdiction and rule pack.
# demo-cn and demo-cn-aggressive share one book, so the demo compares the two policies
# on the same borrowers; demo-us shows the supportive policy under the US rules (the
# aggressive one does not pass the US linter).
DEMO_POLICY_JURISDICTION = {
    "demo-cn": ("supportive", "CN", "cn"),
    "demo-cn-aggressive": ("aggressive", "CN", "cn"),
    "demo-us": ("supportive", "US", "us"),
}
# The story the demo tells by default: one book, two policies, side by side.
DEFAULT_DEMO_PLATFORMS = ("demo-cn", "demo-cn-aggressive")
DEMO_DAYS = 10  # business days simulated, ending on the demo's business date


def demo_policy_text(platform: str) -> str:
    """The platform's example policy, pointed at its jurisdiction and rule pack."""
    example, jurisdiction, pack = DEMO_POLICY_JURISDICTION[platform]
    path = files("tideover.policy") / "examples" / f"{example}.yaml"
    text = path.read_text(encoding="utf-8")
    return text.replace("jurisdiction: CN", f"jurisdiction: {jurisdiction}").replace(
        "rule_packs: [cn]", f"rule_packs: [{pack}]"
    )


def business_days(last: date, count: int, country: str) -> list[date]:
    """The ``count`` business days ending on ``last``: weekdays that are not public holidays,
    and weekend days a government declared working days (China's adjusted days)."""
    calendar = calendar_for(country)
    days: list[date] = []
    day = last
    while len(days) < count:
        weekday = day.weekday() < 5 or calendar.is_adjusted_working_day(day)
        if weekday and not calendar.is_public_holiday(day):
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def ensure_demo_policy(
    *, uow_factory: Callable[[], UnitOfWork], platform: str, as_of: date, clock: Clock
) -> DemoPolicy:
    """Submit, approve (four eyes, linted) and activate the demo policy once."""
    ensure_demo_users(uow_factory=uow_factory, platform=platform)
    ensure_demo_collector(uow_factory=uow_factory, platform=platform)
    with uow_factory() as uow:
        active = uow.policies(platform).active()
    if active is not None:
        return DemoPolicy(platform=platform, version=active.version.number, already_active=True)
    submitted = submit_policy(
        uow=uow_factory(),
        platform=platform,
        text=demo_policy_text(platform),
        by=DEMO_AUTHOR,
        source=f"{platform} demo policy",
        clock=clock,
    )
    number = submitted.version
    approve_policy_version(
        uow=uow_factory(), platform=platform, version=number, by=DEMO_REVIEWER, clock=clock
    )
    activate_policy_version(
        uow=uow_factory(),
        platform=platform,
        version=number,
        by=DEMO_REVIEWER,
        effective=as_of,
        clock=clock,
    )
    return DemoPolicy(platform=platform, version=number, already_active=False)


# --- the story: business days of cycles and simulated borrower responses --------------------


def _write_book_payments(inbox: Path, day: date, payments: list[Payment]) -> None:
    """The book's own payments of the days up to ``day`` (not yet stored), as an inbox file."""
    if not payments:
        return
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / f"payments-book-{day.isoformat()}.csv"
    partial = inbox / f".{target.name}.partial"
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["payment_id", "loan_id", "amount", "paid_on", "reverses", "channel"])
        for p in sorted(payments, key=lambda p: (p.paid_on, p.payment_id)):
            writer.writerow(
                [p.payment_id, p.loan_id, p.amount.amount, p.paid_on, p.reverses or "", p.channel]
            )
    os.replace(partial, target)


def run_demo_days(
    *,
    uow_factory: Callable[[], UnitOfWork],
    platform: str,
    days: list[date],
    book: list[Payment],
    inbox: Path,
    clock_at: Callable[[date], Clock],
    seed: int = DEMO_SEED,
    progress: ProgressFn = no_progress,
    model_registry: Path | None = None,
    scores_dir: Path | None = None,
) -> list[DemoDay]:
    """Each business day not yet completed: the book's payments of the day into the inbox,
    the inbox ingested, promises and plans reviewed, the daily cycle, then the simulated
    borrowers' responses (tomorrow's payments, today's promises and complaints).  On the
    last day the borrowers answer only the automatic contacts: its calls stay in the
    collectors' queues for the console.

    Days completed by an earlier run are skipped, so a rerun picks up where a crash
    stopped and a finished story reruns in a moment.
    """
    from tideover.services.cycle.ingest import ingest_inbox
    from tideover.services.cycle.run import run_cycle
    from tideover.services.demo.responses import simulate_day
    from tideover.services.plans.review import review_plans

    with uow_factory() as uow:
        last = uow.cycle(platform).last_completed_date()
    out: list[DemoDay] = []
    previous: date | None = None
    for index, day in enumerate(days):
        if last is not None and day <= last:
            out.append(DemoDay(platform=platform, as_of=day, cycle=None, simulated=None))
            previous = day
            continue
        # The book's payments before the first day were stored with the book.
        start = previous if previous is not None else day - timedelta(days=1)
        _write_book_payments(inbox, day, [p for p in book if start < p.paid_on <= day])
        clock = clock_at(day)
        # The morning: payments in, then promises and plans decided on them, so that the
        # cycle's features and KPIs see today's decisions.
        ingest_inbox(uow=uow_factory(), platform=platform, inbox=inbox, as_of=day)
        review_plans(uow=uow_factory(), platform=platform, as_of=day, clock=clock)
        summary = run_cycle(
            uow=uow_factory(),
            platform=platform,
            as_of=day,
            clock=clock,
            inbox=inbox,
            model_registry=model_registry,
            scores_dir=scores_dir,
            progress=_labelled(progress, platform, day),
        )
        # The responses' money arrives on the next business day, with that value date.
        arrives = days[index + 1] if index + 1 < len(days) else day + timedelta(days=1)
        simulated = simulate_day(
            uow_factory=uow_factory,
            platform=platform,
            as_of=day,
            inbox=inbox,
            seed=seed,
            paid_on=arrives,
            answer_calls=index + 1 < len(days),
        )
        out.append(DemoDay(platform=platform, as_of=day, cycle=summary, simulated=simulated))
        previous = day
    return out


def _labelled(progress: ProgressFn, platform: str, day: date) -> ProgressFn:
    """One progress bar per platform (the label's text before ':'), showing day and stage."""

    def report(label: str, done: int, total: int) -> None:
        progress(f"{platform}: {day.isoformat()} {label}", done, total)

    return report
