"""Use case: load the demo platforms from real Lending Club loans, idempotently."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any

from tideover.adapters.datasets import load_lendingclub
from tideover.demo.portfolio import DEMO_PLATFORMS, DemoPlatform, build_demo_portfolio
from tideover.domain.clock import Clock
from tideover.domain.platforms import PlatformSettings
from tideover.services.policy import (
    activate_policy_version,
    approve_policy_version,
    submit_policy,
)
from tideover.services.progress import ProgressFn, no_progress
from tideover.services.unit_of_work import UnitOfWork

# The demo's business date: fixed so that the tour prints the same figures on
# every machine and every day.  `tideover demo --as-of` moves it.
DEMO_AS_OF = date(2026, 11, 30)
DEMO_SEED = 20261130


@dataclass(frozen=True)
class DemoLoad:
    """What loading one demo platform did."""

    platform: str
    borrowers: int
    loans: int
    payments: int
    already_loaded: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "borrowers": self.borrowers,
            "loans": self.loans,
            "payments": self.payments,
            "already_loaded": self.already_loaded,
        }


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
) -> DemoLoad:
    """Create the platform and book its demo portfolio, unless it already has loans.

    One commit: a crash half-way leaves the platform as it was, and a rerun
    of a loaded platform writes nothing.
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
                preset.code,
                uow.borrowers(preset.code).count(),
                loans.count(),
                uow.payments(preset.code).count(),
                already_loaded=True,
            )
        progress(label, 0, 4)
        portfolio = build_demo_portfolio(
            platform=preset.code,
            source=load_source(),
            as_of=as_of,
            seed=seed,
            penalty=settings.penalty,
        )
        progress(f"{preset.code}: writing borrowers", 1, 4)
        uow.borrowers(preset.code).add_many(portfolio.borrowers)
        progress(f"{preset.code}: writing loans", 2, 4)
        loans.add_many(portfolio.loans)
        progress(f"{preset.code}: writing payments", 3, 4)
        uow.payments(preset.code).add_many(portfolio.payments)
        for loan_id, pauses in portfolio.pauses.items():
            for pause in pauses:
                loans.add_pause(loan_id, pause, "demo")
        uow.commit()
        progress(f"{preset.code}: loaded", 4, 4)
    return DemoLoad(
        preset.code,
        len(portfolio.borrowers),
        len(portfolio.loans),
        len(portfolio.payments),
        already_loaded=False,
    )


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


# Each demo platform runs the supportive example under its own jurisdiction's
# rule pack; the aggressive example stays available for comparisons and lint.
DEMO_POLICY_JURISDICTION = {"demo-cn": ("CN", "cn"), "demo-us": ("US", "us")}
DEMO_AUTHOR, DEMO_REVIEWER = "demo-author", "demo-reviewer"


def demo_policy_text(platform: str) -> str:
    """The supportive example, pointed at the platform's jurisdiction and rule pack."""
    text = (files("tideover.policy") / "examples" / "supportive.yaml").read_text(encoding="utf-8")
    jurisdiction, pack = DEMO_POLICY_JURISDICTION[platform]
    return text.replace("jurisdiction: CN", f"jurisdiction: {jurisdiction}").replace(
        "rule_packs: [cn]", f"rule_packs: [{pack}]"
    )


def ensure_demo_policy(
    *, uow_factory: Callable[[], UnitOfWork], platform: str, as_of: date, clock: Clock
) -> dict[str, Any]:
    """Submit, approve (four eyes, linted) and activate the demo policy once."""
    with uow_factory() as uow:
        active = uow.policies(platform).active()
    if active is not None:
        return {"platform": platform, "version": active.version.number, "already_active": True}
    submitted = submit_policy(
        uow=uow_factory(),
        platform=platform,
        text=demo_policy_text(platform),
        by=DEMO_AUTHOR,
        source=f"{platform} demo policy",
        clock=clock,
    )
    number = int(submitted["version"])
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
    return {"platform": platform, "version": number, "already_active": False}
