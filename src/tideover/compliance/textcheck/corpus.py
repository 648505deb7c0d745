"""The labelled corpus the project writes (``corpus/<lang>-<split>.jsonl``).

Each row: ``id, lang, split, channel, stage, target, category, variant, source, text``.
``category`` is ``lawful`` or one or more categories joined by ``|``; ``target`` is who
receives the message (``debtor``, ``guarantor`` or ``third_party``); ``variant`` is
empty for a message as written, ``hand`` for an evasion written by hand, or the name
of the transformation (``trad``, ``pinyin``, ``leet`` …) that made it from row
``source`` of the same split.  Held-out rows were written separately from training
rows: their phrasings are in neither the training split nor the lexicon.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

from tideover.domain.errors import ValidationError
from tideover.i18n import N_

LANGS = ("zh", "en")
SPLITS = ("train", "heldout")
LAWFUL = "lawful"
# The categories the classifier learns; each is also a lexicon category.
LEARNED = (
    "threat",
    "notify_contacts",
    "impersonation",
    "false_legal",
    "personal_account",
    "pressure_borrow_sell",
    "insult",
    "disclosure",
)
# What blocks a message to each kind of recipient (the rule packs' message rules
# forbid these; disclosure and payment demands only towards third parties).
BLOCKING = {
    "debtor": frozenset(LEARNED) - {"disclosure"},
    "guarantor": frozenset(LEARNED) - {"disclosure"},
    "third_party": frozenset(LEARNED) | {"payment_demand"},
}
_FIELDS = ("id", "lang", "split", "channel", "stage", "target", "category", "variant", "text")


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    lang: str
    split: str
    channel: str
    stage: str
    target: str
    categories: tuple[str, ...]  # empty for a lawful message
    variant: str
    source: str
    text: str

    @property
    def lawful(self) -> bool:
        return not self.categories

    @property
    def blocking(self) -> frozenset[str]:
        return BLOCKING[self.target]

    def as_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "lang": self.lang,
            "split": self.split,
            "channel": self.channel,
            "stage": self.stage,
            "target": self.target,
            "category": "|".join(self.categories) or LAWFUL,
            "variant": self.variant,
            "source": self.source,
            "text": self.text,
        }


def parse_row(line: str, where: str) -> Row:
    """One JSON line of a corpus file; a malformed one is a ValidationError naming it."""
    try:
        data = json.loads(line)
        values = {name: str(data[name]) for name in _FIELDS}
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationError(
            N_("%(where)s: not a corpus row (%(name)s: %(exc)s)"),
            where=where,
            name=type(exc).__name__,
            exc=exc,
        ) from None
    category = values["category"]
    labels = () if category == LAWFUL else tuple(category.split("|"))
    if values["target"] not in BLOCKING or values["lang"] not in LANGS:
        raise ValidationError(
            N_("%(where)s: unknown target %(target)s or language %(lang)s"),
            where=where,
            target=repr(values["target"]),
            lang=repr(values["lang"]),
        )
    return Row(
        values["id"],
        values["lang"],
        values["split"],
        values["channel"],
        values["stage"],
        values["target"],
        labels,
        values["variant"],
        str(data.get("source", "")),
        values["text"],
    )


def read_rows(lines: Iterator[str], where: str) -> list[Row]:
    return [parse_row(line, f"{where} line {n}") for n, line in enumerate(lines, 1) if line.strip()]


def batch_of(row: Row, block: int) -> str:
    """The writing batch of a row: ``block`` consecutive base ids (``en-tr-0001`` …), a
    variant with the row it was made from."""
    base = row.source or row.id
    number = int(base.rsplit("-", 1)[1])
    return f"{row.lang}:{(number - 1) // block}"


def load_corpus(split: str | None = None, lang: str | None = None) -> list[Row]:
    """The shipped corpus rows, by file order, optionally of one split and language."""
    rows: list[Row] = []
    folder = resources.files("tideover.compliance.textcheck").joinpath("corpus")
    for code in LANGS:
        for name in SPLITS:
            if (split and name != split) or (lang and code != lang):
                continue
            text = folder.joinpath(f"{code}-{name}.jsonl").read_text("utf-8")
            rows.extend(read_rows(iter(text.splitlines()), f"corpus/{code}-{name}.jsonl"))
    return rows
