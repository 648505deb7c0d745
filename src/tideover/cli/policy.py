"""``tideover policy ...``: documents (validate, diff, schema, assign, impact) and stored
versions (submit, approve, reject, activate, rollback, versions, show)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from tideover.cli.output import JsonOption, console, error_console, print_json, say

app = typer.Typer(
    help="Collection policy: check and compare documents, review and activate versions.",
    no_args_is_help=True,
)

FileArg = Annotated[Path, typer.Argument(help="A policy file (YAML or JSON).", show_default=False)]


def _show_problems(file: Path | str, problems: list[dict[str, Any]]) -> None:
    """One line per problem, ``FILE:LINE:COLUMN: error: WHERE: message`` as compilers do."""
    for p in problems:
        place = str(file) if p["line"] is None else f"{file}:{p['line']}:{p['column']}"
        label = say(p["severity"], "错误" if p["severity"] == "error" else "警告")
        text = say(p["en"], p["zh"])
        error_console.print(
            f"{place}: {label}: {p['where']}: {text}", markup=False, highlight=False
        )


@app.command("validate")
def validate(file: FileArg, json_out: JsonOption = False) -> None:
    """Check a policy file; exit 1 listing every error with its line and column."""
    from tideover.services.policy import validate_policy_file

    report = validate_policy_file(path=file)
    if json_out:
        print_json(report)
    else:
        _show_problems(file, report["problems"])
        if report["valid"]:
            segments = ", ".join(report["segments"])
            console.print(
                say(f"{file}: valid — segments: {segments}", f"{file}：有效 — 分群：{segments}")
            )
    if not report["valid"]:
        if not json_out:
            count = sum(1 for p in report["problems"] if p["severity"] == "error")
            error_console.print(
                say(f"{file}: rejected, {count} error(s)", f"{file}：被拒绝，共 {count} 个错误")
            )
        raise typer.Exit(1)


@app.command("diff")
def diff(old: FileArg, new: FileArg, json_out: JsonOption = False) -> None:
    """Show what changed between two versions of a policy."""
    from tideover.policy.problems import PolicyRejected
    from tideover.services.policy import diff_policy_files

    try:
        result = diff_policy_files(old=old, new=new)
    except PolicyRejected as exc:
        _show_problems(exc.source, [p.to_dict() for p in exc.problems])
        raise
    if json_out:
        print_json(result)
        return
    if not result["changes"]:
        console.print(say("no structural change", "没有结构性变化"))
    for change in result["changes"]:
        console.print(say(change["en"], change["zh"]), markup=False, highlight=False)


@app.command("schema")
def schema() -> None:
    """Print the policy document's JSON Schema."""
    from tideover.services.policy import policy_schema

    print_json(policy_schema())


PortfolioOption = Annotated[
    Path,
    typer.Option(
        "--portfolio", help="Per-account features: Parquet with account_id and the catalogue."
    ),
]
PlatformOption = Annotated[
    str,
    typer.Option(
        "--platform", help="Platform id: part of the experiment hash key (default: demo)."
    ),
]


@app.command("assign")
def assign(
    portfolio: PortfolioOption,
    as_of: Annotated[str, typer.Option("--as-of", help="Business date of the features.")],
    out: Annotated[Path, typer.Option("--out", help="Assignments to write (Parquet).")],
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A policy file; without it, the platform's active stored version is used.",
            show_default=False,
        ),
    ] = None,
    platform: PlatformOption = "demo",
    json_out: JsonOption = False,
) -> None:
    """Assign every account a segment, arm, treatment, today's actions and offers."""
    from tideover.cli.portfolio import parse_date
    from tideover.policy.problems import PolicyRejected
    from tideover.services.assignment import assign_policy_file

    day = parse_date(as_of, "--as-of")
    try:
        if file is None:
            result = _assign_active(platform=platform, portfolio=portfolio, out=out, as_of=day)
        else:
            result = assign_policy_file(
                policy=file, portfolio=portfolio, out=out, platform=platform, as_of=day
            )
    except PolicyRejected as exc:
        _show_problems(exc.source, [p.to_dict() for p in exc.problems])
        raise
    if json_out:
        print_json(result)
        return
    total = result["accounts"]
    under = result["policy"] + (f" v{result['version']}" if "version" in result else "")
    console.print(
        say(
            f"{total:,} accounts assigned under {under} → {out}",
            f"已按 {under} 分配 {total:,} 个账户 → {out}",
        ),
        markup=False,
        highlight=False,
    )
    for segment, count in result["segments"].items():
        share = count / total if total else 0
        console.print(f"  {segment:<24} {count:>12,}  {share:6.1%}", markup=False)
    for experiment, arms in result["arms"].items():
        counts = ", ".join(f"{arm} {n:,}" for arm, n in arms.items())
        console.print(say(f"  experiment {experiment}: {counts}", f"  实验 {experiment}：{counts}"))


def _assign_active(*, platform: str, portfolio: Path, out: Path, as_of: date) -> dict[str, Any]:
    from tideover.bootstrap import open_app
    from tideover.services.policy import assign_active_policy

    with open_app() as opened:
        return assign_active_policy(
            uow=opened.uow(), platform=platform, portfolio=portfolio, out=out, as_of=as_of
        )


@app.command("impact")
def impact(
    old: FileArg,
    new: FileArg,
    portfolio: PortfolioOption,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the accounts that change materially (Parquet)."),
    ] = None,
    platform: PlatformOption = "demo",
    json_out: JsonOption = False,
) -> None:
    """Preview a new version on a portfolio: who moves where, who changes materially."""
    from tideover.policy.problems import PolicyRejected
    from tideover.services.assignment import impact_of_policy_files

    try:
        result = impact_of_policy_files(
            old=old, new=new, portfolio=portfolio, platform=platform, out=out
        )
    except PolicyRejected as exc:
        _show_problems(exc.source, [p.to_dict() for p in exc.problems])
        raise
    if json_out:
        print_json(result)
        return
    console.print(
        say(
            f"{len(result['changes'])} structural change(s); {result['accounts']:,} accounts, "
            f"balance {result['balance']}",
            f"{len(result['changes'])} 处结构变化；{result['accounts']:,} 个账户，余额 "
            f"{result['balance']}",
        ),
        markup=False,
    )
    for m in result["moves"]:
        console.print(
            f"  {m['old_segment']}/{m['old_treatment']} → {m['new_segment']}/{m['new_treatment']}"
            f"  {m['accounts']:>10,}  {m['balance']}",
            markup=False,
            highlight=False,
        )
    material = result["material"]
    console.print(
        say(
            f"material change (treatment or offers): {material['accounts']:,} accounts, "
            f"balance {material['balance']}",
            f"实质变化（处置方式或减免方案）：{material['accounts']:,} 个账户，余额 "
            f"{material['balance']}",
        ),
        markup=False,
    )
    if out is not None:
        console.print(say(f"listed in {out}", f"名单见 {out}"), markup=False)


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


def _run(use_case: Callable[..., dict[str, Any]], **arguments: Any) -> dict[str, Any]:
    """Call a service handler with a unit of work on the configured database."""
    from tideover.bootstrap import open_app

    with open_app() as opened:
        return use_case(uow=opened.uow(), **arguments)


def _report(result: dict[str, Any], json_out: bool, en: str, zh: str) -> None:
    if json_out:
        print_json(result)
        return
    console.print(say(en, zh), markup=False, highlight=False)


def _effective(value: str | None) -> date | None:
    from tideover.cli.portfolio import parse_date

    return None if value is None else parse_date(value, "--effective")


@app.command("submit")
def submit(
    file: FileArg, platform: StoredPlatform, by: ByOption, json_out: JsonOption = False
) -> None:
    """Store a policy file as a new version awaiting review (an invalid file is never stored)."""
    from tideover.policy.problems import PolicyRejected
    from tideover.services.policy import submit_policy

    text = _read_exact(file)
    try:
        r = _run(submit_policy, platform=platform, text=text, by=by, source=str(file))
    except PolicyRejected as exc:
        _show_problems(exc.source, [p.to_dict() for p in exc.problems])
        raise
    if not json_out:
        _show_problems(file, r["warnings"])
    _report(
        r,
        json_out,
        f"{platform}: version {r['version']} ({r['policy']}, sha256 {r['sha256'][:12]}) "
        f"submitted by {r['author']}; awaiting approval by someone else",
        f"{platform}：版本 {r['version']}（{r['policy']}，sha256 {r['sha256'][:12]}）已由 "
        f"{r['author']} 提交；待他人审批",
    )


@app.command("approve")
def approve(
    version: VersionArg, platform: StoredPlatform, by: ByOption, json_out: JsonOption = False
) -> None:
    """Approve a version in review; its author cannot (four eyes)."""
    from tideover.services.policy import approve_policy_version

    r = _run(approve_policy_version, platform=platform, version=version, by=by)
    _report(
        r,
        json_out,
        f"{platform}: version {version} approved by {by}",
        f"{platform}：版本 {version} 已由 {by} 审批通过",
    )


@app.command("reject")
def reject(
    version: VersionArg,
    platform: StoredPlatform,
    by: ByOption,
    reason: Annotated[str, typer.Option("--reason", help="Why it goes back to its author.")],
    json_out: JsonOption = False,
) -> None:
    """Send a version in review back to draft, with a reason."""
    from tideover.services.policy import reject_policy_version

    r = _run(reject_policy_version, platform=platform, version=version, by=by, reason=reason)
    _report(
        r,
        json_out,
        f"{platform}: version {version} sent back to draft by {by}",
        f"{platform}：版本 {version} 已由 {by} 退回草稿",
    )


@app.command("activate")
def activate(
    version: VersionArg,
    platform: StoredPlatform,
    by: ByOption,
    effective: EffectiveOption = None,
    json_out: JsonOption = False,
) -> None:
    """Make an approved version the active one; the previous one retires."""
    from tideover.services.policy import activate_policy_version

    day = _effective(effective)
    r = _run(activate_policy_version, platform=platform, version=version, by=by, effective=day)
    _report(
        r,
        json_out,
        f"{platform}: version {version} active from {r['effective_from']}",
        f"{platform}：版本 {version} 自 {r['effective_from']} 起生效",
    )


@app.command("rollback")
def rollback(
    platform: StoredPlatform,
    by: ByOption,
    effective: EffectiveOption = None,
    json_out: JsonOption = False,
) -> None:
    """Re-activate the version that was active before the current one."""
    from tideover.services.policy import rollback_policy

    r = _run(rollback_policy, platform=platform, by=by, effective=_effective(effective))
    _report(
        r,
        json_out,
        f"{platform}: rolled back to version {r['version']}, active from {r['effective_from']}",
        f"{platform}：已回滚至版本 {r['version']}，自 {r['effective_from']} 起生效",
    )


@app.command("versions")
def versions(platform: StoredPlatform, json_out: JsonOption = False) -> None:
    """List the platform's policy versions, oldest first."""
    from tideover.services.policy import list_policy_versions

    result = _run(list_policy_versions, platform=platform)
    if json_out:
        print_json(result)
        return
    if not result["versions"]:
        console.print(say(f"{platform}: no policy version yet", f"{platform}：尚无策略版本"))
    for v in result["versions"]:
        console.print(
            f"{v['version']:>4}  {v['status']:<10} {v['policy']:<24} {v['author']:<12} "
            f"{v['approver'] or '-':<12} {v['effective_from'] or '-':<10}  {v['sha256'][:12]}",
            markup=False,
            highlight=False,
        )


@app.command("show")
def show(version: VersionArg, platform: StoredPlatform, json_out: JsonOption = False) -> None:
    """Print a stored version's document exactly as submitted (with --json: and its history)."""
    import sys

    from tideover.services.policy import show_policy_version

    result = _run(show_policy_version, platform=platform, version=version)
    if json_out:
        print_json(result)
        return
    sys.stdout.write(result["document"])
