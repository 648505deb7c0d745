"""``tideover model monitor|fairness|rollrates``: is a model still right, and fair?

Registered on the ``tideover model`` group by ``tideover.cli.main``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.model import PlatformOption, names_list
from tideover.cli.output import JsonOption, _, console, language, print_json
from tideover.domain.errors import UsageError
from tideover.i18n import N_

if TYPE_CHECKING:
    from tideover.services.scoring.results import RollRateMatrices, SnapshotTransitions

OutcomesOption = Annotated[
    Path | None,
    typer.Option(help="Realised outcomes: a file with the id column and a 0/1 outcome column."),
]
OutcomeColumnOption = Annotated[
    str | None,
    typer.Option(help="Outcome column in --outcomes (default: the model's target, or outcome)."),
]
ReportOption = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="Directory for the report: .md in the language of --lang, .json as stored.",
    ),
]


def monitor(
    registry: Annotated[Path, typer.Option(help="Model registry directory.", show_default=False)],
    data: Annotated[Path, typer.Option(help="A scoring run's input: .csv or .parquet.")],
    platform: PlatformOption = "default",
    version: Annotated[
        str | None,
        typer.Option(help="Model version (default: champion; latest: the one registered last)."),
    ] = None,
    outcomes: OutcomesOption = None,
    outcome_column: OutcomeColumnOption = None,
    id_column: Annotated[
        str | None, typer.Option(help="Id column matching --outcomes (default: the model's).")
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(help="Training data, for versions registered without a stored baseline."),
    ] = None,
    report: ReportOption = None,
    json_out: JsonOption = False,
) -> None:
    """Population stability (PSI) against training; AUC and calibration on outcomes."""
    from tideover.services.scoring.monitoring import monitor_file

    result = monitor_file(
        registry_dir=registry,
        platform=platform,
        data_path=data,
        version=version,
        outcomes_path=outcomes,
        id_column=id_column,
        outcome_column=outcome_column,
        baseline_path=baseline,
        report_dir=report,
        language=language(),
    )
    if json_out:
        print_json(result)
        return
    console.print(result.markdown(language()), markup=False, highlight=False)


def fairness(
    registry: Annotated[Path, typer.Option(help="Model registry directory.", show_default=False)],
    data: Annotated[Path, typer.Option(help="Accounts with their protected attributes.")],
    platform: PlatformOption = "default",
    version: Annotated[
        str | None,
        typer.Option(help="Model version (default: champion; latest: the one registered last)."),
    ] = None,
    protected: Annotated[
        str | None,
        typer.Option(help="Comma-separated attributes (default: those the model marked)."),
    ] = None,
    target: Annotated[
        str | None, typer.Option(help="0/1 outcome column in --data (default: the model's).")
    ] = None,
    outcomes: OutcomesOption = None,
    outcome_column: OutcomeColumnOption = None,
    id_column: Annotated[
        str | None, typer.Option(help="Id column matching --outcomes (default: the model's).")
    ] = None,
    cutoff: Annotated[
        float | None,
        typer.Option(help="Favourable below this probability of bad (default: worst band's edge)."),
    ] = None,
    min_rows: Annotated[int, typer.Option(help="Smallest group that is flagged.", min=1)] = 100,
    report: ReportOption = None,
    json_out: JsonOption = False,
) -> None:
    """Score distributions, favourable rate, bad rate and AUC by protected group."""
    from tideover.services.scoring.monitoring import fairness_file

    result = fairness_file(
        registry_dir=registry,
        platform=platform,
        data_path=data,
        protected=names_list(protected) if protected is not None else None,
        version=version,
        target=target,
        outcomes_path=outcomes,
        id_column=id_column,
        outcome_column=outcome_column,
        cutoff=cutoff,
        min_rows=min_rows,
        report_dir=report,
        language=language(),
    )
    if json_out:
        print_json(result)
        return
    console.print(result.markdown(language()), markup=False, highlight=False)


def rollrates(
    data: Annotated[
        Path | None, typer.Option(help="Repayment-status months (Taiwan PAY_x style).")
    ] = None,
    months: Annotated[
        str | None, typer.Option(help="Status columns, oldest first (default: PAY_6..PAY_0).")
    ] = None,
    segment: Annotated[
        str | None, typer.Option(help="With --data: a column to segment by.")
    ] = None,
    platform: PlatformOption = "default",
    from_: Annotated[str | None, typer.Option("--from", help="Earlier snapshot date.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Later snapshot date.")] = None,
    by_product: Annotated[bool, typer.Option(help="From the database: per loan product.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Transition matrices between delinquency states, from a file or the bucket history."""
    from tideover.cli.portfolio import parse_date

    result: RollRateMatrices | SnapshotTransitions
    if data is not None and from_ is None and to is None:
        from tideover.scoring.rollrates import TAIWAN_MONTHS
        from tideover.services.scoring.monitoring import rollrates_file

        columns = names_list(months) if months is not None else TAIWAN_MONTHS
        result = rollrates_file(data_path=data, months=columns, segment=segment)
    elif data is None and from_ is not None and to is not None:
        from tideover.bootstrap import open_app
        from tideover.services.scoring.monitoring import rollrates_between

        start, end = parse_date(from_, "--from"), parse_date(to, "--to")
        with open_app() as application:
            result = rollrates_between(
                uow=application.uow(),
                platform=platform,
                start=start,
                end=end,
                by_product=by_product,
            )
    else:
        raise UsageError(
            N_("give either --data FILE, or --from DATE and --to DATE (with --platform)"),
        )
    if json_out:
        print_json(result)
        return
    _show_matrices(result)


def _show_matrices(result: RollRateMatrices | SnapshotTransitions) -> None:
    for m in result.matrices:
        console.print(f"\n{_('segment')}: {m.segment}", highlight=False)
        console.print(m.matrix().markdown(language()), markup=False)
