"""``tideover demo``: the main job on the demo portfolio."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from tideover.cli.output import JsonOption, console, print_json, progress_bars, say
from tideover.cli.portfolio import parse_date, render_delinquency


def demo(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Business date (default 2026-11-30).")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Init, fetch data, build the demo portfolio, compute delinquency, report."""
    from tideover.bootstrap import initialise, open_app
    from tideover.services.data import fetch_dataset
    from tideover.services.delinquency import compute_delinquency
    from tideover.services.demo import DEMO_AS_OF, load_demo_platforms

    started = time.perf_counter()
    day = parse_date(as_of, "--as-of") if as_of else DEMO_AS_OF
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
        reports = [
            compute_delinquency(uow=app.uow(), platform=load.platform, as_of=day, progress=progress)
            for load in loads
        ]
    if json_out:
        print_json(
            {
                "as_of": day.isoformat(),
                "platforms": [load.to_json() for load in loads],
                "delinquency": [report.to_json() for report in reports],
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
        return
    for load, report in zip(loads, reports, strict=True):
        state = (
            say("already loaded", "此前已加载") if load.already_loaded else say("loaded", "已加载")
        )
        console.print(
            say(
                f"\n{load.platform}: {state} · borrowers {load.borrowers:,} · "
                f"loans {load.loans:,} · payments {load.payments:,}",
                f"\n{load.platform}：{state} · 借款人 {load.borrowers:,} · "
                f"借据 {load.loans:,} · 还款 {load.payments:,}",
            )
        )
        render_delinquency(report)
    console.print(
        say(
            f"done in {time.perf_counter() - started:.1f} s — try "
            f"`tideover delinquency --platform demo-cn --as-of {day}`",
            f"完成，用时 {time.perf_counter() - started:.1f} 秒 — 试试 "
            f"`tideover delinquency --platform demo-cn --as-of {day}`",
        )
    )
