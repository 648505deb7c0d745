"""The literal strings a regular expression cannot match without.

For ``(告诉|通知)你?的?客户`` every match contains 客户, and one of 告诉客户, 告诉你客户 …
通知你的客户.  A text that contains none of a pattern's ``required`` strings cannot match
it, so the lexicon runs only the patterns one automaton pass says may match (most
messages match none).  The strings are read from the pattern's parsed form: plain
characters, character sets of plain characters, alternations, groups and ``?``; any
other construction ends a run of required characters.  A pattern nothing can be learnt
from (a flag, a class such as ``\\w``, an unparsable form) is simply always run.
"""

from __future__ import annotations

import importlib
import itertools
import re
from collections.abc import Iterable
from typing import Any

_MOST = 512  # strings kept for one run of a pattern; beyond that the run is not used


def required(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` contains, or None when unknown."""
    if pattern.flags & ~re.UNICODE:
        return None
    try:
        parser: Any = importlib.import_module("re._parser")
        parsed = list(parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # any failure only means the pattern is always run
        return None
    runs: list[set[str]] = []  # runs of consecutive items that match known strings
    run: set[str] = {""}
    for item in parsed:
        strings = _strings([item])
        if strings is None:
            runs.append(run)
            run = {""}
            continue
        longer = _product(run, strings)
        if longer is None:  # too many: the item starts a run of its own
            runs.append(run)
            run = strings
        else:
            run = longer
    runs.append(run)
    useful = [_shortest(r) for r in runs if "" not in r]
    if not useful:
        return None
    return max(useful, key=lambda r: (min(map(len, r)), -len(r)))


def _shortest(strings: set[str]) -> frozenset[str]:
    """``strings`` without those that contain another: a text containing one of them
    contains one of the rest."""
    return frozenset(s for s in strings if not any(t != s and t in s for t in strings))


def _product(left: set[str], right: set[str]) -> set[str] | None:
    if len(left) * len(right) > _MOST:
        return None
    return {a + b for a, b in itertools.product(left, right)}


def _strings(items: Iterable[Any]) -> set[str] | None:
    """Every string a sequence of parsed items matches, when that is a short list."""
    out: set[str] | None = {""}
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            choices: set[str] | None = {chr(value)}
        elif name == "IN":
            if not all(str(o) == "LITERAL" for o, _ in value):
                return None
            choices = {chr(v) for _, v in value}
        elif name == "SUBPATTERN":
            _, add_flags, del_flags, inner = value
            choices = None if add_flags or del_flags else _strings(inner)
        elif name == "BRANCH":
            choices = set()
            for branch in value[1]:
                strings = _strings(branch)
                if strings is None:
                    return None
                choices |= strings
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, inner = value
            strings = _strings(inner)
            if strings is None or high > 1:
                return None
            choices = strings | ({""} if low == 0 else set())
        else:
            return None
        if choices is None or out is None:
            return None
        out = _product(out, choices)
    return out
