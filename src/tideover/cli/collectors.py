"""``tideover collectors add|set|import|list|deactivate``: who works the queues, where, how much."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tideover.cli.output import JsonOption, _, console, print_json
from tideover.cli.portfolio import parse_date
from tideover.cli.tables import Column, CsvOption, Listing

if TYPE_CHECKING:
    from tideover.services.queues.results import ChangedCollector, CollectorInfo

app = typer.Typer(
    help="Collectors: team, role, permitted jurisdictions, queues, daily capacity (audited).",
    no_args_is_help=True,
)

PlatformOption = Annotated[str, typer.Option(help="Platform code.")]
IdOption = Annotated[str, typer.Option("--id", help="Collector id (letters, digits, . _ - @).")]
ByOption = Annotated[str, typer.Option("--by", help="Who makes the change (name or user id).")]
JURISDICTION_HELP = (
    "Permitted jurisdiction, repeatable or comma separated: CN, US, US-MA, US-NY, UK, EU, IE. "
    "US covers the states without a state overlay (not MA, NY)."
)
QUEUE_HELP = "Queue worked, repeatable or comma separated; * for every queue."


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@app.command("add")
def add(
    platform: PlatformOption,
    collector_id: IdOption,
    name: Annotated[str, typer.Option(help="Display name.")],
    team: Annotated[str, typer.Option(help="Team.")],
    jurisdiction: Annotated[list[str], typer.Option("--jurisdiction", help=JURISDICTION_HELP)],
    queue: Annotated[list[str], typer.Option("--queue", help=QUEUE_HELP)],
    capacity: Annotated[int, typer.Option("--capacity", help="Items per day (0 to 10000).")],
    by: ByOption,
    role: Annotated[str, typer.Option(help="collector or team_lead.")] = "collector",
    json_out: JsonOption = False,
) -> None:
    """Add a collector to a platform."""
    from tideover.bootstrap import open_app
    from tideover.services.queues.collectors import add_collectors, build_collector

    collector = build_collector(
        collector_id=collector_id,
        name=name,
        team=team,
        role=role,
        jurisdictions=_split(jurisdiction) or [],
        queues=_split(queue) or [],
        daily_capacity=capacity,
    )
    with open_app() as opened:
        (saved,) = add_collectors(
            uow=opened.uow(), platform=platform, collectors=[collector], by=by
        ).collectors
    if json_out:
        print_json(saved)
        return
    console.print(_("added collector %(collector_id)s", collector_id=collector_id), markup=False)
    _render([saved])


@app.command("set")
def set_(
    platform: PlatformOption,
    collector_id: IdOption,
    by: ByOption,
    name: Annotated[str | None, typer.Option(help="New display name.")] = None,
    team: Annotated[str | None, typer.Option(help="New team.")] = None,
    role: Annotated[str | None, typer.Option(help="collector or team_lead.")] = None,
    jurisdiction: Annotated[
        list[str] | None,
        typer.Option(
            "--jurisdiction", help="Replaces the permitted jurisdictions. " + JURISDICTION_HELP
        ),
    ] = None,
    queue: Annotated[
        list[str] | None, typer.Option("--queue", help="Replaces the queues. " + QUEUE_HELP)
    ] = None,
    capacity: Annotated[
        int | None, typer.Option("--capacity", help="Items per day (0 to 10000).")
    ] = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="Take work, or not.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Change a collector; items they may no longer hold go to other collectors."""
    from tideover.bootstrap import open_app
    from tideover.services.queues.collectors import set_collector

    changes: dict[str, Any] = {
        "name": name,
        "team": team,
        "role": role,
        "jurisdictions": _split(jurisdiction),
        "queues": _split(queue),
        "daily_capacity": capacity,
        "active": active,
    }
    with open_app() as opened:
        result = set_collector(
            uow=opened.uow(), platform=platform, collector_id=collector_id, by=by, changes=changes
        )
    _changed(result, json_out)


@app.command("deactivate")
def deactivate(
    platform: PlatformOption, collector_id: IdOption, by: ByOption, json_out: JsonOption = False
) -> None:
    """Stop giving a collector work; the items they hold go to other collectors."""
    from tideover.bootstrap import open_app
    from tideover.services.queues.collectors import deactivate_collector

    with open_app() as opened:
        result = deactivate_collector(
            uow=opened.uow(), platform=platform, collector_id=collector_id, by=by
        )
    _changed(result, json_out)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="YAML or CSV file of collectors.")],
    platform: PlatformOption,
    by: ByOption,
    json_out: JsonOption = False,
) -> None:
    """Add or replace the collectors of a file (all or nothing).

    Fields: id, name, team, role, jurisdictions, queues, daily_capacity and
    optionally active; in CSV, lists are separated by ';'.
    """
    from tideover.bootstrap import open_app
    from tideover.services.queues.collectors import import_collectors

    with open_app() as opened:
        result = import_collectors(uow=opened.uow(), platform=platform, path=path, by=by)
    if json_out:
        print_json(result)
        return
    console.print(
        _(
            "%(added)s added, %(changed)s changed, %(unchanged)s unchanged",
            added=len(result.added),
            changed=len(result.changed),
            unchanged=result.unchanged,
        ),
        markup=False,
    )


@app.command("list")
def list_(
    platform: PlatformOption,
    team: Annotated[str | None, typer.Option(help="Only this team.")] = None,
    active_only: Annotated[bool, typer.Option("--active-only", help="Only active ones.")] = False,
    date: Annotated[
        str | None, typer.Option("--date", help="Show each one's items held that day.")
    ] = None,
    json_out: JsonOption = False,
    csv_out: CsvOption = False,
) -> None:
    """List a platform's collectors."""
    from tideover.bootstrap import open_app
    from tideover.services.queues.collectors import list_collectors

    day = parse_date(date, "--date") if date else None
    with open_app() as opened:
        result = list_collectors(
            uow=opened.uow(),
            platform=platform,
            active=True if active_only else None,
            team=team,
            as_of=day,
        )
    if json_out:
        print_json(result)
        return
    held = [c.load or 0 for c in result.collectors] if day and result.collectors else None
    _render(result.collectors, held, csv_out=csv_out)


def _render(
    collectors: Sequence[CollectorInfo], held: Sequence[int] | None = None, *, csv_out: bool = False
) -> None:
    """One row per collector; with ``held``, the items each holds on the date listed."""
    listing = Listing(
        _("Collectors"),
        [
            Column("collector_id", "id"),
            Column("name", _("name")),
            Column("team", _("team")),
            Column("role", _("role")),
            Column("jurisdictions", _("jurisdictions")),
            Column("queues", _("queues")),
            Column("daily_capacity", _("capacity"), "right"),
            Column("active", _("active")),
            *([Column("held", _("held"), "right")] if held is not None else []),
        ],
    )
    for n, c in enumerate(collectors):
        listing.add(
            c.collector_id,
            c.name,
            c.team,
            c.role,
            ", ".join(c.jurisdictions),
            ", ".join(c.queues),
            c.daily_capacity,
            c.active,
            *([held[n]] if held is not None else []),
        )
    listing.print(csv_out=csv_out)


def _changed(result: ChangedCollector, json_out: bool) -> None:
    if json_out:
        print_json(result)
        return
    who = result.collector_id
    fields = ", ".join(result.changed) or _("nothing")
    console.print(_("collector %(who)s: changed %(fields)s", who=who, fields=fields), markup=False)
    if result.moves or result.left:
        console.print(
            _(
                "%(moves)s item(s) handed to other collectors, %(left)s back in the open queue",
                moves=len(result.moves),
                left=len(result.left),
            ),
            markup=False,
        )
