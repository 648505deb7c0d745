"""``tideover demo``: the main job on the demo portfolio."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer
from rich.table import Table

from tideover.cli.kpi import amount_text, kpi_totals, share_text
from tideover.cli.output import JsonOption, console, print_json, progress_bars, say
from tideover.cli.portfolio import parse_date, render_delinquency
from tideover.services.progress import ProgressFn


def demo(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Business date (default 2026-11-30).")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Set up, load the two demo platforms, activate their policies, run the daily cycle."""
    from tideover.bootstrap import initialise, open_app
    from tideover.domain.clock import SystemClock
    from tideover.services.cycle import kpi_report, run_cycle
    from tideover.services.data import fetch_dataset
    from tideover.services.delinquency import report_from_history
    from tideover.services.demo import DEMO_AS_OF, ensure_demo_policy, load_demo_platforms

    started = time.perf_counter()
    day = parse_date(as_of, "--as-of") if as_of else DEMO_AS_OF
    clock = SystemClock()
    initialise()
    with (
        open_app() as app,
        console.status(say("fetching Lending Club data…", "正在获取 Lending Club 数据…")) as s,
    ):
        fetch_dataset(name="lendingclub", cache_dir=app.cache_dir, on_message=s.update)
    with open_app() as app, progress_bars(disable=json_out) as progress:
        loads = load_demo_platforms(
            uow_factory=app.uow, cache_dir=app.cache_dir, as_of=day, progress=progress
        )
        policies = [
            ensure_demo_policy(uow_factory=app.uow, platform=load.platform, as_of=day, clock=clock)
            for load in loads
        ]
        cycles = [
            run_cycle(
                uow=app.uow(),
                platform=load.platform,
                as_of=day,
                clock=clock,
                progress=_prefixed(progress, load.platform),
            )
            for load in loads
        ]
        reports = [
            report_from_history(uow=app.uow(), platform=load.platform, as_of=day) for load in loads
        ]
        comparison = [
            kpi_report(uow=app.uow(), platform=load.platform, first=day, last=day) for load in loads
        ]
    if json_out:
        print_json(
            {
                "as_of": day.isoformat(),
                "platforms": [load.to_json() for load in loads],
                "policies": policies,
                "cycles": cycles,
                "delinquency": [report.to_json() for report in reports],
                "kpis": comparison,
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
        return
    for load, policy, cycle, report in zip(loads, policies, cycles, reports, strict=True):
        state = (
            say("already loaded", "此前已加载") if load.already_loaded else say("loaded", "已加载")
        )
        console.print(
            say(
                f"\n{load.platform}: {state} · borrowers {load.borrowers:,} · "
                f"loans {load.loans:,} · payments {load.payments:,} · "
                f"policy version {policy['version']} active",
                f"\n{load.platform}：{state} · 借款人 {load.borrowers:,} · "
                f"借据 {load.loans:,} · 还款 {load.payments:,} · 策略版本 {policy['version']} 生效",
            )
        )
        render_delinquency(report)
        _render_cycle(cycle)
    _render_comparison(comparison)
    console.print(
        say(
            f"done in {time.perf_counter() - started:.1f} s — next: "
            f"`tideover kpi --platform demo-cn --from {day} --to {day}`",
            f"完成，用时 {time.perf_counter() - started:.1f} 秒 — 接下来："
            f"`tideover kpi --platform demo-cn --from {day} --to {day}`",
        )
    )


def _render_comparison(reports: list[dict[str, Any]]) -> None:
    """The platforms side by side on the day's KPIs."""
    table = Table(title=say("the platforms side by side", "各平台对比"))
    for en, zh in [
        ("platform", "平台"),
        ("open", "在贷户数"),
        ("balance", "余额"),
        ("", ""),
        ("30+", "30+"),
        ("90+", "90+"),
        ("actions", "动作"),
        ("denied", "被拒"),
        ("cost", "成本"),
    ]:
        table.add_column(say(en, zh), justify="left" if en == "platform" else "right")
    for report in reports:
        rows = report["rows"]
        code = rows[0]["currency"] if rows else "CNY"
        t = kpi_totals(rows)
        table.add_row(
            report["platform"],
            f"{t['accounts']:,}",
            # Whole units: this table is for reading across, not for reconciling.
            amount_text(t["balance"], code).split(".")[0],
            code,
            share_text(t["30+"], t["accounts"]),
            share_text(t["90+"], t["accounts"]),
            f"{t['planned']:,}",
            f"{t['planned'] - t['allowed']:,}",
            amount_text(t["cost"], code),
        )
    console.print(table)


def _prefixed(progress: ProgressFn, platform: str) -> ProgressFn:
    """Progress labels carrying the platform, so each platform's stages get their own bar."""

    def report(label: str, done: int, total: int) -> None:
        progress(f"{platform}: {label}", done, total)

    return report


def _render_cycle(summary: dict[str, Any]) -> None:
    counts = summary["counts"]
    denied = ", ".join(f"{rule} {n:,}" for rule, n in summary["denied_by_rule"].items())
    console.print(
        say(
            f"today's actions {counts['actions']:,}: allowed {counts['allowed']:,}, "
            f"rescheduled {counts['rescheduled']:,}, dropped {counts['dropped']:,}"
            f"{f' ({denied})' if denied else ''} · outbox {counts['outbox']:,} · "
            f"collector queue {counts['queue_items']:,}",
            f"今日动作 {counts['actions']:,}：放行 {counts['allowed']:,}，"
            f"改期 {counts['rescheduled']:,}，取消 {counts['dropped']:,}"
            f"{f'（{denied}）' if denied else ''} · 待发消息 {counts['outbox']:,} · "
            f"催收员队列 {counts['queue_items']:,}",
        )
    )
