"""The ``tideover`` command.

Exit codes: 0 success, 1 input rejected or a check failed, 2 usage error.
Errors are one clear line in the reader's language, never a traceback
(set ``TIDEOVER_DEBUG=1`` to see one).
"""

from __future__ import annotations

import os
import sys

import typer
from typer.exceptions import Abort, Exit, TyperException

from tideover.cli import (
    audit,
    collectors,
    compliance,
    cycle,
    data,
    demo,
    hardship,
    holds,
    imports,
    kpi,
    model,
    model_checks,
    pii,
    plans,
    platforms,
    policy,
    policy_versions,
    portfolio,
    queue,
    users,
)
from tideover.cli.output import error_console, locale, say
from tideover.domain.errors import TideoverError

app = typer.Typer(
    name="tideover",
    help="Tideover: collection policy as data, run every day over the portfolio.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
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


def run(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` and return its exit code."""
    try:
        result = app(args=argv, prog_name="tideover", standalone_mode=False)
    except Exit as exc:
        return exc.exit_code
    except TyperException as exc:  # usage errors: Typer prints them with a usage hint
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            error_console.print(exc.format_message(), markup=False, highlight=False)
        return exc.exit_code
    except Abort:
        error_console.print(say("aborted", "已中止"))
        return 130
    except TideoverError as exc:
        error_console.print(
            f"error [{exc.code}]: {exc.message(locale())}",
            markup=False,
            highlight=False,
            style="red",
        )
        return exc.exit_code
    except Exception as exc:
        if os.environ.get("TIDEOVER_DEBUG"):
            raise
        error_console.print(
            say("internal error: ", "内部错误：") + f"{type(exc).__name__}: {exc}",
            markup=False,
            highlight=False,
            style="red",
        )
        return 1
    return result if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
