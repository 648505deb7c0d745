"""``tideover pii status|rotate-key``: the key that protects phone and ID numbers."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from tideover.cli.output import JsonOption, _, console, print_json, progress_bars, to_json
from tideover.cli.tables import Column, Listing
from tideover.domain.errors import UsageError
from tideover.i18n import N_

app = typer.Typer(
    help="Personal data: the encryption key ring and its rotation.", no_args_is_help=True
)

NEW_KEY_VARIABLE = "TIDEOVER_PII_NEW_KEY"


@app.command("status")
def status(json_out: JsonOption = False) -> None:
    """The key ring: each key's fingerprint (never the key) and state."""
    from tideover.bootstrap import open_app
    from tideover.services.privacy.keys import key_ring

    with open_app(check_key=False) as app_:
        ring = key_ring(uow=app_.uow())
    if json_out:
        print_json(ring)
        return
    listing = Listing(
        _("PII key ring"),
        [
            Column("fingerprint", _("fingerprint")),
            Column("state", _("state")),
            Column("created_at", _("since")),
        ],
    )
    for key in ring.keys:
        listing.add(key.fingerprint, key.state, key.created_at.isoformat())
    listing.print()


@app.command("rotate-key")
def rotate_key(json_out: JsonOption = False) -> None:
    """Re-encrypt all personal data from TIDEOVER_PII_KEY to TIDEOVER_PII_NEW_KEY.

    Resumable: run it again after an interruption.  Afterwards, set
    TIDEOVER_PII_KEY to the new key.  Keys are read from the environment only,
    never from the command line (where other users could see them).
    """
    from tideover.bootstrap import open_app
    from tideover.services.privacy.keys import rotate_pii_key

    new_key = os.environ.get(NEW_KEY_VARIABLE, "")
    if not new_key:
        raise UsageError(
            N_("set %(new_key_variable)s to the new key (URL-safe base64 of 32 bytes or more)"),
            new_key_variable=NEW_KEY_VARIABLE,
        )
    with open_app(check_key=False) as app_, progress_bars(disable=json_out) as bar:
        result = rotate_pii_key(
            uow_factory=app_.uow,
            old_key=app_.settings.pii_key,
            new_key=new_key,
            at=datetime.now(UTC),
            progress=bar,
        )
    if json_out:
        print_json(result)
        return
    count = sum(result.rewritten.values())
    console.print(
        _(
            "rotated %(old_fingerprint)s → %(new_fingerprint)s: %(count)s value(s) "
            "re-encrypted; now set TIDEOVER_PII_KEY to the new key",
            old_fingerprint=result.old_fingerprint,
            new_fingerprint=result.new_fingerprint,
            count=format(count, ","),
        ),
        markup=False,
    )


PlatformOption = Annotated[str, typer.Option("--platform", help="Platform code.")]
BorrowerOption = Annotated[str, typer.Option("--borrower", help="The borrower's id.")]
ByOption = Annotated[str, typer.Option("--by", help="The compliance officer or administrator.")]


@app.command("retention")
def retention(platform: PlatformOption, json_out: JsonOption = False) -> None:
    """How long the law makes the platform keep a borrower's records, with the sources."""
    from tideover.bootstrap import open_app
    from tideover.services.privacy.rights import retention_report

    with open_app() as app_:
        report = retention_report(uow=app_.uow(), platform=platform)
    if json_out:
        print_json(report)
        return
    listing = Listing(
        _("retention — %(jurisdiction)s", jurisdiction=report.jurisdiction),
        [
            Column("id", _("rule")),
            Column("years", _("years"), "right"),
            Column("categories", _("records")),
            Column("sources", _("source")),
        ],
    )
    for rule in report.rules:
        sources = "; ".join(f"{s.document} {s.article}" for s in rule.sources)
        listing.add(rule.id, rule.years, ", ".join(rule.categories), sources)
    listing.print()


@app.command("export")
def export(
    platform: PlatformOption,
    borrower: BorrowerOption,
    by: ByOption,
    out: Annotated[Path, typer.Option("--out", help="File to write the export to (JSON).")],
) -> None:
    """Everything stored about one borrower, for their access request (written to --out only,
    readable by its owner alone; it is personal data)."""
    from tideover.bootstrap import open_app
    from tideover.services.privacy.rights import export_borrower

    with open_app() as app_:
        result = export_borrower(
            uow=app_.uow(), platform=platform, borrower_id=borrower, by=by, at=datetime.now(UTC)
        )
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(to_json(result) + "\n")
    console.print(
        _(
            "%(platform)s: %(borrower)s's data written to %(out)s (%(loans)s loan(s), "
            "%(contacts)s contact(s))",
            platform=platform,
            borrower=borrower,
            out=out,
            loans=len(result.loans),
            contacts=len(result.contacts),
        ),
        markup=False,
    )


@app.command("erase")
def erase(
    platform: PlatformOption,
    borrower: BorrowerOption,
    by: ByOption,
    reason: Annotated[str, typer.Option("--reason", help="Why (the request's reference).")],
    json_out: JsonOption = False,
) -> None:
    """Erase what identifies a borrower, where the law allows (never while they owe, never
    before the retention period has run)."""
    from tideover.bootstrap import open_app
    from tideover.services.privacy.rights import erase_borrower

    with open_app() as app_:
        result = erase_borrower(
            uow=app_.uow(),
            platform=platform,
            borrower_id=borrower,
            by=by,
            reason=reason,
            at=datetime.now(UTC),
        )
    if json_out:
        print_json(result)
        return
    console.print(
        _(
            "%(platform)s: %(borrower)s's identifying data erased",
            platform=platform,
            borrower=borrower,
        ),
        markup=False,
    )
