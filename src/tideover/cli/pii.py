"""``tideover pii status|rotate-key``: the key that protects phone and ID numbers."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import typer
from rich.table import Table

from tideover.cli.output import JsonOption, console, print_json, progress_bars, say
from tideover.domain.errors import UsageError

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
    table = Table(title=say("PII key ring", "PII 密钥环"))
    for column in (say("fingerprint", "指纹"), say("state", "状态"), say("since", "起始")):
        table.add_column(column, overflow="fold")
    for key in ring.keys:
        table.add_row(key.fingerprint, key.state, key.created_at.isoformat())
    console.print(table)


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
            f"set {NEW_KEY_VARIABLE} to the new key (URL-safe base64 of 32 bytes or more)",
            f"请将 {NEW_KEY_VARIABLE} 设为新密钥（至少 32 字节的 URL 安全 base64）",
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
        say(
            f"rotated {result.old_fingerprint} → {result.new_fingerprint}: {count:,} value(s) "
            f"re-encrypted; now set TIDEOVER_PII_KEY to the new key",
            f"已轮换 {result.old_fingerprint} → {result.new_fingerprint}：重新加密 {count:,} "
            "个值；请将 TIDEOVER_PII_KEY 改为新密钥",
        ),
        markup=False,
    )
