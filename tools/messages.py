"""The message catalogues: extract the texts, merge them into each language.

    python tools/messages.py update [DOMAIN]   # extract, merge into en and zh_CN (make messages)
    python tools/messages.py check [DOMAIN]    # exit 1 listing texts without a translation
    python tools/messages.py translate FILE.json [DOMAIN]   # {msgid: Chinese} into zh_CN

Two catalogues (domains):

- ``messages``: the console's pages (``src/tideover/web``: Python and templates),
  in ``src/tideover/web/locale``;
- ``tideover``: everything else a person reads — the command line's output
  (``_``/``N_`` in ``src/tideover`` outside ``web``), its ``--help`` (every
  command, option and argument of the command tree), Click's and Typer's own
  words, charts and reports, and the errors, whichever layer raises them — in
  ``src/tideover/i18n/locale``.

In ``web``, a module marks the texts of one catalogue: ``N_`` imported from
``tideover.i18n`` marks the ``tideover`` catalogue's (the errors the console
raises, read through it like every other error), ``N_`` from
``tideover.web.ui.words`` a page's words; ``_`` is always the pages'.

English is the source language: its catalogue repeats each text (so a text is
never shown empty); the Chinese one must translate every text, or ``check``
(and the test suite) fails.  ``update`` only adds and drops texts the code
no longer has; it never changes a translation.
"""

from __future__ import annotations

import ast
import copy
import inspect
import json
import sys
from collections.abc import Collection, Iterator, Mapping
from io import BytesIO
from pathlib import Path
from typing import IO, Any, NamedTuple

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "tideover"
LANGUAGES = ("en", "zh_CN")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


MARKER = "tideover.i18n"  # where ``N_`` comes from when it marks the tideover catalogue's texts
Found = Iterator[tuple[int, str, Any, list[str]]]


def marks_for_tideover(source: bytes, name: str = "<module>") -> bool:
    """Whether a console module's ``N_`` marks texts of the ``tideover`` catalogue (it
    imports ``N_`` from ``tideover.i18n``); a module that imports ``N_`` from two places
    is refused, since its texts could not be told apart."""
    origins = {
        node.module
        for node in ast.walk(ast.parse(source, name))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if (alias.asname or alias.name) == "N_"
    }
    if len(origins) > 1:
        raise ValueError(f"{name}: N_ comes from {sorted(map(str, origins))}; import one")
    return origins == {MARKER}


def _web_errors(
    fileobj: IO[bytes], keywords: Collection[str], tags: Collection[str], options: Mapping[str, Any]
) -> Found:
    """The ``tideover`` catalogue's texts of a console module: its ``N_``, if it is ours."""
    source = fileobj.read()
    if marks_for_tideover(source, getattr(fileobj, "name", "<module>")):
        yield from extract_python(BytesIO(source), ["N_"], tags, options)


def _web_pages(
    fileobj: IO[bytes], keywords: Collection[str], tags: Collection[str], options: Mapping[str, Any]
) -> Found:
    """The pages' texts of a console module: ``_`` and the like, and ``N_`` unless it marks
    the ``tideover`` catalogue's."""
    source = fileobj.read()
    if marks_for_tideover(source, getattr(fileobj, "name", "<module>")):
        keywords = [k for k in keywords if k != "N_"]
    yield from extract_python(BytesIO(source), keywords, tags, options)


class Domain(NamedTuple):  # not a dataclass: the test suite loads this file without a module
    name: str
    locale: Path
    top: Path
    methods: list[tuple[str, Any]]  # (pattern, Babel method name or extraction function)
    help_tree: bool = False  # also the command line's --help texts


DOMAINS = {
    "messages": Domain(
        "messages",
        SOURCE / "web" / "locale",
        SOURCE / "web",
        [("**/templates/**.html", "jinja2"), ("**.py", _web_pages)],
    ),
    "tideover": Domain(
        "tideover",
        SOURCE / "i18n" / "locale",
        SOURCE,
        [("web/**.py", _web_errors), ("**.py", "python")],
        help_tree=True,
    ),
}
# Kept for callers of the console-only tool.
WEB = SOURCE / "web"
LOCALE = DOMAINS["messages"].locale


def help_texts() -> Iterator[str]:
    """Every help text of the ``tideover`` command tree, as ``--help`` shows it."""
    sys.path.insert(0, str(ROOT / "src"))
    import typer.main

    from tideover.cli.localise import help_texts as tree_texts
    from tideover.cli.main import app

    yield from tree_texts(typer.main.get_command(app))


def extract(domain: Domain = DOMAINS["messages"]) -> Catalog:
    """Every text of ``domain``'s code (and, for the command line, its help)."""
    template = Catalog(project="Tideover", copyright_holder="Tideover contributors")
    for _file, _line, message, comments, context in extract_from_dir(
        domain.top, domain.methods, keywords=KEYWORDS, strip_comment_tags=True
    ):
        template.add(message, None, auto_comments=comments, context=context)
    if domain.help_tree:
        for text in help_texts():
            if text not in template:
                template.add(inspect.cleandoc(text), None, auto_comments=["--help"])
    return template


def _po(domain: Domain, language: str) -> Path:
    return domain.locale / language / "LC_MESSAGES" / f"{domain.name}.po"


def _read(domain: Domain, language: str) -> Catalog:
    path = _po(domain, language)
    if not path.exists():
        return Catalog(locale=language, project="Tideover")
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _write(domain: Domain, language: str, catalog: Catalog) -> None:
    buffer = BytesIO()
    write_po(
        buffer,
        catalog,
        omit_header=False,
        sort_output=True,
        width=100,
        no_location=True,
        ignore_obsolete=True,
    )
    _po(domain, language).parent.mkdir(parents=True, exist_ok=True)
    _po(domain, language).write_bytes(buffer.getvalue())


def update(domain: Domain) -> None:
    template = extract(domain)
    for language in LANGUAGES:
        catalog = _read(domain, language)
        created = catalog.creation_date
        # A copy each: update() shares the template's messages, and English fills them in.
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
        catalog.creation_date = created  # a stable header: diffs show only the texts
        catalog.project, catalog.version = "Tideover", "1"
        catalog.copyright_holder = "Tideover contributors"
        catalog.msgid_bugs_address = ""
        catalog.last_translator = "Tideover contributors"
        catalog.language_team = f"{language} <tideover>"
        for message in catalog:
            if message.id and language == "en" and not message.string:
                message.string = message.id
            message.flags.discard("fuzzy")
        _write(domain, language, catalog)


def missing(domain: str | None = None) -> dict[str, list[str]]:
    """Texts of the code without a translation, by language (``domain/language`` for the
    command line's catalogue)."""
    found: dict[str, list[str]] = {}
    for name, chosen in DOMAINS.items():
        if domain is not None and name != domain:
            continue
        texts = {m.id for m in extract(chosen) if m.id}
        for language in LANGUAGES:
            done = {m.id for m in _read(chosen, language) if m.id and m.string}
            lacking = sorted(str(t) for t in texts - done)
            if lacking:
                found[language if name == "messages" else f"{name}/{language}"] = lacking
    return found


def translate(domain: Domain, table: dict[str, str]) -> int:
    """Writes Chinese translations into the zh_CN catalogue; returns how many were used."""
    catalog = _read(domain, "zh_CN")
    used = 0
    for message in catalog:
        if message.id and message.id in table:
            message.string = table[message.id]
            used += 1
    _write(domain, "zh_CN", catalog)
    return used


def main() -> int:
    args = sys.argv[1:]
    command = args[0] if args else "check"
    named = args[2] if command == "translate" and len(args) > 2 else None
    if command in ("update", "check") and len(args) > 1:
        named = args[1]
    chosen = [DOMAINS[named]] if named else list(DOMAINS.values())
    if command == "update":
        for domain in chosen:
            update(domain)
    if command == "translate":
        table = json.loads(Path(args[1]).read_text(encoding="utf-8"))
        for domain in chosen:
            update(domain)
            print(f"{domain.name}: {translate(domain, table)} translation(s) written")
    lacking = missing(named)
    for language, texts in lacking.items():
        print(f"{language}: {len(texts)} text(s) without a translation")
        for text in texts[:50]:
            print(f"  {text!r}")
    return 1 if lacking else 0


if __name__ == "__main__":
    sys.exit(main())
