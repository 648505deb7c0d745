"""``tideover policy submit|approve|reject|activate|rollback|versions|show``: stored versions.

Registered on the ``tideover policy`` group by ``tideover.cli.main``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.output import JsonOption, console, error_console, print_json, say
from tideover.cli.policy import FileArg, run_with_uow, show_problems
from tideover.services.results import Result

if TYPE_CHECKING:
    from tideover.services.simulate.results import ReviewSimulation

# --- stored versions: submit, approve, reject, activate, rollback, versions, show -----------

VersionArg = Annotated[int, typer.Argument(help="Version number on the platform.", min=1)]
StoredPlatform = Annotated[str, typer.Option("--platform", help="Platform code.")]
ByOption = Annotated[str, typer.Option("--by", help="Who does this (recorded with the time).")]
EffectiveOption = Annotated[
    str | None,
    typer.Option("--effective", help="Effective date (default: the platform's business date)."),
]


def _read_exact(path: Path) -> str:
    """The file's text exactly as written (no newline translation), or PolicyRejected."""
    from tideover.policy.problems import PolicyRejected, Problem

    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem(
            "unreadable", "(file)", f"cannot read the file: {exc}", f"无法读取文件：{exc}"
        )
        raise PolicyRejected(str(path), [problem]) from exc


def _report(result: Result, json_out: bool, en: str, zh: str) -> None:
    if json_out:
        print_json(result)
        return
    console.print(say(en, zh), markup=False, highlight=False)


def _effective(value: str | None) -> date | None:
    from tideover.cli.portfolio import parse_date

    return None if value is None else parse_date(value, "--effective")


def submit(
    file: FileArg, platform: StoredPlatform, by: ByOption, json_out: JsonOption = False
) -> None:
    """Store a policy file as a new version awaiting review (an invalid file is never stored)."""
    from tideover.policy.problems import PolicyRejected
    from tideover.services.policy.versions import submit_policy

    text = _read_exact(file)
    try:
        r = run_with_uow(submit_policy, platform=platform, text=text, by=by, source=str(file))
    except PolicyRejected as exc:
        show_problems(exc.source, exc.problems)
        raise
    if not json_out:
        show_problems(file, r.warnings)
    _report(
        r,
        json_out,
        f"{platform}: version {r.version} ({r.policy}, sha256 {r.sha256[:12]}) "
        f"submitted by {r.author}; awaiting approval by someone else",
        f"{platform}：版本 {r.version}（{r.policy}，sha256 {r.sha256[:12]}）已由 "
        f"{r.author} 提交；待他人审批",
    )


def approve(
    version: VersionArg, platform: StoredPlatform, by: ByOption, json_out: JsonOption = False
) -> None:
    """Approve a version in review; its author cannot (four eyes)."""
    from tideover.services.policy.versions import approve_policy_version

    r = run_with_uow(approve_policy_version, platform=platform, version=version, by=by)
    _report(
        r,
        json_out,
        f"{platform}: version {version} approved by {by}",
        f"{platform}：版本 {version} 已由 {by} 审批通过",
    )


def reject(
    version: VersionArg,
    platform: StoredPlatform,
    by: ByOption,
    reason: Annotated[str, typer.Option("--reason", help="Why it goes back to its author.")],
    json_out: JsonOption = False,
) -> None:
    """Send a version in review back to draft, with a reason."""
    from tideover.services.policy.versions import reject_policy_version

    r = run_with_uow(
        reject_policy_version, platform=platform, version=version, by=by, reason=reason
    )
    _report(
        r,
        json_out,
        f"{platform}: version {version} sent back to draft by {by}",
        f"{platform}：版本 {version} 已由 {by} 退回草稿",
    )


def activate(
    version: VersionArg,
    platform: StoredPlatform,
    by: ByOption,
    effective: EffectiveOption = None,
    json_out: JsonOption = False,
) -> None:
    """Make an approved version the active one; the previous one retires."""
    from tideover.services.policy.versions import activate_policy_version

    day = _effective(effective)
    r = run_with_uow(
        activate_policy_version, platform=platform, version=version, by=by, effective=day
    )
    _report(
        r,
        json_out,
        f"{platform}: version {version} active from {r.effective_from}",
        f"{platform}：版本 {version} 自 {r.effective_from} 起生效",
    )


def rollback(
    platform: StoredPlatform,
    by: ByOption,
    effective: EffectiveOption = None,
    json_out: JsonOption = False,
) -> None:
    """Re-activate the version that was active before the current one."""
    from tideover.services.policy.versions import rollback_policy

    r = run_with_uow(rollback_policy, platform=platform, by=by, effective=_effective(effective))
    _report(
        r,
        json_out,
        f"{platform}: rolled back to version {r.version}, active from {r.effective_from}",
        f"{platform}：已回滚至版本 {r.version}，自 {r.effective_from} 起生效",
    )


def versions(platform: StoredPlatform, json_out: JsonOption = False) -> None:
    """List the platform's policy versions, oldest first."""
    from tideover.services.policy.versions import list_policy_versions

    result = run_with_uow(list_policy_versions, platform=platform)
    if json_out:
        print_json(result)
        return
    if not result.versions:
        console.print(say(f"{platform}: no policy version yet", f"{platform}：尚无策略版本"))
    for v in result.versions:
        console.print(
            f"{v.version:>4}  {v.status:<10} {v.policy:<24} {v.author:<12} "
            f"{v.approver or '-':<12} {v.effective_from or '-':<10}  {v.sha256[:12]}",
            markup=False,
            highlight=False,
        )


def show(version: VersionArg, platform: StoredPlatform, json_out: JsonOption = False) -> None:
    """Print a stored version's document exactly as submitted, then the simulation its review
    reads (on standard error, so that ``> file`` keeps the document alone); with --json, the
    version, its history, document and simulation."""
    import sys

    from tideover.services.simulate.review import review_version

    result = run_with_uow(review_version, platform=platform, version=version)
    if json_out:
        print_json(result)
        return
    sys.stdout.write(result.document)
    sys.stdout.flush()
    render_review(result.simulation)


def render_review(simulation: ReviewSimulation) -> None:
    """Where the review's simulation stands and, when done, its comparison (standard error)."""
    from tideover.cli.simulate import render_comparison

    state = simulation.state
    out = error_console
    out.print(say("\n--- simulation for the review ---", "\n--- 审批用模拟 ---"))
    if state == "done" and simulation.report is not None:
        render_comparison(simulation.report, out)
        return
    messages = {
        "not_requested": (
            "none was requested for this version; run `tideover simulate review "
            f"{simulation.version} --platform <platform>`",
            f"该版本未请求模拟；请运行 `tideover simulate review {simulation.version} "
            "--platform <平台>`",
        ),
        "not_started": (
            "requested, but no job runs it (the submitter is not a stored user): run "
            f"`tideover simulate review {simulation.version} --platform <platform>`",
            "已请求，但没有任务执行（提交人不是系统用户）：请运行 "
            f"`tideover simulate review {simulation.version} --platform <平台>`",
        ),
        "queued": (
            "queued: waiting for a worker (`tideover worker`) to take it",
            "排队中：等待后台任务进程（`tideover worker`）处理",
        ),
        "running": (
            f"running ({simulation.progress_label or 'started'}, {simulation.progress_done} of "
            f"{simulation.progress_total})",
            f"运行中（{simulation.progress_label or '已开始'}，{simulation.progress_done}/"
            f"{simulation.progress_total}）",
        ),
        "failed": (
            f"failed: {simulation.error}; run it again with `tideover simulate review "
            f"{simulation.version} --platform <platform>`",
            f"失败：{simulation.error}；可用 `tideover simulate review {simulation.version} "
            "--platform <平台>` 重新运行",
        ),
    }
    en, zh = messages.get(state, (state, state))
    out.print(say(en, zh), markup=False, highlight=False)
