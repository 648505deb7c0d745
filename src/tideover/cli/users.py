"""``tideover users add|list|set``: the people who act on a platform, and their roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from tideover.cli.output import JsonOption, _, console, print_json
from tideover.cli.tables import Column, CsvOption, Listing

app = typer.Typer(
    help="The users of a platform: who may submit, approve, collect or audit.",
    no_args_is_help=True,
)

PlatformOption = Annotated[str, typer.Option("--platform", help="Platform code.")]
RoleOption = Annotated[
    list[str],
    typer.Option(
        "--role",
        help="A role: platform_admin, strategy_manager, compliance_officer, team_lead, "
        "collector, auditor (repeat for several).",
    ),
]


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="The name the user signs in and acts with.")],
    platform: PlatformOption,
    role: RoleOption,
    display_name: Annotated[str | None, typer.Option(help="Full name shown to others.")] = None,
    by: Annotated[
        str | None,
        typer.Option(help="The administrator adding the user (not needed for the first one)."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Add a user; the first user of a platform needs no --by."""
    from tideover.bootstrap import open_app
    from tideover.services.identity.users import add_user

    with open_app() as app_:
        user = add_user(
            uow=app_.uow(),
            platform=platform,
            username=username,
            roles=role,
            display_name=display_name,
            by=by,
            at=datetime.now(UTC),
        )
    if json_out:
        print_json(user)
        return
    roles = ", ".join(user.roles)
    console.print(
        _(
            "%(platform)s: user %(username)s added (%(roles)s)",
            platform=platform,
            username=user.username,
            roles=roles,
        ),
        markup=False,
        highlight=False,
    )


@app.command("set")
def set_user(
    username: Annotated[str, typer.Argument(help="The user to change.")],
    platform: PlatformOption,
    by: Annotated[str, typer.Option(help="The administrator making the change.")],
    role: Annotated[
        list[str] | None, typer.Option("--role", help="The user's roles from now on.")
    ] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="Allow or stop the user acting."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Change a user's roles, or deactivate (reactivate) them."""
    from tideover.bootstrap import open_app
    from tideover.services.identity.users import change_user

    with open_app() as app_:
        user = change_user(
            uow=app_.uow(),
            platform=platform,
            username=username,
            by=by,
            roles=role,
            active=active,
            at=datetime.now(UTC),
        )
    if json_out:
        print_json(user)
        return
    state = _("active") if user.active else _("inactive")
    console.print(f"{platform}: {user.username} — {', '.join(user.roles)} ({state})", markup=False)


@app.command("list")
def list_(
    platform: PlatformOption, json_out: JsonOption = False, csv_out: CsvOption = False
) -> None:
    """The platform's users with their roles."""
    from tideover.bootstrap import open_app
    from tideover.services.identity.users import list_users

    with open_app() as app_:
        result = list_users(uow=app_.uow(), platform=platform, now=datetime.now(UTC))
    if json_out:
        print_json(result)
        return
    listing = Listing(
        _("users of %(platform)s", platform=platform),
        [Column("username", _("user")), Column("roles", _("roles")), Column("state", _("state"))],
    )
    for user in result.users:
        state = (
            ("active" if csv_out else _("active"))
            if user.active
            else ("inactive" if csv_out else _("inactive"))
        )
        listing.add(user.username, ", ".join(user.roles), state)
    listing.print(csv_out=csv_out)
