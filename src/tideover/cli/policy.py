"""``tideover policy ...``: documents (validate, diff, schema, assign, impact).

The stored versions' workflow is in ``policy_versions``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from tideover.cli.output import (
    JsonOption,
    _,
    console,
    either,
    error_console,
    print_json,
)
from tideover.i18n import N_

if TYPE_CHECKING:
    from tideover.policy.problems import Problem
    from tideover.services.policy.results import Assignment, Impact, PolicyProblem

T = TypeVar("T")

app = typer.Typer(
    help="Collection policy: check and compare documents, review and activate versions.",
    no_args_is_help=True,
)

FileArg = Annotated[Path, typer.Argument(help="A policy file (YAML or JSON).", show_default=False)]


def show_problems(file: Path | str, problems: Sequence[Problem | PolicyProblem]) -> None:
    """One line per problem, ``FILE:LINE:COLUMN: error: WHERE: message`` as compilers do."""
    for p in problems:
        place = str(file) if p.line is None else f"{file}:{p.line}:{p.column}"
        label = _("error") if p.severity == "error" else _("warning")
        text = either(p.en, p.zh)
        line = _("%(label)s: %(where)s: %(text)s", label=label, where=p.where, text=text)
        error_console.print(f"{place}: {line}", markup=False, highlight=False)


@app.command("validate")
def validate(file: FileArg, json_out: JsonOption = False) -> None:
    """Check a policy file; exit 1 listing every error with its line and column."""
    from tideover.services.policy.documents import validate_policy_file

    report = validate_policy_file(path=file)
    if json_out:
        print_json(report)
    else:
        show_problems(file, report.problems)
        if report.valid:
            segments = ", ".join(report.segments or ())
            console.print(
                _("%(file)s: valid — segments: %(segments)s", file=file, segments=segments)
            )
    if not report.valid:
        if not json_out:
            count = sum(1 for p in report.problems if p.severity == "error")
            error_console.print(_("%(file)s: rejected, %(count)s error(s)", file=file, count=count))
        raise typer.Exit(1)


@app.command("diff")
def diff(
    old: FileArg,
    new: Annotated[
        Path | None,
        typer.Argument(
            help="The new version; with --platform and one file, the file is the new one.",
            show_default=False,
        ),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option("--platform", help="Compare the platform's active version with the file."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Show what changed between two versions of a policy (OLD NEW, or --platform P NEW)."""
    from tideover.policy.problems import PolicyRejected
    from tideover.services.policy.documents import diff_policy_files
    from tideover.services.policy.versions import diff_against_active

    try:
        if platform is None:
            if new is None:
                raise _usage(N_("diff needs OLD and NEW, or --platform P NEW"))
            result = diff_policy_files(old=old, new=new)
        else:
            if new is not None:
                raise _usage(N_("with --platform give only the NEW file"))
            result = run_with_uow(diff_against_active, platform=platform, new=old)
    except PolicyRejected as exc:
        show_problems(exc.source, exc.problems)
        raise
    if json_out:
        print_json(result)
        return
    if not result.changes:
        console.print(_("no structural change"))
    for change in result.changes:
        console.print(either(change.en, change.zh), markup=False, highlight=False)


def _usage(message: str) -> Exception:
    from tideover.domain.errors import UsageError

    return UsageError(message)


@app.command("schema")
def schema() -> None:
    """Print the policy document's JSON Schema."""
    from tideover.services.policy.documents import policy_schema

    print_json(policy_schema())


PortfolioOption = Annotated[
    Path | None,
    typer.Option(
        "--portfolio",
        help="Per-account features: Parquet with account_id and the catalogue. Without it, "
        "the platform's stored portfolio on --as-of (features built as the daily cycle does).",
    ),
]
PlatformOption = Annotated[
    str,
    typer.Option(
        "--platform", help="Platform id: part of the experiment hash key (default: demo)."
    ),
]
RegistryOption = Annotated[
    Path | None,
    typer.Option(
        "--model-registry",
        help="Stored portfolio only: the platform's champion scores accounts (else no score).",
    ),
]
AsOfOption = Annotated[str, typer.Option("--as-of", help="Business date of the features.")]


@app.command("assign")
def assign(
    as_of: AsOfOption,
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A policy file; without it, the platform's active stored version is used.",
            show_default=False,
        ),
    ] = None,
    portfolio: PortfolioOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Assignments to write (Parquet); default for the stored portfolio: "
            "DATA_DIR/assignments/PLATFORM/DATE.parquet.",
        ),
    ] = None,
    platform: PlatformOption = "demo",
    model_registry: RegistryOption = None,
    json_out: JsonOption = False,
) -> None:
    """Assign every account a segment, arm, treatment, today's actions and offers."""
    from tideover.cli.portfolio import parse_date
    from tideover.policy.problems import PolicyRejected
    from tideover.services.policy.assignment import assign_policy_file

    day = parse_date(as_of, "--as-of")
    try:
        if portfolio is None:
            if file is not None:
                raise _usage(
                    N_(
                        "a policy file needs --portfolio; the stored portfolio is assigned "
                        "under the platform's active version"
                    )
                )
            result = _assign_stored(platform, day, out, model_registry)
        elif out is None:
            raise _usage(N_("--portfolio needs --out"))
        elif file is None:
            result = _assign_active(platform=platform, portfolio=portfolio, out=out, as_of=day)
        else:
            result = assign_policy_file(
                policy=file, portfolio=portfolio, out=out, platform=platform, as_of=day
            )
    except PolicyRejected as exc:
        show_problems(exc.source, exc.problems)
        raise
    if json_out:
        print_json(result)
        return
    total = result.accounts
    under = result.policy + (f" v{result.version}" if result.version is not None else "")
    console.print(
        _(
            "%(total)s accounts assigned under %(under)s → %(out)s",
            total=format(total, ","),
            under=under,
            out=result.out,
        ),
        markup=False,
        highlight=False,
    )
    for segment, count in result.segments.items():
        share = count / total if total else 0
        console.print(f"  {segment:<24} {count:>12,}  {share:6.1%}", markup=False)
    for experiment, arms in result.arms.items():
        counts = ", ".join(f"{arm} {n:,}" for arm, n in arms.items())
        console.print(
            _("  experiment %(experiment)s: %(counts)s", experiment=experiment, counts=counts)
        )


def _assign_active(*, platform: str, portfolio: Path, out: Path, as_of: date) -> Assignment:
    from tideover.services.policy.assignment import assign_active_policy

    return run_with_uow(
        assign_active_policy, platform=platform, portfolio=portfolio, out=out, as_of=as_of
    )


def _assign_stored(
    platform: str, as_of: date, out: Path | None, registry: Path | None
) -> Assignment:
    from tideover.bootstrap import open_app
    from tideover.services.policy.assignment import assign_stored_portfolio

    with open_app() as opened:
        return assign_stored_portfolio(
            uow=opened.uow(),
            platform=platform,
            as_of=as_of,
            data_dir=opened.settings.data_dir,
            out=out,
            model_registry=registry,
        )


@app.command("impact")
def impact(
    old: Annotated[
        Path,
        typer.Argument(
            help="OLD policy file, or with a single file the NEW one (compared with the "
            "platform's active version).",
            show_default=False,
        ),
    ],
    new: Annotated[Path | None, typer.Argument(help="NEW policy file.", show_default=False)] = None,
    portfolio: PortfolioOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Business date: needed for the active version or stored portfolio."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the accounts that change materially (Parquet)."),
    ] = None,
    platform: PlatformOption = "demo",
    model_registry: RegistryOption = None,
    json_out: JsonOption = False,
) -> None:
    """Preview a new version on a portfolio: who moves where, who changes materially.

    OLD NEW --portfolio F compares two files on a features file; NEW --platform P
    --as-of D compares the platform's active version with NEW on its stored
    portfolio (any mix: one file and --portfolio, or two files and --as-of).
    """
    from tideover.cli.portfolio import parse_date
    from tideover.policy.problems import PolicyRejected
    from tideover.services.policy.assignment import impact_of_policy_files, impact_on_platform

    try:
        if new is not None and portfolio is not None:
            result = impact_of_policy_files(
                old=old, new=new, portfolio=portfolio, platform=platform, out=out
            )
        elif as_of is None:
            raise _usage(N_("the platform's active version and stored portfolio need --as-of"))
        else:
            result = run_with_uow(
                impact_on_platform,
                platform=platform,
                new=old if new is None else new,
                old=None if new is None else old,
                as_of=parse_date(as_of, "--as-of"),
                portfolio=portfolio,
                out=out,
                model_registry=model_registry,
            )
    except PolicyRejected as exc:
        show_problems(exc.source, exc.problems)
        raise
    if json_out:
        print_json(result)
        return
    _print_impact(result, out)


def _print_impact(result: Impact, out: Path | None) -> None:
    console.print(
        _(
            "%(old)s → %(new)s: %(changes)s structural change(s); %(accounts)s accounts, "
            "balance %(balance)s",
            old=result.old,
            new=result.new,
            changes=len(result.changes),
            accounts=format(result.accounts, ","),
            balance=result.balance,
        ),
        markup=False,
        highlight=False,
    )
    for m in result.moves:
        console.print(
            f"  {m.old_segment}/{m.old_treatment} → {m.new_segment}/{m.new_treatment}"
            f"  {m.accounts:>10,}  {m.balance}",
            markup=False,
            highlight=False,
        )
    material = result.material
    console.print(
        _(
            "material change (treatment or offers): %(accounts)s accounts, balance %(balance)s",
            accounts=format(material.accounts, ","),
            balance=material.balance,
        ),
        markup=False,
    )
    if out is not None:
        console.print(_("listed in %(out)s", out=out), markup=False)


def run_with_uow(use_case: Callable[..., T], **arguments: Any) -> T:
    """Call a service handler with a unit of work on the configured database."""
    from tideover.bootstrap import open_app

    with open_app() as opened:
        return use_case(uow=opened.uow(), **arguments)
