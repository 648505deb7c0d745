"""The ``tideover`` command.

Exit codes: 0 success, 1 input rejected or a check failed, 2 usage error.
Errors are one clear line in the reader's language, never a traceback
(set ``TIDEOVER_DEBUG=1`` to see one).
"""

from __future__ import annotations

import io
import os
import sys

import typer
from typer.exceptions import Abort, Exit, TyperException

from tideover.cli import (
    audit,
    collectors,
    compliance,
    compliance_text,
    cycle,
    data,
    demo,
    experiment,
    hardship,
    holds,
    imports,
    kpi,
    lookup,
    model,
    model_checks,
    outbox,
    payments,
    pii,
    plans,
    platforms,
    policy,
    policy_versions,
    portfolio,
    queue,
    serve,
    simulate,
    templates,
    users,
    worker,
)
from tideover.cli.localise import LocalisedGroup, usage_error
from tideover.cli.output import _, error_console, locale, root_options
from tideover.domain.errors import TideoverError
from tideover.domain.redact import scrub

app = typer.Typer(
    name="tideover",
    help="Tideover: collection policy as data, run every day over the portfolio.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LocalisedGroup,
)
app.callback()(root_options)
app.command("init")(portfolio.init)
app.command("schedule")(portfolio.schedule)
app.command("delinquency")(portfolio.delinquency)
app.command("demo")(demo.demo)
app.add_typer(platforms.app, name="platform")
app.add_typer(imports.app, name="import")
app.add_typer(data.app, name="data")
model.app.command("monitor")(model_checks.monitor)
model.app.command("fairness")(model_checks.fairness)
model.app.command("rollrates")(model_checks.rollrates)
app.add_typer(model.app, name="model")
policy.app.command("submit")(policy_versions.submit)
policy.app.command("approve")(policy_versions.approve)
policy.app.command("reject")(policy_versions.reject)
policy.app.command("activate")(policy_versions.activate)
policy.app.command("rollback")(policy_versions.rollback)
policy.app.command("versions")(policy_versions.versions)
policy.app.command("show")(policy_versions.show)
app.add_typer(policy.app, name="policy")
compliance.app.add_typer(holds.app, name="hold")
compliance.app.command("text-eval")(compliance_text.text_eval)
compliance.app.command("text-check")(compliance_text.text_check)
app.add_typer(compliance.app, name="compliance")
app.add_typer(audit.app, name="audit")
app.add_typer(hardship.app, name="hardship")
app.add_typer(plans.app, name="plans")
app.add_typer(cycle.app, name="cycle")
app.command("kpi")(kpi.kpi)
app.add_typer(collectors.app, name="collectors")
app.add_typer(queue.app, name="queue")
app.add_typer(users.app, name="users")
app.add_typer(pii.app, name="pii")
app.add_typer(payments.app, name="payments")
app.add_typer(lookup.borrower_app, name="borrower")
app.add_typer(lookup.loan_app, name="loan")
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)
app.add_typer(simulate.app, name="simulate")
app.add_typer(experiment.app, name="experiment")
app.add_typer(outbox.app, name="outbox")
app.add_typer(templates.app, name="templates")


def run(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` and return its exit code.

    Every error is one line; whatever it says passes through ``scrub`` first, so an
    ID number, phone or e-mail quoted by a driver or a library is printed masked.
    """
    try:
        result = app(args=argv, prog_name="tideover", standalone_mode=False)
    except Exit as exc:
        return exc.exit_code
    except TyperException as exc:  # usage errors: Typer prints them with a usage hint
        _usage_error(exc)
        return exc.exit_code
    except Abort:
        error_console.print(_("aborted"))
        return 130
    except TideoverError as exc:
        _print_error(exc)
        return exc.exit_code
    except Exception as exc:
        if os.environ.get("TIDEOVER_DEBUG"):
            raise
        known = _database_error(exc)
        if known is not None:
            _print_error(known)
            return known.exit_code
        lines = str(exc).strip().splitlines()
        first = lines[0][:_LONGEST] if lines else ""
        detail = f"{type(exc).__name__}: {first}"
        _print_line(_("internal error: %(detail)s", detail=detail))
        return 1
    return result if isinstance(result, int) else 0


_LONGEST = 500  # characters of an unexpected error's first line


def _print_error(exc: TideoverError) -> None:
    _print_line(_("error [%(code)s]: %(message)s", code=exc.code, message=exc.message(locale())))


def _print_line(text: str) -> None:
    error_console.print(scrub(text), markup=False, highlight=False, style="red")


def _usage_error(exc: TyperException) -> None:
    show = getattr(exc, "show", None)
    if not callable(show):
        message = usage_error(exc.format_message())
        error_console.print(scrub(message), markup=False, highlight=False)
        return
    buffer = io.StringIO()
    show(file=buffer)
    text = usage_error(buffer.getvalue())
    # The usage and help before "Error:" are ours (and may show example numbers).
    cut = text.find(_("Error:"))
    shown = text if cut < 0 else text[:cut] + scrub(text[cut:])
    error_console.print(shown, markup=False, highlight=False, end="")


def _database_error(exc: BaseException) -> TideoverError | None:
    """The short coded error for a driver failure anywhere in ``exc``'s chain, or None."""
    # Imported here: most commands never touch the database, and start faster without it.
    from tideover.adapters.db_errors import database_error

    seen: BaseException | None = exc
    for _attempt in range(8):
        if seen is None:
            return None
        found = database_error(seen)
        if found is not None:
            return found
        seen = seen.__cause__ or seen.__context__
    return None


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
