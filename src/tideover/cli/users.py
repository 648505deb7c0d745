"""``tideover users add|list|set``: the people who act on a platform, and their roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from tideover.cli.output import JsonOption, console, print_json, say

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
        say(
            f"{platform}: user {user.username} added ({roles})",
            f"{platform}：已添加用户 {user.username}（{roles}）",
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
    state = say("active", "有效") if user.active else say("inactive", "已停用")
    console.print(f"{platform}: {user.username} — {', '.join(user.roles)} ({state})", markup=False)


@app.command("list")
def list_(platform: PlatformOption, json_out: JsonOption = False) -> None:
    """The platform's users with their roles."""
    from tideover.bootstrap import open_app
    from tideover.services.identity.users import list_users

    with open_app() as app_:
        result = list_users(uow=app_.uow(), platform=platform, now=datetime.now(UTC))
    if json_out:
        print_json(result)
        return
    table = Table(title=say(f"users of {platform}", f"{platform} 的用户"))
    for column in (say("user", "用户"), say("roles", "角色"), say("state", "状态")):
        table.add_column(column, overflow="fold")
    for user in result.users:
        state = say("active", "有效") if user.active else say("inactive", "已停用")
        table.add_row(user.username, ", ".join(user.roles), state)
    console.print(table)
