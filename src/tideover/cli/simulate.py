"""``tideover simulate run|compare|review``: policies moved forward over the stored book.

Every input is checked before any work (platform, months and runs, behaviour
model, prior file, each policy, the chart's path); then the book, the model and
the Monte Carlo.  Tables show the median and the 90 % interval over the runs;
``--json`` prints the whole result; ``--chart FILE.png`` draws it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from tideover.cli.output import (
    JsonOption,
    _,
    console,
    either,
    locale,
    print_json,
    progress_bars,
)
from tideover.i18n import N_
from tideover.services.simulate.settings import DEFAULT_MONTHS, DEFAULT_RUNS, DEFAULT_SEED

if TYPE_CHECKING:
    from tideover.services.simulate.results import (
        ComparisonReport,
        PolicyRun,
        SimulationChart,
        SimulationReport,
    )
    from tideover.services.simulate.run import Asked

app = typer.Typer(
    help="Policy impact simulation: a policy over months on the stored book, with intervals.",
    no_args_is_help=True,
)

Platform = Annotated[str, typer.Option("--platform", help="Platform code.")]
Months = Annotated[int, typer.Option("--months", help="Months to simulate (1 to 60).")]
Runs = Annotated[int, typer.Option("--runs", help="Monte Carlo runs (1 to 10,000).")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed (the same seed: the same draws).")]
BehaviourOption = Annotated[
    str,
    typer.Option(
        "--behaviour",
        help="auto (the platform's own history when enough, else normal), own, normal "
        "(calibrated reference) or stress (the Taiwan crisis book).",
    ),
]
PriorsOption = Annotated[
    Path | None, typer.Option("--priors", help="A prior file instead of the shipped one.")
]
FixedPriors = Annotated[
    bool,
    typer.Option(
        "--fixed-priors",
        help="Every run takes each prior's median (no prior uncertainty; no sensitivity table).",
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="The book's date (default: the last completed daily cycle)."),
]
Chart = Annotated[Path | None, typer.Option("--chart", help="Also draw the result into this PNG.")]


def _asked(
    months: int,
    runs: int,
    seed: int,
    behaviour: str,
    priors: Path | None,
    fixed: bool,
    as_of: str | None,
) -> Asked:
    from tideover.cli.portfolio import parse_date
    from tideover.services.simulate.run import Asked

    day = None if as_of is None else parse_date(as_of, "--as-of")
    return Asked(
        months=months,
        runs=runs,
        seed=seed,
        behaviour=behaviour,
        priors=priors,
        prior_uncertainty=not fixed,
        as_of=day,
    )


@app.command("run")
def run(
    platform: Platform,
    policy: Annotated[
        str, typer.Option("--policy", help="A version number, 'active', or a policy file.")
    ],
    months: Months = DEFAULT_MONTHS,
    runs: Runs = DEFAULT_RUNS,
    seed: Seed = DEFAULT_SEED,
    behaviour: BehaviourOption = "auto",
    priors: PriorsOption = None,
    fixed_priors: FixedPriors = False,
    as_of: AsOf = None,
    chart: Chart = None,
    json_out: JsonOption = False,
) -> None:
    """One policy over the platform's stored book: KPIs per month with 90 % intervals."""
    from tideover.bootstrap import open_app
    from tideover.services.cycle.kpi_chart import check_chart_path
    from tideover.services.simulate.chart import write_simulation_chart
    from tideover.services.simulate.results import ChartedSimulation
    from tideover.services.simulate.run import simulate_policy

    asked = _asked(months, runs, seed, behaviour, priors, fixed_priors, as_of)
    if chart is not None:
        check_chart_path(chart)  # refused before any work
    with open_app() as app_, progress_bars(disable=json_out) as progress:
        report = simulate_policy(
            uow=app_.uow(),
            platform=platform,
            policy=policy,
            asked=asked,
            data_dir=app_.settings.data_dir,
            cache_dir=app_.cache_dir,
            progress=progress,
        )
    drawn = None if chart is None else write_simulation_chart(report, chart)
    if json_out:
        shown = report if drawn is None else ChartedSimulation.model_validate(
            {**dict(report), "chart": drawn}
        )  # fmt: skip
        print_json(shown)
        return
    _header(report)
    _levels(report.run, report.settings.months, report.book.currency)
    _chart_line(drawn)


@app.command("compare")
def compare(
    policies: Annotated[
        list[str],
        typer.Argument(
            help="Two or more policies (version numbers, 'active', or files); the first is "
            "the baseline every other is compared with.",
            show_default=False,
        ),
    ],
    platform: Platform,
    months: Months = DEFAULT_MONTHS,
    runs: Runs = DEFAULT_RUNS,
    seed: Seed = DEFAULT_SEED,
    behaviour: BehaviourOption = "auto",
    priors: PriorsOption = None,
    fixed_priors: FixedPriors = False,
    as_of: AsOf = None,
    chart: Chart = None,
    json_out: JsonOption = False,
) -> None:
    """Policies on the same book and draws: each one's KPIs and its difference from the first."""
    from tideover.bootstrap import open_app
    from tideover.domain.errors import ValidationError
    from tideover.services.cycle.kpi_chart import check_chart_path
    from tideover.services.simulate.chart import write_simulation_chart
    from tideover.services.simulate.results import ChartedComparison
    from tideover.services.simulate.run import compare_policies

    if len(policies) < 2:
        raise ValidationError(
            N_("compare needs two or more policies: the baseline first, then the others"),
        )
    asked = _asked(months, runs, seed, behaviour, priors, fixed_priors, as_of)
    if chart is not None:
        check_chart_path(chart)
    with open_app() as app_, progress_bars(disable=json_out) as progress:
        report = compare_policies(
            uow=app_.uow(),
            platform=platform,
            policies=policies,
            asked=asked,
            data_dir=app_.settings.data_dir,
            cache_dir=app_.cache_dir,
            progress=progress,
        )
    drawn = None if chart is None else write_simulation_chart(report, chart)
    if json_out:
        shown = report if drawn is None else ChartedComparison.model_validate(
            {**dict(report), "chart": drawn}
        )  # fmt: skip
        print_json(shown)
        return
    render_comparison(report)
    _chart_line(drawn)


@app.command("review")
def review(
    version: Annotated[int, typer.Argument(help="The version number under review.", min=1)],
    platform: Platform,
    again: Annotated[
        bool,
        typer.Option("--again", help="Simulate again against today's active version."),
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Run (here, not in a worker) the review's simulation of a version and store it with it."""
    from tideover.bootstrap import open_app
    from tideover.services.simulate.review import run_review_simulation

    with open_app() as app_, progress_bars(disable=json_out) as progress:
        report = run_review_simulation(
            uow=app_.uow(),
            platform=platform,
            version=version,
            data_dir=app_.settings.data_dir,
            cache_dir=app_.cache_dir,
            again=again,
            progress=progress,
        )
    if json_out:
        print_json(report)
        return
    render_comparison(report)
    command = f"`tideover policy show {version} --platform {platform}`"
    console.print(
        _(
            "%(platform)s: stored with version %(version)s; %(command)s shows it",
            platform=platform,
            version=version,
            command=command,
        )
    )


# --- rendering ---------------------------------------------------------------------------


def _minor_digits(code: str) -> int:
    from tideover.domain.money import currency

    return currency(code).minor_digits


def _header(report: SimulationReport | ComparisonReport, out: Console = console) -> None:
    book, model, settings = report.book, report.behaviour, report.settings
    out.print(
        _(
            "%(platform)s: book of %(as_of)s · %(accounts)s open accounts (%(behind)s behind, "
            "%(dq30)s 30+) · %(scenario)s behaviour (%(source)s) · %(months)s months × "
            "%(runs)s runs, seed %(seed)s · rule pack %(pack)s · %(seconds)s s",
            platform=report.platform,
            as_of=book.as_of,
            accounts=format(book.accounts, ","),
            behind=format(book.behind, ","),
            dq30=format(book.dq30, ","),
            scenario=model.scenario,
            source=model.source,
            months=settings.months,
            runs=settings.runs,
            seed=settings.seed,
            pack=settings.pack,
            seconds=format(report.seconds, ".1f"),
        ),
        markup=False,
        highlight=False,
    )
    if model.note_en:
        out.print(either(model.note_en, model.note_zh or model.note_en), markup=False)


def _levels(run: PolicyRun, months: int, code: str, out: Console = console) -> None:
    from tideover.services.simulate.display import interval_text, label, shown_months
    from tideover.services.simulate.results import KPI_LABELS

    digits, language = _minor_digits(code), locale()
    table = Table(title=_("%(policy)s: median (90 %% interval) by month", policy=run.source.label))
    table.add_column(_("KPI"))
    picked = shown_months(months)
    for month in picked:
        table.add_column(_("month %(month)s", month=month), justify="right")
    for kpi in KPI_LABELS:
        cells = [interval_text(run.at(kpi, m), minor_digits=digits) for m in picked]
        table.add_row(label(kpi, language), *cells)
    out.print(table)


def render_comparison(report: ComparisonReport, out: Console = console) -> None:
    """The header, each difference's table at the last month, and what drives it."""
    from tideover.services.simulate.display import (
        favours_text,
        interval_text,
        label,
        value_text,
    )
    from tideover.services.simulate.results import HEADLINE, KPI_LABELS

    _header(report, out)
    digits, language, last = _minor_digits(report.book.currency), locale(), report.settings.months
    base = report.policies[0]
    if not report.differences:
        _levels(base, last, report.book.currency, out)
        return
    for difference in report.differences:
        mine = next(p for p in report.policies if p.source.label == difference.policy)
        table = Table(
            title=_(
                "month %(month)s: %(policy)s against %(baseline)s (median; difference with "
                "its 90 %% interval, on the same draws)",
                month=last,
                policy=difference.policy,
                baseline=difference.baseline,
            )
        )
        table.add_column(_("KPI"))
        table.add_column(difference.baseline, justify="right")
        table.add_column(difference.policy, justify="right")
        table.add_column(_("difference"), justify="right")
        table.add_column(_("favours"))
        for kpi in KPI_LABELS:
            row = difference.at(kpi, last)
            table.add_row(
                label(kpi, language),
                value_text(kpi, base.at(kpi, last).median, minor_digits=digits),
                value_text(kpi, mine.at(kpi, last).median, minor_digits=digits),
                interval_text(row, minor_digits=digits, signed=True),
                favours_text(row, language) if kpi in HEADLINE or row.favours else "",
            )
        out.print(table)
        _sensitivity(difference, language, out)


def _sensitivity(difference: object, language: str, out: Console = console) -> None:
    from tideover.services.simulate.display import label
    from tideover.services.simulate.results import PolicyDifference

    assert isinstance(difference, PolicyDifference)
    if not difference.sensitivity:
        out.print(_("no sensitivity table: it needs at least 10 runs with prior uncertainty"))
        return
    table = Table(
        title=_(
            "what drives the difference in month %(month)s (Spearman's rank correlation of "
            "each prior's draws with it)",
            month=difference.sensitivity[0].month,
        )
    )
    table.add_column(_("KPI"))
    table.add_column(_("prior"))
    table.add_column("ρ", justify="right")
    table.add_column(_("what it is"))
    for block in difference.sensitivity:
        for rank, driver in enumerate(block.drivers[:3]):
            table.add_row(
                label(block.kpi, language) if rank == 0 else "",
                driver.prior,
                f"{driver.rank_correlation:+.2f}",
                either(driver.en, driver.zh),
            )
    out.print(table)


def _chart_line(drawn: SimulationChart | None, out: Console = console) -> None:
    if drawn is None:
        return
    size = f"{drawn.width}×{drawn.height}"
    out.print(
        _("chart written to %(chart)s (%(size)s px)", chart=drawn.chart, size=size),
        markup=False,
    )
    if drawn.cjk_font is None:
        out.print(
            _("no font with Chinese glyphs was found: the chart's labels are in English only")
        )
