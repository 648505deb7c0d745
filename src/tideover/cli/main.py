"""The ``tideover`` command.

Exit codes: 0 success, 1 input rejected or a check failed, 2 usage error.
Errors are one clear line in the reader's language, never a traceback
(set ``TIDEOVER_DEBUG=1`` to see one).
"""

from __future__ import annotations

import functools
import io
import os
import sys
from collections.abc import Callable
from importlib import import_module
from typing import Any

import typer
from typer.exceptions import Abort, Exit, TyperException

from tideover.cli.localise import LocalisedGroup, usage_error
from tideover.cli.output import _, error_console, locale, root_options
from tideover.domain.errors import TideoverError
from tideover.domain.redact import scrub


def _module(name: str) -> Any:
    return import_module(f"tideover.cli.{name}")


@functools.cache
def _model_app() -> typer.Typer:
    model, checks = _module("model"), _module("model_checks")
    model.app.command("monitor")(checks.monitor)
    model.app.command("fairness")(checks.fairness)
    model.app.command("rollrates")(checks.rollrates)
    return model.app  # type: ignore[no-any-return]


@functools.cache
def _policy_app() -> typer.Typer:
    policy, versions = _module("policy"), _module("policy_versions")
    for name in ("submit", "approve", "reject", "activate", "rollback", "versions", "show"):
        policy.app.command(name)(getattr(versions, name))
    return policy.app  # type: ignore[no-any-return]


@functools.cache
def _compliance_app() -> typer.Typer:
    compliance, holds, text = _module("compliance"), _module("holds"), _module("compliance_text")
    compliance.app.add_typer(holds.app, name="hold")
    compliance.app.command("text-eval")(text.text_eval)
    compliance.app.command("text-check")(text.text_check)
    return compliance.app  # type: ignore[no-any-return]


def _command(module: str, function: str) -> Callable[[typer.Typer, str], None]:
    def register(app: typer.Typer, name: str) -> None:
        app.command(name)(getattr(_module(module), function))

    return register


def _group(module: str, attribute: str = "app") -> Callable[[typer.Typer, str], None]:
    def register(app: typer.Typer, name: str) -> None:
        app.add_typer(getattr(_module(module), attribute), name=name)

    return register


def _built(build: Callable[[], typer.Typer]) -> Callable[[typer.Typer, str], None]:
    def register(app: typer.Typer, name: str) -> None:
        app.add_typer(build(), name=name)

    return register


# Every command word, in the order ``--help`` lists them, and how it is registered.  A
# command's module is imported only when that command runs (or ``--help`` lists them all):
# the command line starts without the libraries other commands use.
_COMMANDS: dict[str, Callable[[typer.Typer, str], None]] = {
    "init": _command("portfolio", "init"),
    "schedule": _command("portfolio", "schedule"),
    "delinquency": _command("portfolio", "delinquency"),
    "demo": _command("demo", "demo"),
    "platform": _group("platforms"),
    "import": _group("imports"),
    "data": _group("data"),
    "model": _built(_model_app),
    "policy": _built(_policy_app),
    "compliance": _built(_compliance_app),
    "audit": _group("audit"),
    "hardship": _group("hardship"),
    "plans": _group("plans"),
    "cycle": _group("cycle"),
    "kpi": _command("kpi", "kpi"),
    "collectors": _group("collectors"),
    "queue": _group("queue"),
    "users": _group("users"),
    "pii": _group("pii"),
    "payments": _group("payments"),
    "borrower": _group("lookup", "borrower_app"),
    "loan": _group("lookup", "loan_app"),
    "serve": _command("serve", "serve"),
    "worker": _command("worker", "worker"),
    "simulate": _group("simulate"),
    "experiment": _group("experiment"),
    "outbox": _group("outbox"),
    "templates": _group("templates"),
}


@functools.cache
def build_app(only: str | None = None) -> typer.Typer:
    """The ``tideover`` command with every command word, or with ``only`` that one."""
    app = typer.Typer(
        name="tideover",
        help="Tideover: collection policy as data, run every day over the portfolio.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        cls=LocalisedGroup,
    )
    app.callback()(root_options)
    for name, register in _COMMANDS.items():
        if only is None or name == only:
            register(app, name)
    return app


def command_word(args: list[str]) -> str | None:
    """The command word of ``args`` when only ``--lang`` comes before it and it is one of
    ``tideover``'s; else None (``--help``, no command, a misspelt one: the whole tree)."""
    words = iter(args)
    for word in words:
        if word == "--lang":
            next(words, None)
        elif word.startswith("--lang="):
            continue
        else:
            return word if word in _COMMANDS else None
    return None


def __getattr__(name: str) -> Any:
    # ``app``: the whole command tree (tools/messages.py extracts its help texts).
    if name == "app":
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` and return its exit code.

    Every error is one line; whatever it says passes through ``scrub`` first, so an
    ID number, phone or e-mail quoted by a driver or a library is printed masked.
    """
    args = sys.argv[1:] if argv is None else argv
    try:
        app = build_app(command_word(args))
        result = app(args=args, prog_name="tideover", standalone_mode=False)
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
