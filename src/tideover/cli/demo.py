"""``tideover demo``: the main job on the demo portfolio."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from tideover.cli.labels import label as word
from tideover.cli.output import (
    JsonOption,
    _,
    console,
    language,
    locale,
    print_json,
    progress_bars,
)
from tideover.cli.portfolio import parse_date, render_delinquency
from tideover.services.common import ProgressFn

if TYPE_CHECKING:
    from tideover.domain.clock import FixedClock
    from tideover.services.demo.people import DemoBorrower
    from tideover.services.demo.results import DemoStory, StoryDay
    from tideover.services.simulate.results import ComparisonReport


def demo(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Last business date of the story (default 2026-11-30)."),
    ] = None,
    days: Annotated[
        int, typer.Option("--days", min=1, max=60, help="Business days to simulate (default 10).")
    ] = 10,
    platform: Annotated[
        list[str] | None,
        typer.Option(
            "--platform",
            help="Demo platform (repeatable): demo-cn, demo-cn-aggressive, demo-us "
            "(default: demo-cn and demo-cn-aggressive, one book under two policies).",
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Set up, load the demo platforms, activate their policies, run business days of cycles."""
    from tideover.adapters.channels import SINK_FILE
    from tideover.bootstrap import initialise, open_app
    from tideover.services.demo.comparison import DEMO_COMPARISON_PLATFORM, model_comparison
    from tideover.services.demo.people import ensure_demo_borrower
    from tideover.services.demo.results import DemoRun
    from tideover.services.demo.story import DEFAULT_DEMO_PLATFORMS, DEMO_AS_OF
    from tideover.services.portfolio.datasets import fetch_dataset

    started = time.perf_counter()
    last = parse_date(as_of, "--as-of") if as_of else DEMO_AS_OF
    codes = _platforms(platform or list(DEFAULT_DEMO_PLATFORMS))
    initialise()
    compared = DEMO_COMPARISON_PLATFORM in codes
    with (
        open_app() as app,
        console.status(_("fetching %(source)s data…", source="Lending Club")) as s,
    ):
        fetch_dataset(name="lendingclub", cache_dir=app.cache_dir, on_message=s.update)
        if compared:  # the simulation's reference behaviour is fitted on the Taiwan data
            fetch_dataset(name="taiwan", cache_dir=app.cache_dir, on_message=s.update)
    with open_app() as app, progress_bars(disable=json_out) as progress:
        stories = [_story(app, code, last, days, progress) for code in codes]
        borrowers = [ensure_demo_borrower(uow_factory=app.uow, platform=c) for c in codes]
        comparison = None
        if compared:
            comparison = model_comparison(
                uow=app.uow(),
                data_dir=app.settings.data_dir,
                cache_dir=app.cache_dir,
                progress=lambda label, done, total: progress(f"model: {label}", done, total),
            )
    if json_out:
        seconds = round(time.perf_counter() - started, 1)
        print_json(DemoRun(as_of=last, platforms=stories, comparison=comparison, seconds=seconds))
        return
    for story in stories:
        _render_story(story)
    if comparison is not None:
        _render_model_comparison(comparison)
    first = stories[0].days[0].as_of
    kpi = f"`tideover kpi --platform {codes[0]} --from {first} --to {last}`"
    took = format(time.perf_counter() - started, ".1f")
    console.print(_("done in %(seconds)s s — next: %(command)s", seconds=took, command=kpi))
    _render_console(
        codes, borrowers=[b for b in borrowers if b], sink=app.settings.data_dir / SINK_FILE
    )


def _render_console(
    codes: list[str], *, borrowers: Sequence[DemoBorrower] = (), sink: Path | None = None
) -> None:
    """How to open the console, and the demo staff to sign in as (their password is public:
    ``tideover serve`` accepts them in demo mode only); then the demo borrowers' portal: the
    number to type, and the file the sign-in code is written to (no text is sent)."""
    from tideover.services.demo.people import DEMO_PASSWORD, DEMO_STAFF

    console.print(
        "\n"
        + _(
            "the console: %(serve)s (or %(make)s), then open %(address)s and sign in on a demo "
            "platform as one of these users, password %(password)s (demo mode only):",
            serve="`tideover serve`",
            make="`make serve`",
            address="http://127.0.0.1:8000/",
            password=DEMO_PASSWORD,
        ),
        markup=False,
    )
    table = Table(show_edge=False)
    table.add_column(_("platform"))
    table.add_column(_("user"))
    table.add_column(_("role"))
    for code in codes:
        for username, roles in DEMO_STAFF:
            table.add_row(code, username, ", ".join(word("role", r.value) for r in roles))
    console.print(table)
    for b in borrowers:
        portal = f"http://127.0.0.1:8000/borrower/login?platform={b.platform}"
        console.print(
            _(
                "the borrower portal: %(address)s — phone %(phone)s (borrower %(borrower)s, in "
                "arrears); the sign-in code is written to %(sink)s, its last line (demo mode "
                "sends no text message)",
                address=portal,
                phone=b.phone,
                borrower=b.borrower_id,
                sink=sink,
            ),
            markup=False,
            soft_wrap=True,  # one line to copy: the address and the path are never broken
        )


def _platforms(codes: list[str]) -> list[str]:
    from tideover.services.demo.story import DEMO_POLICY_JURISDICTION

    unknown = [c for c in codes if c not in DEMO_POLICY_JURISDICTION]
    if unknown:
        raise typer.BadParameter(
            _(
                "unknown demo platform(s) %(unknown)s; choose from %(known)s",
                unknown=", ".join(unknown),
                known=", ".join(DEMO_POLICY_JURISDICTION),
            ),
            param_hint="--platform",
        )
    return list(dict.fromkeys(codes))


def _story(app: Any, code: str, last: date, days: int, progress: ProgressFn) -> DemoStory:
    """Load, activate and run one platform's business days; what the renderers need."""
    from functools import partial

    from tideover.adapters.datasets import load_lendingclub
    from tideover.demo.portfolio import DEMO_PLATFORMS
    from tideover.services.cycle.run import kpi_report
    from tideover.services.demo.models import ensure_demo_models
    from tideover.services.demo.results import DemoStory, StoryDay, StoryPolicy
    from tideover.services.demo.story import (
        DEMO_POLICY_JURISDICTION,
        book_payments,
        business_days,
        ensure_demo_policy,
        load_demo_platform,
        run_demo_days,
    )
    from tideover.services.portfolio.delinquency import report_from_history

    preset = DEMO_PLATFORMS[code]
    country = DEMO_POLICY_JURISDICTION[code][1]
    period = business_days(last, days, country)
    source = partial(load_lendingclub, app.cache_dir, preset.source)
    load = load_demo_platform(
        uow=app.uow(),
        preset=preset,
        load_source=source,
        as_of=last,
        paid_before=period[0],
        progress=progress,
    )
    clock = _clock_at(preset.time_zone)
    policy = ensure_demo_policy(
        uow_factory=app.uow, platform=code, as_of=period[0], clock=clock(period[0])
    )
    registry = app.settings.data_dir / "models"
    models = ensure_demo_models(
        uow_factory=app.uow,
        platform=code,
        registry_dir=registry,
        as_of=period[0],
        clock=clock(period[0]),
        progress=progress,
        language=language(),
    )
    with app.uow() as uow:
        done = uow.cycle(code).last_completed_date()
    pending = done is None or done < period[-1]
    book = book_payments(preset=preset, load_source=source, as_of=last) if pending else []
    story = run_demo_days(
        uow_factory=app.uow,
        platform=code,
        days=period,
        book=book,
        inbox=app.settings.data_dir / "inbox" / code,
        clock_at=clock,
        progress=progress,
        model_registry=registry,
        scores_dir=app.settings.data_dir / "scores",
    )
    return DemoStory(
        platform=code,
        policy=StoryPolicy(
            platform=policy.platform,
            version=policy.version,
            already_active=policy.already_active,
            example=DEMO_POLICY_JURISDICTION[code][0],
        ),
        load=load,
        models=models,
        days=[StoryDay.of(d) for d in story],
        delinquency=report_from_history(uow=app.uow(), platform=code, as_of=period[-1]),
        kpis=kpi_report(uow=app.uow(), platform=code, first=period[0], last=period[-1]),
    )


def _clock_at(time_zone: str) -> Callable[[date], FixedClock]:
    """A fixed clock at 20:00 on a business date in the platform's zone (after the day's work)."""
    from datetime import UTC, datetime
    from datetime import time as clock_time
    from zoneinfo import ZoneInfo

    from tideover.domain.clock import FixedClock

    def at(day: date) -> FixedClock:
        evening = datetime.combine(day, clock_time(20), ZoneInfo(time_zone))
        return FixedClock(evening.astimezone(UTC))

    return at


def _render_story(story: DemoStory) -> None:
    load, policy = story.load, story.policy
    code = story.platform
    state = _("already loaded") if load.already_loaded else _("loaded")
    console.print(
        "\n"
        + _(
            "%(platform)s: %(state)s · borrowers %(borrowers)s · loans %(loans)s · "
            "policy %(policy)s (version %(version)s) active",
            platform=code,
            state=state,
            borrowers=format(load.borrowers, ","),
            loans=format(load.loans, ","),
            policy=policy.example,
            version=policy.version,
        )
    )
    trained = {m.role: m for m in story.models.models or []}
    if trained:
        champion, challenger = trained["champion"], trained["challenger"]
        console.print(
            _(
                "models trained on the book: champion %(champion)s AUC %(champion_auc)s, "
                "challenger %(challenger)s AUC %(challenger_auc)s (shadow-scored every day)",
                champion=champion.kind,
                champion_auc=format(champion.auc, ".3f"),
                challenger=challenger.kind,
                challenger_auc=format(challenger.auc, ".3f"),
            )
        )
    render_delinquency(story.delinquency)
    for day in story.days:
        _render_day(day)


def _render_day(day: StoryDay) -> None:
    if day.cycle is None or day.simulated is None:
        return  # completed by an earlier run: nothing new to tell
    counts, sim = day.cycle.counts, day.simulated
    console.print(
        _(
            "%(day)s: actions %(actions)s (dropped %(dropped)s) · reached %(reached)s · "
            "paid %(paid)s · promised %(promised)s · complaints %(complaints)s",
            day=day.as_of,
            actions=format(counts["actions"], ","),
            dropped=format(counts["dropped"], ","),
            reached=format(sim.reached, ","),
            paid=format(sim.payments, ","),
            promised=format(sim.promises, ","),
            complaints=format(sim.complaints, ","),
        )
    )


# The KPIs the demo's comparison shows, month by month, with their differences.
OVER_MONTHS = ("dq30_rate", "recovery_rate", "cost_to_collect", "complaints_per_1000_contacts")


def _render_model_comparison(report: ComparisonReport) -> None:
    """The supportive and the aggressive policy on one book, by the model, over months."""
    from tideover.cli.simulate import render_comparison
    from tideover.services.simulate.display import interval_text, label

    console.print(
        "\n"
        + _(
            "the supportive and the aggressive policy compared by the model, on the same "
            "borrowers and the same random draws (read levels as a scenario, differences as "
            "evidence; %(doc)s)",
            doc="docs/simulation.md",
        )
    )
    render_comparison(report)
    (difference,) = report.differences
    table = Table(
        title=_(
            "%(policy)s minus %(baseline)s, month by month (median and 90 %% interval)",
            policy=difference.policy,
            baseline=difference.baseline,
        )
    )
    table.add_column(_("month"), justify="right")
    for kpi in OVER_MONTHS:
        table.add_column(label(kpi, locale()), justify="right")
    for month in range(1, report.settings.months + 1):
        table.add_row(
            str(month),
            *[interval_text(difference.at(kpi, month), signed=True) for kpi in OVER_MONTHS],
        )
    console.print(table)
