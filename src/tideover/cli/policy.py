"""``tideover policy validate|diff|schema|assign|impact``: collection policy documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tideover.cli.output import JsonOption, console, error_console, print_json, say

app = typer.Typer(
    help="Collection policy documents: validate, compare, publish the schema.",
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
    file: FileArg,
    portfolio: PortfolioOption,
    as_of: Annotated[str, typer.Option("--as-of", help="Business date of the features.")],
    out: Annotated[Path, typer.Option("--out", help="Assignments to write (Parquet).")],
    platform: PlatformOption = "demo",
    json_out: JsonOption = False,
) -> None:
    """Assign every account a segment, arm, treatment, today's actions and offers."""
    from tideover.cli.portfolio import parse_date
    from tideover.policy.problems import PolicyRejected
    from tideover.services.assignment import assign_policy_file

    day = parse_date(as_of, "--as-of")
    try:
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
    console.print(
        say(
            f"{total:,} accounts assigned under {result['policy']} → {out}",
            f"已按 {result['policy']} 分配 {total:,} 个账户 → {out}",
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
