"""``tideover model ...``: train, register, score, monitor risk models (docs/scoring.md)."""

from __future__ import annotations

import getpass
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.labels import label
from tideover.cli.output import (
    JsonOption,
    _,
    console,
    either,
    language,
    print_json,
    progress_bars,
)
from tideover.cli.tables import Column, CsvOption, Listing
from tideover.domain.clock import SystemClock
from tideover.domain.errors import UsageError
from tideover.i18n import N_

if TYPE_CHECKING:
    from tideover.services.scoring.results import ModelRoles, ScoredAccount

app = typer.Typer(
    help="Risk models: train, register, promote, roll back and score (docs/scoring.md).",
    no_args_is_help=True,
)


class Kind(StrEnum):
    scorecard = "scorecard"
    gbm = "gbm"


class Role(StrEnum):
    champion = "champion"
    challenger = "challenger"


RegistryOption = Annotated[
    Path,
    typer.Option("--registry", "--out", help="Model registry directory.", show_default=False),
]
PlatformOption = Annotated[str, typer.Option(help="Platform code the models belong to.")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who does this (default: the login name).")
]


def _user(by: str | None) -> str:
    return by or getpass.getuser()


@app.command("train")
def train(
    data: Annotated[Path, typer.Option(help="Training data: .csv or .parquet.")],
    target: Annotated[str, typer.Option(help="0/1 target column (1 = bad).")],
    registry: RegistryOption,
    kind: Annotated[Kind, typer.Option(help="scorecard (champion) or gbm (challenger).")] = (
        Kind.scorecard
    ),
    id_column: Annotated[
        str | None, typer.Option(help="Account id column (not a feature).")
    ] = None,
    platform: PlatformOption = "default",
    exclude: Annotated[
        list[str] | None, typer.Option(help="Column to leave out (repeatable).")
    ] = None,
    derive: Annotated[
        list[str] | None,
        typer.Option(help="Derived feature NAME=function(COL,...) (repeatable; see docs)."),
    ] = None,
    derive_file: Annotated[
        Path | None,
        typer.Option(help="File of derived features, one NAME=function(COL,...) a line."),
    ] = None,
    protected: Annotated[
        str | None, typer.Option(help="Comma-separated protected attributes (default: docs).")
    ] = None,
    allow_protected: Annotated[
        bool, typer.Option(help="Let protected attributes be model inputs.")
    ] = False,
    base_score: Annotated[float, typer.Option(help="Points at the base odds.")] = 600.0,
    base_odds: Annotated[float, typer.Option(help="Good:bad odds at the base score.")] = 50.0,
    pdo: Annotated[float, typer.Option(help="Points to double the odds.")] = 20.0,
    bands: Annotated[
        str, typer.Option(help="Bands by probability of bad: name:upper,...,last.")
    ] = "A:0.05,B:0.1,C:0.2,D:0.4,E",
    folds: Annotated[int, typer.Option(help="Cross-validation folds.", min=2, max=20)] = 5,
    by: ByOption = None,
    json_out: JsonOption = False,
) -> None:
    """Train a model on a table, cross-validate it and register it (not promoted)."""
    from tideover.scoring.inputs import DEFAULT_PROTECTED
    from tideover.scoring.scaling import Bands, PointsScale
    from tideover.services.scoring.models import train_model

    with progress_bars(disable=json_out) as progress:
        result = train_model(
            progress=progress,
            registry_dir=registry,
            platform=platform,
            data_path=data,
            target=target,
            kind=kind.value,
            id_column=id_column,
            exclude=exclude or (),
            derivations=[*(derive or ()), *(derivation_lines(derive_file) if derive_file else ())],
            protected=names_list(protected) if protected is not None else DEFAULT_PROTECTED,
            allow_protected=allow_protected,
            scale=PointsScale(base_score, base_odds, pdo),
            bands=Bands.parse(bands),
            folds=folds,
            created_by=_user(by),
            clock=SystemClock(),
            language=language(),
        )
    if json_out:
        print_json(result)
        return
    cv = result.cross_validation
    console.print(_("registered ") + f"[bold]{result.version}[/bold]")
    for name, spread in (("auc", cv.auc), ("gini", cv.gini), ("ks", cv.ks), ("brier", cv.brier)):
        console.print(f"  {name:5} {spread.mean:.4f} ± {spread.std:.4f}")
    console.print(_("report: ") + f"{result.directory}/report.md")


def derivation_lines(path: Path) -> list[str]:
    """The derivations in ``path``: one a line; blank lines and ``#`` comments skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            N_("cannot read derivations file %(path)s: %(strerror)s"),
            path=path,
            strerror=exc.strerror,
        ) from exc
    stripped = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in stripped if line]


def names_list(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())


@app.command("list")
def list_(
    registry: RegistryOption,
    platform: PlatformOption = "default",
    json_out: JsonOption = False,
    csv_out: CsvOption = False,
) -> None:
    """List a platform's model versions with their role and AUC."""
    from tideover.services.scoring.models import list_models

    result = list_models(registry_dir=registry, platform=platform)
    if json_out:
        print_json(result)
        return
    if not result.models and not csv_out:
        console.print(_("no models yet"))
        return
    listing = Listing(
        _("Model versions of %(platform)s", platform=platform),
        [
            Column("version", _("version")),
            Column("role", _("role")),
            Column("auc", "AUC", "right"),
            Column("auc_std", "±", "right"),
            Column("created_at", _("registered")),
            Column("created_by", _("by")),
        ],
    )
    for m in result.models:
        role = (m.role or "") if csv_out else label("model_role", m.role)
        listing.add(m.version, role, f"{m.auc:.4f}", f"{m.auc_std:.4f}", m.created_at, m.created_by)
    listing.print(csv_out=csv_out)


@app.command("promote")
def promote(
    version: Annotated[
        str,
        typer.Argument(
            help="The model version to promote, or latest for the one registered last.",
            show_default=False,
        ),
    ],
    registry: RegistryOption,
    platform: PlatformOption = "default",
    role: Annotated[Role, typer.Option("--as", help="champion or challenger.")] = Role.champion,
    by: ByOption = None,
    json_out: JsonOption = False,
) -> None:
    """Make a version the platform's champion, or a challenger (latest: the one just trained)."""
    from tideover.services.scoring.models import promote_model

    result = promote_model(
        registry_dir=registry,
        platform=platform,
        version=version,
        role=role.value,
        by=_user(by),
        clock=SystemClock(),
    )
    _show_state(result, json_out)


@app.command("rollback")
def rollback(
    registry: RegistryOption,
    platform: PlatformOption = "default",
    by: ByOption = None,
    json_out: JsonOption = False,
) -> None:
    """Put the platform's previous champion back."""
    from tideover.services.scoring.models import rollback_model

    result = rollback_model(
        registry_dir=registry, platform=platform, by=_user(by), clock=SystemClock()
    )
    _show_state(result, json_out)


def _show_state(result: ModelRoles, json_out: bool) -> None:
    if json_out:
        print_json(result)
        return
    console.print(_("champion: ") + str(result.champion), highlight=False)
    if result.challengers:
        console.print(_("challengers: ") + ", ".join(result.challengers))


@app.command("score")
def score(
    registry: Annotated[Path, typer.Option(help="Model registry directory.", show_default=False)],
    platform: PlatformOption = "default",
    data: Annotated[Path | None, typer.Option(help="Accounts to score: .csv or .parquet.")] = None,
    out: Annotated[Path | None, typer.Option(help="Parquet file for the scores.")] = None,
    account: Annotated[
        str | None, typer.Option(help="One account as a JSON object of column: value.")
    ] = None,
    version: Annotated[
        str | None,
        typer.Option(help="Model version (default: champion; latest: the one registered last)."),
    ] = None,
    id_column: Annotated[str | None, typer.Option(help="Account id column to carry over.")] = None,
    top: Annotated[int, typer.Option(help="Reasons per account.", min=0, max=10)] = 3,
    json_out: JsonOption = False,
) -> None:
    """Score a file (--data and --out) or one account (--account)."""
    from tideover.services.scoring.models import score_file, score_one

    if account is not None and data is None and out is None:
        scored = score_one(
            registry_dir=registry,
            platform=platform,
            record=_account(account),
            version=version,
            top=top,
        )
        _show_account(scored, json_out)
        return
    if account is not None or data is None or out is None:
        raise UsageError(
            N_("give either --data FILE and --out FILE, or --account JSON"),
        )
    with progress_bars(disable=json_out) as progress:
        result = score_file(
            registry_dir=registry,
            platform=platform,
            data_path=data,
            out_path=out,
            version=version,
            id_column=id_column,
            top=top,
            progress=progress,
        )
    if json_out:
        print_json(result)
        return
    console.print(_("scored ") + f"{result.rows} → {result.out} ({result.model_version})")
    console.print("  " + "  ".join(f"{k}: {v}" for k, v in result.bands.items()))


def _account(text: str) -> dict[str, object]:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(N_("--account is not valid JSON: %(exc)s"), exc=exc) from exc
    if not isinstance(record, dict):
        raise UsageError(N_("--account must be a JSON object"))
    return record


def _show_account(result: ScoredAccount, json_out: bool) -> None:
    if json_out:
        print_json(result)
        return
    console.print(
        f"{result.score}  {_('band')} {result.band}  "
        f"p={result.probability:.4f}  ({result.model_version})",
        highlight=False,
    )
    for r in result.reasons:
        console.print(f"  {r.code}: {either(r.en, r.zh)}", highlight=False)
