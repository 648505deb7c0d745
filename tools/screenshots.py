"""The console's screenshots in ``docs/img/``, taken on the demo in Debian's Chromium.

Usage: python tools/screenshots.py [--data-dir var] [--out docs/img] [--language en]

It works on a copy of the demo database (``make demo``'s, under ``--data-dir``), so
nothing it does reaches the reader's own demo; without one it first builds a smaller
demo (``tideover demo --days 3``) in a temporary folder.  On the copy it puts a policy
change in review (the aggressive example in place of the supportive one) and runs its
simulation, so that a version page has a lint report, a simulation and a diff; it
serves the console on a loopback port (stopped at the end) on a clock at 21:00 on the
demo's last business date, signs in as each role and as the demo borrower (the code
read from the SMS sink) and saves one PNG per page: 1280x800, the borrower portal at a
phone's 360x780, each quantised to 256 colours so that it stays under 200 KB.
Chromium comes from Debian (``tools/setup_system.sh``), as for the browser tests:
nothing is downloaded.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
PLATFORM = "demo-cn"
AGGRESSIVE = "demo-cn-aggressive"  # the same book collected harder: the gate denies there
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 780}
MAX_BYTES = 200_000


@dataclass(frozen=True)
class Shot:
    name: str  # docs/img/<name>.png
    user: str  # a demo staff user, or "borrower"
    path: str
    ready: str  # a selector present once the page is complete
    charts: bool = False  # wait for ECharts to draw (app.js marks each chart data-drawn)
    scroll_to: str | None = None  # the part of a long page the picture is of
    platform: str = PLATFORM


def _shots(version: int, borrower_id: str) -> list[Shot]:
    return [
        Shot("kpi", "manager", "/kpi", "[data-chart]", charts=True),
        # from the compliance check (the section after the approval buttons) down
        Shot("policy-version", "cco", f"/policy/{version}", "h1", True, "section.actions + *"),
        Shot("queue", "lead", "/queue?state=all", "table.queue"),
        Shot("borrower-360", "lead", f"/queue/borrowers/{borrower_id}", "#borrower-360"),
        Shot("denials", "cco", "/compliance/denials", "[data-chart]", True, platform=AGGRESSIVE),
        Shot("audit", "auditor", "/audit", "h1"),
        Shot("portal-owe", "borrower", "/borrower", "#signed-in-as"),
    ]


def _has_demo(data_dir: Path) -> bool:
    """Whether ``data_dir`` holds a demo database whose two platforms have run a day."""
    db = data_dir / "tideover.db"
    if not db.exists():
        return False
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        try:
            found = connection.execute(
                "SELECT count(DISTINCT p.code) FROM cycle_runs r "
                "JOIN platforms p ON p.id = r.platform_id WHERE p.code IN (?, ?)",
                (PLATFORM, AGGRESSIVE),
            ).fetchone()
        except sqlite3.Error:
            return False
    return bool(found and found[0] == 2)


def _build_demo(target: Path, cache: Path) -> None:
    """A smaller demo in ``target``: its two platforms, three business days."""
    print(f"no demo database under the data directory: building a smaller one in {target}")
    command = [str(Path(sys.executable).parent / "tideover"), "demo"]
    env = {**os.environ, "TIDEOVER_DATA_DIR": str(target), "TIDEOVER_CACHE_DIR": str(cache)}
    subprocess.run([*command, "--days", "3"], check=True, env=env, stdout=subprocess.DEVNULL)


def _copy(source: Path, work: Path, cache: Path) -> None:
    """The database (a consistent copy, write-ahead log included), the model files, and the
    public data where the jobs look for it (under the data directory)."""
    with (
        sqlite3.connect(source / "tideover.db") as original,
        sqlite3.connect(work / "tideover.db") as copy,
    ):
        original.backup(copy)
    for folder in ("models", "scores"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, work / folder)
    if cache.is_dir():
        (work / "cache").symlink_to(cache.resolve(), target_is_directory=True)


def _evening(day: date) -> Any:
    """A clock at 21:00 on ``day`` in Shanghai: after the demo's last day (run at 20:00)."""
    from tideover.domain.clock import FixedClock

    evening = datetime.combine(day, clock_time(21), ZoneInfo("Asia/Shanghai"))
    return FixedClock(evening.astimezone(UTC))


def _prepare(core: Any) -> tuple[int, str, date]:
    """A version in review with its simulation, the demo borrower; their numbers and the
    demo's last business date."""
    from tideover.services.demo.people import ensure_demo_borrower
    from tideover.services.demo.story import demo_policy_text
    from tideover.services.jobs import run_next_job
    from tideover.services.policy.versions import submit_policy

    with core.uow() as uow:
        last = uow.cycle(PLATFORM).last_completed_date()
    if last is None:
        sys.exit("the demo has not run a business day")
    clock = _evening(last)
    text = demo_policy_text("demo-cn-aggressive")  # the aggressive example, against the active
    submitted = submit_policy(
        uow=core.uow(), platform=PLATFORM, text=text, by="manager", clock=clock
    )
    data_dir = core.settings.data_dir
    while run_next_job(uow_factory=core.uow, clock=clock, data_dir=data_dir):
        pass  # the version's simulation: the review page shows its result
    borrower = ensure_demo_borrower(uow_factory=core.uow, platform=PLATFORM)
    if borrower is None:
        sys.exit("the demo has nobody in arrears: no borrower to show")
    return submitted.version, borrower.borrower_id, last


@contextmanager
def _serving(core: Any, day: date) -> Iterator[str]:
    """The console on a free loopback port, on a clock at 21:00 on ``day`` in Shanghai."""
    import uvicorn

    from tideover.web.app import create_app

    app = create_app(core, clock=_evening(day), secure_cookies=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            sys.exit("the console did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _sign_in_staff(page: Any, base: str, shot: Shot, language: str) -> None:
    from tideover.services.demo.people import DEMO_PASSWORD

    page.goto(f"{base}/login?lang={language}")
    page.fill("input[name=platform]", shot.platform)
    page.fill("input[name=username]", shot.user)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _sign_in_borrower(page: Any, base: str, work: Path, language: str) -> None:
    from tideover.adapters.channels import read_sink
    from tideover.services.demo.people import DEMO_BORROWER_PHONES

    phone = DEMO_BORROWER_PHONES[PLATFORM]
    page.goto(f"{base}/borrower/login?platform={PLATFORM}&lang={language}")
    page.fill("#phone", phone)
    page.click("#send-code")
    page.wait_for_selector("#code-form")
    sent = [m for m in read_sink(work) if m["to"] == phone and m["purpose"] == "sign_in_code"]
    code = re.search(r"\b(\d{6})\b", sent[-1]["text"]) if sent else None
    if code is None:
        sys.exit(f"no sign-in code for the demo borrower in {work / 'sink'}")
    page.fill("#code", code.group(1))
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/borrower$"))


def _save(raw: bytes, target: Path) -> int:
    """``raw`` quantised to 256 colours (no dithering: flat screens stay flat), optimised."""
    from PIL import Image

    image = Image.open(io.BytesIO(raw)).convert("RGB")
    small = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(target, optimize=True)
    return target.stat().st_size


def _take(browser: Any, base: str, work: Path, shot: Shot, out: Path, language: str) -> int:
    viewport = PHONE if shot.user == "borrower" else DESKTOP
    locale = "zh-CN" if language == "zh_CN" else "en-US"
    context = browser.new_context(locale=locale, viewport=viewport, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        if shot.user == "borrower":
            _sign_in_borrower(page, base, work, language)
        else:
            _sign_in_staff(page, base, shot, language)
        page.goto(f"{base}{shot.path}")
        page.wait_for_selector(shot.ready)
        page.wait_for_load_state("networkidle")
        if shot.charts:
            page.wait_for_function(
                "[...document.querySelectorAll('[data-chart]')].every(e => e.dataset.drawn)"
            )
            page.wait_for_timeout(1500)  # ECharts animates the first drawing
        if shot.scroll_to:
            top = page.locator(shot.scroll_to).first.evaluate("e => e.getBoundingClientRect().top")
            page.evaluate(f"window.scrollTo(0, window.scrollY + {top} - 16)")
        return _save(page.screenshot(), out / f"{shot.name}.png")
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--language", choices=("en", "zh_CN"), default="en")
    options = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"no Chromium at {CHROMIUM}: sh tools/setup_system.sh installs it from Debian")
    from playwright.sync_api import sync_playwright

    from tideover.bootstrap import open_app
    from tideover.config import Settings

    options.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tideover-shots-") as scratch:
        source, work = options.data_dir, Path(scratch) / "work"
        work.mkdir()
        cache = Path(os.environ.get("TIDEOVER_CACHE_DIR") or options.data_dir / "cache")
        if not _has_demo(source):
            source = Path(scratch) / "demo"
            _build_demo(source, cache)
        _copy(source, work, cache)
        settings = Settings(
            mode="demo",
            data_dir=work,
            database_url=f"sqlite:///{work / 'tideover.db'}",
            cache_dir=cache,  # the public data the simulation's behaviour model is fitted on
        )
        with open_app(settings) as core:
            version, borrower_id, last = _prepare(core)
            with _serving(core, last) as base, sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                try:
                    for shot in _shots(version, borrower_id):
                        size = _take(browser, base, work, shot, options.out, options.language)
                        print(f"{options.out / shot.name}.png  {size // 1000} KB")
                        if size > MAX_BYTES:
                            sys.exit(f"{shot.name}.png is over {MAX_BYTES // 1000} KB")
                finally:
                    browser.close()


if __name__ == "__main__":
    main()
