"""The console's message catalogues: extract the texts, merge them into each language.

    python tools/messages.py update   # extract, merge into en and zh_CN (make messages)
    python tools/messages.py check    # exit 1 listing texts without a translation
    python tools/messages.py translate FILE.json   # Chinese texts {msgid: msgstr} into zh_CN

English is the source language: its catalogue repeats each text (so a text is
never shown empty); the Chinese one must translate every text, or ``check``
(and the test suite) fails.
"""

from __future__ import annotations

import json
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "src" / "tideover" / "web"
LOCALE = WEB / "locale"
LANGUAGES = ("en", "zh_CN")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def extract() -> Catalog:
    """Every text the console's code and templates show."""
    template = Catalog(project="Tideover", copyright_holder="Tideover contributors")
    for _file, _line, message, comments, context in extract_from_dir(
        WEB, METHODS, keywords=KEYWORDS, strip_comment_tags=True
    ):
        template.add(message, None, auto_comments=comments, context=context)
    return template


def _po(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "messages.po"


def _read(language: str) -> Catalog:
    path = _po(language)
    if not path.exists():
        return Catalog(locale=language, project="Tideover")
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def update() -> None:
    for language in LANGUAGES:
        catalog = _read(language)
        created = catalog.creation_date
        catalog.update(extract(), no_fuzzy_matching=True)  # a fresh template each: update shares
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
        _po(language).parent.mkdir(parents=True, exist_ok=True)
        _po(language).write_bytes(buffer.getvalue())


def missing() -> dict[str, list[str]]:
    """Texts of the code without a translation, by language."""
    texts = {m.id for m in extract() if m.id}
    found: dict[str, list[str]] = {}
    for language in LANGUAGES:
        catalog = _read(language)
        done = {m.id for m in catalog if m.id and m.string}
        lacking = sorted(str(t) for t in texts - done)
        if lacking:
            found[language] = lacking
    return found


def translate(table: dict[str, str]) -> int:
    """Writes Chinese translations into the zh_CN catalogue; returns how many were used."""
    catalog = _read("zh_CN")
    used = 0
    for message in catalog:
        if message.id and message.id in table:
            message.string = table[message.id]
            used += 1
    buffer = BytesIO()
    write_po(buffer, catalog, sort_output=True, width=100, no_location=True, ignore_obsolete=True)
    _po("zh_CN").write_bytes(buffer.getvalue())
    return used


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    if command == "translate":
        update()
        table = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
        print(f"{translate(table)} translation(s) written")
    lacking = missing()
    for language, texts in lacking.items():
        print(f"{language}: {len(texts)} text(s) without a translation")
        for text in texts[:50]:
            print(f"  {text!r}")
    return 1 if lacking else 0


if __name__ == "__main__":
    sys.exit(main())
