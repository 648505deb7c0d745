"""``tideover experiment report``: the active policy's champion/challenger experiments.

Per arm the figures read from the stored snapshots, each challenger's difference
from the champion with its always-valid interval (read it every day), the
sample-ratio check, the guardrails and the verdict — keep running, promote or
stop — with its reasons (``docs/simulation.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tideover.cli.labels import label
from tideover.cli.output import N_, JsonOption, _, console, either, print_json

if TYPE_CHECKING:
    from tideover.services.simulate.results import ExperimentReport

app = typer.Typer(
    help="Champion/challenger experiments: per-arm KPIs, differences, guardrails, verdicts.",
    no_args_is_help=True,
)

CALLS = {
    "keep_running": N_("keep running"),
    "promote": N_("promote the challenger"),
    "stop": N_("stop"),
}


def _call(code: str) -> str:
    """The verdict in the reader's words (a code without words as it is)."""
    return _(CALLS[code]) if code in CALLS else code


@app.command("report")
def report(
    platform: Annotated[str, typer.Option("--platform", help="Platform code.")],
    experiment: Annotated[
        str | None,
        typer.Option("--experiment", help="One experiment's id (default: every one)."),
    ] = None,
    planned_days: Annotated[
        int,
        typer.Option(
            "--planned-days",
            help="The experiment's planned length in cycle days: past it, nothing settled "
            "means stop and keep the champion.",
        ),
    ] = 60,
    json_out: JsonOption = False,
) -> None:
    """Each experiment of the active policy: arms, differences, guardrails and the verdict."""
    from tideover.bootstrap import open_app
    from tideover.services.simulate.experiments import experiment_reports

    with open_app() as app_:
        found = experiment_reports(
            uow=app_.uow(),
            platform=platform,
            data_dir=app_.settings.data_dir,
            experiment=experiment,
            planned_days=planned_days,
        )
    if json_out:
        print_json(found)
        return
    if found.version is None:
        console.print(
            _("%(platform)s: no active policy version, so no experiment runs", platform=platform)
        )
    elif not found.experiments:
        console.print(
            _(
                "%(platform)s: active policy version %(version)s runs no experiment",
                platform=platform,
                version=found.version,
            )
        )
    for one in found.experiments:
        render_experiment(one)


def _text(value: object) -> str:
    return "—" if value is None else str(value)


def render_experiment(one: ExperimentReport) -> None:
    period = f"{one.first} – {one.last}" if one.first else _("no data yet")
    console.print(
        "\n"
        + _(
            "%(platform)s · experiment %(experiment)s in segment %(segment)s (version "
            "%(version)s) · %(period)s, %(days)s of %(planned)s planned days · verdict: %(call)s",
            platform=one.platform,
            experiment=one.experiment,
            segment=one.segment,
            version=one.version,
            period=period,
            days=one.days,
            planned=one.planned_days,
            call=_call(one.call),
        ),
        markup=False,
        highlight=False,
    )
    if one.hypothesis:
        console.print(_("hypothesis: %(text)s", text=one.hypothesis), markup=False)
    ratio = _text(one.sample_ratio_p)
    console.print(
        _("sample ratio: p = %(p)s — MISMATCH", p=ratio)
        if one.sample_ratio_mismatch
        else _("sample ratio: p = %(p)s", p=ratio)
    )
    arms = Table(title=_("arms (cumulative)"))
    for column in (_("arm"), _("role"), _("treatment")):
        arms.add_column(column)
    arms.add_column(_("weight"), justify="right")
    arms.add_column(_("accounts"), justify="right")
    metrics = list(one.arms[0].values) if one.arms and one.arms[0].values else []
    for name in metrics:
        arms.add_column(name, justify="right")
    for arm in one.arms:
        arms.add_row(
            arm.arm,
            label("model_role", arm.role),
            arm.treatment,
            str(arm.weight),
            f"{arm.accounts:,}",
            *[_text(arm.values.get(m)) for m in metrics],
        )
    console.print(arms)
    for challenger in one.challengers:
        table = Table(
            title=_("%(arm)s minus champion (always-valid 95 %% interval)", arm=challenger.arm)
        )
        table.add_column(_("metric"))
        table.add_column(_("difference"), justify="right")
        table.add_column(_("interval"), justify="right")
        table.add_column("p", justify="right")
        table.add_column(_("margin"), justify="right")
        table.add_column("CUPED")
        for row in (challenger.primary, *challenger.guardrails):
            table.add_row(
                row.metric,
                _text(row.difference),
                f"{_text(row.lower)} … {_text(row.upper)}",
                _text(row.p_value),
                _text(row.margin),
                _("yes") if row.cuped else _("no"),
            )
        console.print(table)
        console.print(
            _("%(arm)s: %(call)s", arm=challenger.arm, call=_call(challenger.call)),
            markup=False,
            highlight=False,
        )
        for reason in challenger.reasons:
            console.print(f"  - {either(reason.en, reason.zh)}", markup=False, highlight=False)
    for reason in one.not_measured:
        console.print(f"  · {either(reason.en, reason.zh)}", markup=False, highlight=False)
