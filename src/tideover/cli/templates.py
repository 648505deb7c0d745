"""``tideover templates``: message templates drafted, approved by someone else, activated."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tideover.cli.output import JsonOption, _, console, either, print_json

app = typer.Typer(
    help="Message templates: draft, approve (four eyes), reject, activate, list, show, preview.",
    no_args_is_help=True,
)

PlatformOption = Annotated[str, typer.Option(help="Platform code.")]
ByOption = Annotated[str, typer.Option("--by", help="Who acts (a stored user).")]
NameArg = Annotated[str, typer.Argument(help="Template name, e.g. reminder_sms.")]
VersionArg = Annotated[int, typer.Argument(help="Version number.")]


@app.command("draft")
def draft(
    file: Annotated[Path, typer.Argument(help="YAML: name, purpose, channel, body, subject.")],
    platform: PlatformOption,
    by: ByOption,
    json_out: JsonOption = False,
) -> None:
    """Store FILE as a new draft version; the review's findings are shown at once."""
    from tideover.bootstrap import open_app
    from tideover.domain.safe_yaml import load_yaml
    from tideover.services.comms.templates import draft_template

    data = load_yaml(file.read_text(encoding="utf-8"))
    with open_app() as opened:
        detail = draft_template(uow=opened.uow(), platform=platform, template=data, by=by)
    if json_out:
        print_json(detail)
        return
    info = detail.info
    console.print(
        _(
            "template %(name)s version %(version)s drafted (%(findings)s finding(s))",
            name=info.name,
            version=info.version,
            findings=len(detail.findings),
        ),
        markup=False,
    )
    for f in detail.findings:
        console.print(f"  [{f.code}, {f.language}] " + either(f.en, f.zh), markup=False)


def _transition(
    action: str,
    name: str,
    version: int,
    platform: str,
    by: str,
    json_out: bool,
    reason: str | None = None,
) -> None:
    from tideover.bootstrap import open_app
    from tideover.services.comms import templates as t

    with open_app() as opened:
        uow = opened.uow()
        if action == "approve":
            info = t.approve_template(uow=uow, platform=platform, name=name, version=version, by=by)
        elif action == "activate":
            info = t.activate_template(
                uow=uow, platform=platform, name=name, version=version, by=by
            )
        else:
            info = t.reject_template(
                uow=uow, platform=platform, name=name, version=version, by=by, reason=reason or ""
            )
    if json_out:
        print_json(info)
        return
    console.print(
        _(
            "template %(name)s version %(version)s: %(status)s",
            name=name,
            version=version,
            status=info.status,
        ),
        markup=False,
    )


@app.command("approve")
def approve(
    name: NameArg,
    version: VersionArg,
    platform: PlatformOption,
    by: ByOption,
    json_out: JsonOption = False,
) -> None:
    """Approve a draft (not one's own); refused with the review's findings."""
    _transition("approve", name, version, platform, by, json_out)


@app.command("reject")
def reject(
    name: NameArg,
    version: VersionArg,
    platform: PlatformOption,
    by: ByOption,
    reason: Annotated[str, typer.Option(help="Why.")],
    json_out: JsonOption = False,
) -> None:
    """Reject a draft with a reason."""
    _transition("reject", name, version, platform, by, json_out, reason)


@app.command("activate")
def activate(
    name: NameArg,
    version: VersionArg,
    platform: PlatformOption,
    by: ByOption,
    json_out: JsonOption = False,
) -> None:
    """Make an approved version the one sent (the active one retires)."""
    _transition("activate", name, version, platform, by, json_out)


@app.command("list")
def list_(platform: PlatformOption, json_out: JsonOption = False) -> None:
    """Every version of every template, and the shipped templates' names."""
    from tideover.bootstrap import open_app
    from tideover.services.comms.templates import list_templates

    with open_app() as opened:
        found = list_templates(uow=opened.uow(), platform=platform)
    if json_out:
        print_json(found)
        return
    for v in found.versions:
        console.print(
            f"{v.name}\tv{v.version}\t{v.purpose}\t{v.channel}\t{v.status}\t{v.author}",
            markup=False,
        )
    console.print(_("shipped: %(names)s", names=", ".join(found.builtin)), markup=False)


@app.command("preview")
def preview(
    name: NameArg,
    platform: PlatformOption,
    language: Annotated[str, typer.Option(help="zh-CN or en.")] = "zh-CN",
    version: Annotated[int | None, typer.Option(help="Version (default: the one sent).")] = None,
    json_out: JsonOption = False,
) -> None:
    """The template rendered with sample values."""
    from tideover.bootstrap import open_app
    from tideover.services.comms.templates import preview_template

    with open_app() as opened:
        shown = preview_template(
            uow=opened.uow(), platform=platform, name=name, version=version, language=language
        )
    if json_out:
        print_json(shown)
        return
    if shown.subject:
        console.print(shown.subject, markup=False)
    console.print(shown.body, markup=False)
