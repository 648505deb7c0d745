"""``--help`` and usage errors in the reader's language.

Typer builds the command tree (Click objects) afresh for every run, from the
help texts written in English beside each command and option.  Before any
argument is parsed, :class:`LocalisedGroup` picks the language (``--lang``
before the first command word, else the environment) and rewrites the tree's
help texts through the catalogue (``tideover.i18n``), together with the words
Typer and Click print around them (panel titles, ``Usage:``, ``[default: …]``).
``tools/messages.py`` extracts the same texts from the same tree
(:func:`help_texts`), so a help text without a translation fails the tests.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from typer.core import TyperGroup

from tideover.cli.output import N_, _, language, set_language

# What Typer prints around the help texts (typer.rich_utils), and Click's usage prefix.
_RICH_UTILS_TEXTS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "DEPRECATED_STRING": N_("(deprecated) "),
}
_HELP_OPTION = N_("Show this message and exit.")
_USAGE = N_("Usage:")


def choose_language(args: Sequence[str]) -> None:
    """``--lang X`` (or ``--lang=X``) before the first command word, else the environment."""
    chosen: str | None = None
    words = iter(args)
    for word in words:
        if word == "--lang":
            chosen = next(words, None)
        elif word.startswith("--lang="):
            chosen = word.partition("=")[2]
        elif not word.startswith("-"):
            break
    set_language(chosen)


def help_texts(command: Any) -> Iterator[str]:
    """The help texts of ``command`` and everything under it (commands, options, arguments)."""
    for text in (command.help, command.short_help, command.epilog):
        if text:
            yield text
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            yield text
    for sub in getattr(command, "commands", {}).values():
        yield from help_texts(sub)


def translated(text: str) -> str:
    """A help text in the reader's language (the catalogue keys on its dedented form)."""
    return _(inspect.cleandoc(text))


def localise(command: Any) -> None:
    """Rewrite the help texts of the tree under ``command``, in place; Typer's own words
    are rewritten when a help page is drawn (:func:`typer_words`)."""
    _localise_tree(command)


def typer_words() -> None:
    """Typer's words around the help texts in the reader's language, and long help folded.

    Done just before a help page is drawn: ``typer.rich_utils`` (and the Markdown parser
    it loads) is imported only then, so a command that prints no help starts without it.
    """
    import typer.rich_utils as rich_utils

    for name, text in _RICH_UTILS_TEXTS.items():
        setattr(rich_utils, name, _(text))
    _fold_help_text()


def _fold_help_text() -> None:
    """Help text that is too long for its column is folded onto the next line, never cut.

    Rich wraps at spaces, and a Chinese sentence has none: Typer's help table then cut
    it with "…".  Its help texts are made by ``rich_utils._make_rich_text``; the Text it
    returns is given ``overflow="fold"`` (once per process).
    """
    import typer.rich_utils as rich_utils
    from rich.text import Text

    make = rich_utils._make_rich_text
    if getattr(make, "folds", False):
        return

    def folding(**kwargs: Any) -> Any:
        text = make(**kwargs)
        if isinstance(text, Text):
            text.overflow = "fold"
        return text

    folding.folds = True  # type: ignore[attr-defined]
    rich_utils._make_rich_text = folding


def _localise_tree(command: Any) -> None:
    for attribute in ("help", "short_help", "epilog"):
        text = getattr(command, attribute)
        if text:
            setattr(command, attribute, translated(text))
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            param.help = translated(text)
    _wrap(command, "get_usage", _usage_line)
    _wrap(command, "get_help_option", _help_option)
    _first(command, "format_help", typer_words)
    for sub in getattr(command, "commands", {}).values():
        _localise_tree(sub)


def _wrap(command: Any, name: str, after: Callable[[Any], Any]) -> None:
    # Only this run's objects are changed: Typer builds new ones for the next run.
    original = getattr(command, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return after(original(*args, **kwargs))

    setattr(command, name, wrapped)


def _first(command: Any, name: str, before: Callable[[], None]) -> None:
    original = getattr(command, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        before()
        return original(*args, **kwargs)

    setattr(command, name, wrapped)


def _usage_line(text: str) -> str:
    return text.replace("Usage:", _(_USAGE), 1) if isinstance(text, str) else text


def _help_option(option: Any) -> Any:
    if option is not None and option.help == _HELP_OPTION:
        option.help = _(_HELP_OPTION)
    return option


class LocalisedGroup(TyperGroup):
    """The root group: chooses the language and localises the tree before parsing."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Any = None,
        **extra: Any,
    ) -> Any:
        choose_language(args)
        localise(self)
        return super().make_context(info_name, args, parent, **extra)


# --- usage errors ---------------------------------------------------------------------------

# Click prints its usage errors in English whatever the locale; these are its sentences.
_USAGE_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Usage: ", re.M), _USAGE),
    (re.compile(r"^Try '(?P<command>[^']*)' for help\.$", re.M), N_("Try '%(command)s' for help.")),
    (re.compile(r"^Error: ", re.M), N_("Error:")),
    (re.compile(r"Missing option '(?P<name>[^']*)'\."), N_("Missing option '%(name)s'.")),
    (re.compile(r"Missing argument '(?P<name>[^']*)'\."), N_("Missing argument '%(name)s'.")),
    (re.compile(r"No such option: (?P<name>\S+)"), N_("No such option: %(name)s")),
    (re.compile(r"No such command '(?P<name>[^']*)'\."), N_("No such command '%(name)s'.")),
    (re.compile(r"Missing command\."), N_("Missing command.")),
    (
        re.compile(r"Got unexpected extra arguments? \((?P<args>[^)]*)\)"),
        N_("Got unexpected extra arguments (%(args)s)"),
    ),
    (
        re.compile(r"Invalid value for (?P<name>[^:]+): "),
        N_("Invalid value for %(name)s: "),
    ),
    (
        re.compile(r"Option '(?P<name>[^']*)' requires an argument\."),
        N_("Option '%(name)s' requires an argument."),
    ),
    (
        re.compile(r"'(?P<value>[^']*)' is not a valid integer\."),
        N_("'%(value)s' is not a valid integer."),
    ),
    (
        re.compile(r"'(?P<value>[^']*)' is not one of (?P<choices>.+)\."),
        N_("'%(value)s' is not one of %(choices)s."),
    ),
]


def usage_error(text: str) -> str:
    """Click's English usage error ``text`` in the reader's language (English unchanged)."""
    if language() == "en":
        return text
    for pattern, message in _USAGE_ERRORS:
        text = pattern.sub(_replacement(message), text)
    return text


def _replacement(message: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        values = match.groupdict()
        return _(message, **values) if values else _(message)

    return replace
