"""``tideover platform``: the lenders (tenants) that own every record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from tideover.cli.output import JsonOption, _, console, print_json
from tideover.cli.tables import Column, CsvOption, Listing
from tideover.domain.errors import ValidationError
from tideover.i18n import N_

app = typer.Typer(help="Create, update and list platforms (tenants).", no_args_is_help=True)


def _settings_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(
            N_("cannot read settings file %(path)s: %(exc)s"), path=path, exc=exc
        ) from exc
    if not isinstance(data, dict):
        raise ValidationError(N_("settings file %(path)s must hold a JSON object"), path=path)
    return data


@app.command("set")
def set_platform(
    code: Annotated[str, typer.Argument(help="Platform code, e.g. acme-cn.", show_default=False)],
    name: Annotated[str, typer.Option(help="Display name.")],
    currency: Annotated[str | None, typer.Option(help="ISO currency (default CNY).")] = None,
    time_zone: Annotated[
        str | None,
        typer.Option(help="IANA time zone of the business date (default Asia/Shanghai)."),
    ] = None,
    settings: Annotated[
        Path | None,
        typer.Option(help="JSON file with buckets, waterfall and penalty (docs/domain.md)."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Create a platform, or update its name and settings."""
    from tideover.bootstrap import open_app
    from tideover.domain.platforms import PlatformSettings
    from tideover.services.platforms import save_platform

    data = _settings_file(settings) if settings else {}
    if currency:
        data["currency"] = currency
    if time_zone:
        data["time_zone"] = time_zone
    parsed = PlatformSettings.from_dict(data)
    with open_app() as app:
        saved = save_platform(uow=app.uow(), code=code, name=name, settings=parsed)
    if json_out:
        print_json(saved)
    else:
        console.print(
            _(
                "platform %(code)s saved (%(code2)s, %(time_zone)s)",
                code=code,
                code2=parsed.currency.code,
                time_zone=parsed.time_zone,
            )
        )


@app.command("list")
def list_platforms(json_out: JsonOption = False, csv_out: CsvOption = False) -> None:
    """List the platforms with their currency and time zone."""
    from tideover.bootstrap import open_app
    from tideover.services.platforms import list_platforms as listed

    with open_app() as app:
        platforms = listed(uow=app.uow())
    if json_out:
        print_json(platforms.platforms)  # a JSON array, as it always was
        return
    listing = Listing(
        _("Platforms"),
        [
            Column("code", _("code")),
            Column("name", _("name")),
            Column("currency", _("currency")),
            Column("time_zone", _("time zone")),
        ],
    )
    for p in platforms.platforms:
        listing.add(
            p.code,
            p.name,
            str(p.settings.get("currency", "")),
            str(p.settings.get("time_zone", "")),
        )
    listing.print(csv_out=csv_out)
