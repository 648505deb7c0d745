"""``tideover policy validate|diff|schema``: collection policy documents."""

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
