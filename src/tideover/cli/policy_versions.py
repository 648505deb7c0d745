"""``tideover policy submit|approve|reject|activate|rollback|versions|show``: stored versions.

Registered on the ``tideover policy`` group by ``tideover.cli.main``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.output import JsonOption, _, console, error_console, print_json
from tideover.cli.policy import FileArg, run_with_uow, show_problems
from tideover.i18n import N_, Wording
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
            "unreadable", "(file)", Wording(N_("cannot read the file: %(exc)s"), exc=exc)
        )
        raise PolicyRejected(str(path), [problem]) from exc


def _report(result: Result, json_out: bool, text: str) -> None:
    if json_out:
        print_json(result)
        return
    console.print(text, markup=False, highlight=False)


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
        _(
            "%(platform)s: version %(version)s (%(policy)s, sha256 %(sha256)s) submitted by "
            "%(author)s; awaiting approval by someone else",
            platform=platform,
            version=r.version,
            policy=r.policy,
            sha256=r.sha256[:12],
            author=r.author,
        ),
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
        _(
            "%(platform)s: version %(version)s approved by %(by)s",
            platform=platform,
            version=version,
            by=by,
        ),
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
        _(
            "%(platform)s: version %(version)s sent back to draft by %(by)s",
            platform=platform,
            version=version,
            by=by,
        ),
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
        _(
            "%(platform)s: version %(version)s active from %(effective)s",
            platform=platform,
            version=version,
            effective=r.effective_from,
        ),
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
        _(
            "%(platform)s: rolled back to version %(version)s, active from %(effective)s",
            platform=platform,
            version=r.version,
            effective=r.effective_from,
        ),
    )


def versions(platform: StoredPlatform, json_out: JsonOption = False) -> None:
    """List the platform's policy versions, oldest first."""
    from tideover.services.policy.versions import list_policy_versions

    result = run_with_uow(list_policy_versions, platform=platform)
    if json_out:
        print_json(result)
        return
    if not result.versions:
        console.print(_("%(platform)s: no policy version yet", platform=platform))
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
    out.print("\n" + _("--- simulation for the review ---"))
    if state == "done" and simulation.report is not None:
        render_comparison(simulation.report, out)
        return
    out.print(_review_state(simulation), markup=False, highlight=False)


def _review_state(simulation: ReviewSimulation) -> str:
    """Where a review's simulation that is not done stands, and what to run about it."""
    state = simulation.state
    again = _(
        "`tideover simulate review %(version)s --platform <platform>`",
        version=simulation.version,
    )
    if state == "not_requested":
        return _("none was requested for this version; run %(command)s", command=again)
    if state == "not_started":
        return _(
            "requested, but no job runs it (the submitter is not a stored user): run %(command)s",
            command=again,
        )
    if state == "queued":
        return _("queued: waiting for a worker (`tideover worker`) to take it")
    if state == "running":
        return _(
            "running (%(step)s, %(done)s of %(total)s)",
            step=simulation.progress_label or _("started"),
            done=simulation.progress_done,
            total=simulation.progress_total,
        )
    if state == "failed":
        return _(
            "failed: %(error)s; run it again with %(command)s",
            error=simulation.error,
            command=again,
        )
    return state
