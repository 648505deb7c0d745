"""``tideover cycle run``: the daily cycle of one platform and business date."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.output import JsonOption, _, console, print_json, progress_bars
from tideover.cli.portfolio import parse_date
from tideover.cli.tables import Column, Listing

if TYPE_CHECKING:
    from tideover.services.cycle.results import CycleSummary


class Engine(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


app = typer.Typer(help="The daily cycle: delinquency to gated actions, queues and KPIs.")


def parse_costs(values: list[str]) -> dict[str, Decimal]:
    """``CHANNEL=AMOUNT`` pairs over the default costs (amounts in major units)."""
    from tideover.services.cycle.run import DEFAULT_COSTS

    costs = dict(DEFAULT_COSTS)
    for value in values:
        channel, _sep, amount = value.partition("=")
        try:
            costs[channel.strip()] = Decimal(amount.strip())
        except InvalidOperation:
            raise typer.BadParameter(
                _("%(value)s is not CHANNEL=AMOUNT", value=repr(value)),
                param_hint="--cost",
            ) from None
        if channel.strip() not in DEFAULT_COSTS:
            raise typer.BadParameter(
                _("unknown channel %(channel)s", channel=repr(channel)), param_hint="--cost"
            )
    return costs


@app.command("run")
def run(
    platform: Annotated[str, typer.Option(help="Platform code.")],
    date: Annotated[str, typer.Option("--date", help="Business date (YYYY-MM-DD).")],
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="A what-if: run this policy file instead of the active version, print the "
            "outcome and write nothing (the daily cycle itself runs the active version only).",
        ),
    ] = None,
    model_registry: Annotated[
        Path | None,
        typer.Option(
            "--model-registry",
            help="Model registry; its champion scores accounts (default: <data dir>/models "
            "when it has one for the platform).",
        ),
    ] = None,
    scores_dir: Annotated[
        Path | None,
        typer.Option(
            "--scores-dir",
            help="Where every model's scores of the day go (default: <data dir>/scores).",
        ),
    ] = None,
    cost: Annotated[
        list[str] | None,
        typer.Option("--cost", help="Cost per action, CHANNEL=AMOUNT (repeatable)."),
    ] = None,
    inbox: Annotated[
        Path | None,
        typer.Option(
            "--inbox",
            help="Folder of borrowers*/loans*/payments* files imported first "
            "(default: <data dir>/inbox/<platform>).",
        ),
    ] = None,
    catch_up_by: Annotated[
        str | None,
        typer.Option(
            "--catch-up-by",
            help="Run a date after the platform's business date: the user who allows it "
            "(recorded in the audit trail).",
        ),
    ] = None,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="Where the stages run: duckdb (embedded) or spark "
            "(PySpark local mode; needs tideover[spark] and Java 17+).",
        ),
    ] = Engine.DUCKDB,
    json_out: JsonOption = False,
) -> None:
    """Ingest → delinquency → features → score → assign → gate → dispatch → KPIs for a date."""
    from tideover.bootstrap import open_app
    from tideover.domain.clock import SystemClock
    from tideover.services.cycle.run import run_cycle
    from tideover.services.scoring.registry import platform_registry

    day = parse_date(date, "--date")
    costs = parse_costs(cost or [])
    with open_app() as app_, progress_bars(disable=json_out) as progress:
        default_inbox = app_.settings.data_dir / "inbox" / platform
        # The default inbox is read when it exists; an inbox given and missing is refused.
        chosen_inbox = (
            inbox if inbox is not None else (default_inbox if default_inbox.is_dir() else None)
        )
        summary = run_cycle(
            uow=app_.uow(),
            platform=platform,
            as_of=day,
            clock=SystemClock(),
            policy_file=policy,
            model_registry=model_registry or platform_registry(app_.settings.data_dir, platform),
            scores_dir=scores_dir or app_.settings.data_dir / "scores",
            costs=costs,
            progress=progress,
            engine=engine.value,
            inbox=chosen_inbox,
            catch_up_by=catch_up_by,
        )
    if json_out:
        print_json(summary)
        return
    render_summary(summary)


def render_summary(summary: CycleSummary) -> None:
    stages = Listing(
        _("stages"), [Column("stage", _("stage")), Column("seconds", _("seconds"), "right")]
    )
    for name, seconds in summary.stages.items():
        stages.add(name, f"{seconds:.3f}")
    stages.print()
    counts = Listing(
        _("results"), [Column("what", _("what")), Column("count", _("count"), "right")]
    )
    for name, value in summary.counts.items():
        counts.add(name, value)
    for segment, n in summary.segments.items():
        counts.add(_("segment %(segment)s", segment=segment), n)
    for rule, n in summary.denied_by_rule.items():
        counts.add(_("denied by %(rule)s", rule=rule), n)
    counts.print()
    versions = summary.versions
    if summary.what_if:
        console.print(
            _(
                "%(platform)s %(as_of)s: what-if of %(policy_file)s · nothing written (no run, "
                "outbox, queue or KPIs)",
                platform=summary.platform,
                as_of=summary.as_of,
                policy_file=versions.policy_file,
            )
        )
        return
    console.print(
        _(
            "%(platform)s %(as_of)s: run %(run)s completed · policy %(policy)s · "
            "model %(model)s · engine %(engine)s",
            platform=summary.platform,
            as_of=summary.as_of,
            run=summary.run_id,
            policy=versions.policy,
            model=versions.model or _("none"),
            engine=summary.engine,
        ),
        markup=False,
    )


def _register_rollback() -> None:
    from tideover.cli.cycle_rollback import app as rollback

    app.add_typer(rollback, name="rollback")


_register_rollback()
