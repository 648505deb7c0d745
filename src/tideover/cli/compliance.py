"""``tideover compliance rules|text|check|record|lint``: packs, message checks, gate, linter.

Exit 1 when a message has a blocking finding, the gate denies an attempt or a
policy has a blocking lint finding.
"""

from __future__ import annotations

import json
from datetime import datetime, time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from tideover.cli.output import JsonOption, _, console, either, print_json
from tideover.cli.tables import Column, CsvOption, Listing
from tideover.i18n import N_

if TYPE_CHECKING:
    from tideover.compliance.contacts import ActorRole, Channel, Target
    from tideover.compliance.lint import SendWindow
    from tideover.policy.model import Channel as StepChannel
    from tideover.services.compliance.results import GateDecision
    from tideover.services.policy.results import PolicyLint

E = TypeVar("E", bound=StrEnum)

app = typer.Typer(
    help="Compliance rule packs, the message checker and the contact gate.",
    no_args_is_help=True,
)

PackOption = Annotated[
    str, typer.Option("--pack", help="Rule pack: CN, US, US-MA, US-NYC, UK, EU or IE.")
]
PlatformOption = Annotated[
    str | None,
    typer.Option(help="Read this platform's contact ledger and record the decision in its audit."),
]
AttemptOption = Annotated[
    Path, typer.Option("--attempt", help="Attempt file (JSON, see docs/compliance.md).")
]


@app.command("rules")
def rules(pack: PackOption, json_out: JsonOption = False, csv_out: CsvOption = False) -> None:
    """List a pack's rules with their legal sources and confidence."""
    from tideover.services.compliance.checks import list_rules

    result = list_rules(pack=pack)
    if json_out:
        print_json(result)
        return
    name = either(result.name_en, result.name_zh)
    listing = Listing(
        f"{result.pack} — {name} ({result.version})",
        [
            Column("id", "id"),
            Column("title", _("rule")),
            Column("sources", _("source")),
            Column("confidence", _("conf.")),
        ],
    )
    for rule in result.rules:
        sources = "; ".join(f"{s.document}, {s.article}" for s in rule.sources)
        title = either(rule.title_en, rule.title_zh)
        listing.add(rule.id, title, sources, rule.confidence)
    listing.print(csv_out=csv_out)


@app.command("text")
def text(
    message: Annotated[str, typer.Argument(help="The message to check.", show_default=False)],
    pack: PackOption,
    channel: Annotated[str, typer.Option(help="sms, email, call, letter, app_push.")] = "sms",
    actor: Annotated[str, typer.Option(help="creditor, agency or debt_buyer.")] = "creditor",
    target: Annotated[str, typer.Option(help="debtor, contact_person or third_party.")] = "debtor",
    sender: Annotated[
        str | None, typer.Option(help="Institution name the message must identify.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Check an outbound message; exit 1 when it has a blocking finding."""
    from tideover.services.compliance.checks import check_text

    result = check_text(
        pack=pack,
        text=message,
        channel=_channel(channel),
        actor=_actor(actor),
        target=_target(target),
        sender_name=sender,
    )
    if json_out:
        print_json(result)
    else:
        for f in result.findings:
            where = f" «{f.matched}» [{f.start}:{f.end}]" if f.matched else ""
            rule_ids = ", ".join(f.rule_ids)
            console.print(f"{rule_ids}: {either(f.en, f.zh)}{where}", markup=False)
        if not result.blocking:
            console.print(_("no findings"))
    if result.blocking:
        raise typer.Exit(1)


@app.command("check")
def check(
    pack: PackOption,
    attempt: AttemptOption,
    platform: PlatformOption = None,
    json_out: JsonOption = False,
) -> None:
    """Run the contact gate on an attempt; exit 1 when it is denied."""
    from tideover.services.compliance.checks import check_attempt

    document = _read_json(attempt)
    if platform is None:
        result = check_attempt(pack=pack, document=document, source=str(attempt))
    else:
        from tideover.bootstrap import open_app

        with open_app() as opened:
            result = check_attempt(
                pack=pack,
                document=document,
                source=str(attempt),
                uow=opened.uow(),
                platform=platform,
            )
    if json_out:
        print_json(result)
    else:
        _show_decision(result)
    if not result.allowed:
        raise typer.Exit(1)


@app.command("record")
def record(
    platform: Annotated[str, typer.Option(help="Platform whose ledger records the contact.")],
    attempt: AttemptOption,
    outcome: Annotated[
        str, typer.Option(help="planned, no_answer, voicemail, connected, conversation, ...")
    ],
    result: Annotated[
        str | None,
        typer.Option(help="promise_to_pay, refusal, dispute_raised or complaint."),
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="When it happened (ISO 8601 with offset); default planned.")
    ] = None,
    inbound: Annotated[bool, typer.Option(help="An inbound call, not an attempt.")] = False,
    attempt_id: Annotated[
        str | None, typer.Option("--id", help="Attempt id (default new).")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Record a contact and its outcome in a platform's contact ledger."""
    from tideover.bootstrap import open_app
    from tideover.compliance.contacts import Outcome
    from tideover.services.compliance.checks import (
        ContactResult,
        parse_attempt_document,
        record_contact,
    )

    parsed = parse_attempt_document(_read_json(attempt), source=str(attempt))
    with open_app() as opened:
        saved = record_contact(
            uow=opened.uow(),
            platform=platform,
            attempt=parsed.attempt,
            outcome=choice_of(Outcome, outcome, "--outcome"),
            result=choice_of(ContactResult, result, "--result") if result else None,
            at=instant_of(at, "--at") if at else None,
            inbound=inbound,
            attempt_id=attempt_id,
        )
    if json_out:
        print_json(saved)
        return
    at_text = saved.at.isoformat()
    console.print(
        _(
            "recorded %(attempt_id)s: %(outcome)s at %(at_text)s",
            attempt_id=saved.attempt_id,
            outcome=saved.outcome,
            at_text=at_text,
        ),
        markup=False,
    )
    for h in saved.holds_raised:
        console.print(
            _("hold raised: %(kind)s (%(hold_id)s)", kind=h.kind, hold_id=h.hold_id),
            markup=False,
        )


@app.command("lint")
def lint(
    policy: Annotated[Path, typer.Argument(help="Policy file (YAML or JSON).", show_default=False)],
    pack: Annotated[
        list[str] | None,
        typer.Option("--pack", help="Rule pack (repeatable); default: the packs the policy names."),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            help="Template texts: YAML/JSON mapping id -> text or {text, target, sender}."
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(help="creditor, agency or debt_buyer; default: every rule any actor obeys."),
    ] = None,
    hours: Annotated[
        list[str] | None,
        typer.Option(
            help="Send window of a step channel, e.g. human_call=08:30-20:00 (repeatable)."
        ),
    ] = None,
    sender: Annotated[
        str | None, typer.Option(help="Institution name the templates must identify.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Lint a policy against its rule packs; exit 1 when a finding blocks approval."""
    from tideover.services.policy.lint import lint_policy_file

    result = lint_policy_file(
        path=policy,
        packs=pack or (),
        templates=templates,
        actor=_actor(actor) if actor else None,
        send_times=_send_times(hours or []),
        sender_name=sender,
    )
    if json_out:
        print_json(result)
    else:
        _show_lint(result)
    if result.blocking:
        raise typer.Exit(1)


def _show_lint(result: PolicyLint) -> None:
    packs = ", ".join(f"{p.pack} {p.version}" for p in result.packs)
    for f in result.findings:
        severity = _("blocking") if f.severity == "blocking" else _("warning")
        console.print(
            f"{severity} [{f.rule_id}] {f.location.text}: {either(f.en, f.zh)}",
            markup=False,
        )
    counts = result.counts
    verdict = _("approval blocked") if result.blocking else _("approvable")
    console.print(
        f"{result.policy} ({packs}): {verdict}; "
        + _(
            "%(blocking)s blocking, %(warning)s warning(s)",
            blocking=counts.blocking,
            warning=counts.warning,
        ),
        markup=False,
    )


def _send_times(values: list[str]) -> dict[StepChannel, SendWindow] | None:
    """``--hours`` over the default send windows; None when none is given."""
    from tideover.compliance.lint import DEFAULT_SEND_TIMES
    from tideover.domain.errors import UsageError
    from tideover.policy.model import Channel as StepChannel

    if not values:
        return None
    windows = dict(DEFAULT_SEND_TIMES)
    for value in values:
        name, _sep, span = value.partition("=")
        start, _dash, end = span.partition("-")
        try:
            window = (time.fromisoformat(start), time.fromisoformat(end))
        except ValueError:
            window = None
        if window is None or not window[0] < window[1]:
            raise UsageError(
                N_("--hours: %(value)s is not CHANNEL=HH:MM-HH:MM with start before end"),
                value=repr(value),
            )
        windows[choice_of(StepChannel, name, "--hours")] = window
    return windows


def _show_decision(result: GateDecision) -> None:
    if result.allowed:
        console.print(_("allowed") + f" ({result.pack} {result.pack_version})")
    else:
        ids = ", ".join(result.rule_ids)
        console.print(_("denied") + f": {ids} ({result.pack} {result.pack_version})")
        for reason in result.reasons:
            console.print(f"  [{reason.rule_id}] {either(reason.en, reason.zh)}", markup=False)
        earliest = result.earliest_allowed
        if earliest is None:
            console.print(_("  no later time would be allowed"))
        else:
            local = ", ".join(
                f"{t.isoformat()} {z}" for z, t in result.earliest_allowed_local.items()
            )
            console.print(_("  earliest allowed: ") + f"{earliest.isoformat()} ({local})")
    if result.audit:
        seq, digest = result.audit.seq, result.audit.hash
        console.print(_("audit record %(seq)s: %(digest)s", seq=seq, digest=digest))


def _read_json(path: Path) -> Any:
    from tideover.domain.errors import ValidationError

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationError(
            N_("cannot read attempt file %(path)s: %(strerror)s"),
            path=path,
            strerror=exc.strerror or exc,
        ) from exc
    except ValueError as exc:
        raise ValidationError(
            N_("attempt file %(path)s is not valid JSON: %(exc)s"),
            path=path,
            exc=exc,
        ) from exc


def choice_of(kind: type[E], value: str, option: str) -> E:
    from tideover.domain.errors import UsageError

    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise UsageError(
            N_("%(option)s: %(value)s is not one of %(known)s"),
            option=option,
            value=repr(value),
            known=known,
        ) from None


def _channel(value: str) -> Channel:
    from tideover.compliance.contacts import Channel

    return choice_of(Channel, value, "--channel")


def _actor(value: str) -> ActorRole:
    from tideover.compliance.contacts import ActorRole

    return choice_of(ActorRole, value, "--actor")


def _target(value: str) -> Target:
    from tideover.compliance.contacts import Target

    return choice_of(Target, value, "--target")


def instant_of(value: str, option: str) -> datetime:
    from tideover.domain.errors import UsageError

    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        raise UsageError(
            N_(
                "%(option)s: %(value)s must be an ISO 8601 instant with an offset, e.g. "
                "2026-06-03T09:00:00+08:00"
            ),
            option=option,
            value=repr(value),
        )
    return parsed
