"""Rights and obligations statements per jurisdiction pack (``statements.yaml``).

What a borrower owes, how to dispute, how to complain (and to whom outside
the platform), how to ask for help in hardship, free debt advice where the law
expects it to be signposted (UK, EU), and data rights; each section cites its
legal sources with the rule packs' confidence marks.  The text is written as
the ``statement`` of the ``rights_statement`` templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from tideover.domain.errors import NotFound
from tideover.i18n import N_, Wording

STATEMENT_PACKS = ("CN", "US", "UK", "EU")
TOPICS_EXPECTED = ("owe", "dispute", "complain", "hardship", "data")


@dataclass(frozen=True, slots=True)
class Source:
    document: str
    article: str
    confidence: str


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: dict[str, str]
    text: dict[str, str]
    sources: tuple[Source, ...]


@lru_cache(maxsize=1)
def _load() -> dict[str, tuple[Section, ...]]:
    raw: dict[str, Any] = yaml.safe_load(
        files("tideover.comms").joinpath("statements.yaml").read_text(encoding="utf-8")
    )
    return {
        pack: tuple(
            Section(
                s["id"],
                dict(s["title"]),
                dict(s["text"]),
                tuple(
                    Source(str(x["document"]), str(x["article"]), x["confidence"])
                    for x in s["sources"]
                ),
            )
            for s in sections
        )
        for pack, sections in raw.items()
    }


def statement(pack: str) -> tuple[Section, ...]:
    """The sections of ``pack``'s statement; ``NotFound`` for a pack without one."""
    found = _load().get(pack.upper())
    if found is None:
        raise NotFound(
            N_(
                "no rights statement for rule pack %(pack)s; statements exist for "
                "%(statement_packs)s"
            ),
            pack=repr(pack),
            statement_packs=tuple(STATEMENT_PACKS),
        )
    return found


def statement_text(pack: str, language: str) -> str:
    """The statement as plain text in ``language``, each section with its sources."""
    lines: list[str] = []
    for section in statement(pack):
        lines.append(f"{section.title[language]}")
        lines.append(section.text[language])
        cited = "; ".join(f"{s.document} {s.article}" for s in section.sources)
        lines.append(Wording(N_("Source: %(cited)s"), cited=cited).in_language(language))
        lines.append("")
    return "\n".join(lines).strip()
