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

from tideover.cli.output import JsonOption, console, locale, print_json, say

if TYPE_CHECKING:
    from tideover.services.simulate.results import ExperimentReport

app = typer.Typer(
    help="Champion/challenger experiments: per-arm KPIs, differences, guardrails, verdicts.",
    no_args_is_help=True,
)

CALLS = {
    "keep_running": ("keep running", "继续运行"),
    "promote": ("promote the challenger", "推广挑战者"),
    "stop": ("stop", "停止"),
}


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
            say(
                f"{platform}: no active policy version, so no experiment runs",
                f"{platform}：没有生效的策略版本，因此没有进行中的实验",
            )
        )
    elif not found.experiments:
        console.print(
            say(
                f"{platform}: active policy version {found.version} runs no experiment",
                f"{platform}：生效策略版本 {found.version} 没有实验",
            )
        )
    for one in found.experiments:
        render_experiment(one)


def _text(value: object) -> str:
    return "—" if value is None else str(value)


def render_experiment(one: ExperimentReport) -> None:
    zh = locale() == "zh"
    en_call, zh_call = CALLS.get(one.call, (one.call, one.call))
    period = f"{one.first} – {one.last}" if one.first else say("no data yet", "尚无数据")
    console.print(
        say(
            f"\n{one.platform} · experiment {one.experiment} in segment {one.segment} "
            f"(version {one.version}) · {period}, {one.days} of {one.planned_days} planned days "
            f"· verdict: {en_call}",
            f"\n{one.platform} · 实验 {one.experiment}，分群 {one.segment}（版本 {one.version}）"
            f" · {period}，已运行 {one.days} 天 / 计划 {one.planned_days} 天 · 结论：{zh_call}",
        ),
        markup=False,
        highlight=False,
    )
    if one.hypothesis:
        console.print(say("hypothesis: ", "假设：") + one.hypothesis, markup=False)
    ratio = _text(one.sample_ratio_p)
    console.print(
        say(
            f"sample ratio: p = {ratio}" + (" — MISMATCH" if one.sample_ratio_mismatch else ""),
            f"样本比例检验：p = {ratio}" + ("——不匹配" if one.sample_ratio_mismatch else ""),
        )
    )
    arms = Table(title=say("arms (cumulative)", "各分组（累计）"))
    for column in (say("arm", "分组"), say("role", "角色"), say("treatment", "处置方式")):
        arms.add_column(column)
    arms.add_column(say("weight", "权重"), justify="right")
    arms.add_column(say("accounts", "账户"), justify="right")
    metrics = list(one.arms[0].values) if one.arms and one.arms[0].values else []
    for name in metrics:
        arms.add_column(name, justify="right")
    for arm in one.arms:
        arms.add_row(
            arm.arm,
            arm.role,
            arm.treatment,
            str(arm.weight),
            f"{arm.accounts:,}",
            *[_text(arm.values.get(m)) for m in metrics],
        )
    console.print(arms)
    for challenger in one.challengers:
        table = Table(
            title=say(
                f"{challenger.arm} minus champion (always-valid 95 % interval)",
                f"{challenger.arm} 减冠军（始终有效的 95% 区间）",
            )
        )
        for column in (say("metric", "指标"), say("difference", "差异")):
            table.add_column(column, justify="right" if column != say("metric", "指标") else "left")
        table.add_column(say("interval", "区间"), justify="right")
        table.add_column("p", justify="right")
        table.add_column(say("margin", "容忍幅度"), justify="right")
        table.add_column("CUPED")
        for row in (challenger.primary, *challenger.guardrails):
            table.add_row(
                row.metric,
                _text(row.difference),
                f"{_text(row.lower)} … {_text(row.upper)}",
                _text(row.p_value),
                _text(row.margin),
                say("yes", "是") if row.cuped else say("no", "否"),
            )
        console.print(table)
        call_en, call_zh = CALLS.get(challenger.call, (challenger.call, challenger.call))
        console.print(say(f"{challenger.arm}: {call_en}", f"{challenger.arm}：{call_zh}"))
        for reason in challenger.reasons:
            console.print(f"  - {reason.zh if zh else reason.en}", markup=False, highlight=False)
    for reason in one.not_measured:
        console.print(f"  · {reason.zh if zh else reason.en}", markup=False, highlight=False)
