"""Moves texts written in pairs — ``("English", "中文")`` — into the catalogue.

    python tools/pairs_to_catalogue.py [--tuples] [--write] [--table FILE.json] PATH...

For every call given an English and a Chinese text side by side (string or
f-string literals), the pair becomes one English msgid marked ``N_`` and the
values its f-strings name:

    ValidationError(f"hold {hold_id}: {why}", f"冻结事项 {hold_id}：{why}")
    → ValidationError(N_("hold %(hold_id)s: %(why)s"), hold_id=hold_id, why=why)

    Finding(rule, f"{n:,} calls to {', '.join(names)}", f"{n:,} 次呼叫：{'、'.join(names)}")
    → Finding(rule, Wording(N_("%(n)s calls to %(names)s"), n=format(n, ","), names=tuple(names)))

An error (a subclass of ``TideoverError``) takes the msgid and values itself when
the pair ends its positional arguments; any other call gets a ``Wording``, and so
does a bare 2-tuple ``(en, zh)`` with ``--tuples``.  A value is named for its
variable (``hold_id``), an attribute's last part (``rule.id`` → ``id``, or
``fee_currency`` when ``currency`` is taken), the argument of a conversion
(``sorted(x)`` → ``x``), the owner of a method (``day.isoformat()`` → ``day``),
``count`` for ``len(...)``, else ``value``; a format spec or ``!r`` is applied in
the value (``format(n, ",")``, ``repr(x)``); a list joined with a comma or "、"
becomes a tuple, shown in the reader's punctuation.  ``%`` becomes ``%%`` in a
msgid with values.  The Chinese f-string must name the same values, in any
order; it becomes the translation, written to ``--table`` for
``tools/messages.py translate``, which also names a msgid met with two
different translations.

What it leaves for a person, listed with file and line: a pair it cannot
convert (the Chinese names a value the English does not, a text built with
``+`` or a conditional), and any other Chinese literal.  What it cannot know:
whether the callee takes a ``Wording`` (a helper or a dataclass with ``en`` and
``zh`` fields must be changed to), and whether a pair is data rather than a
text of ours (a demo lender's two names, sample values): read the diff.
Without ``--write`` nothing is changed.
"""

from __future__ import annotations

import argparse
import ast
import json
import keyword
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "tideover"
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
BASE = "TideoverError"
CHUNK = 72  # characters of a literal per line; ruff format lays the pieces out


class Unconvertible(Exception):
    """A pair this tool leaves for a person, with the reason."""


@dataclass
class Site:
    start: int  # byte offsets in the file
    end: int
    text: str
    msgid: str
    msgstr: str
    line: int


@dataclass
class FileResult:
    path: Path
    sites: list[Site] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)


def error_classes(top: Path = SOURCE) -> set[str]:
    """Names of every class whose bases lead (by name) to ``TideoverError``."""
    bases: dict[str, set[str]] = {}
    for path in top.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases}
                bases.setdefault(node.name, set()).update(names)
    found = {BASE}
    changed = True
    while changed:
        changed = False
        for name, parents in bases.items():
            if name not in found and parents & found:
                found.add(name)
                changed = True
    return found


def _is_text(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(
        node, ast.JoinedStr
    )


def _has_cjk(node: ast.expr) -> bool:
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and CJK.search(n.value)
        for n in ast.walk(node)
    )


Key = tuple[str, int, str | None]  # an f-string value: its expression, conversion and spec


@dataclass(frozen=True)
class Shown:
    """One ``{expr}`` of an f-string; ``key`` matches the same value in the other language."""

    key: Key
    node: ast.FormattedValue


Part = str | Shown


def _parts(node: ast.expr) -> list[Part]:
    if isinstance(node, ast.Constant):
        return [str(node.value)]
    assert isinstance(node, ast.JoinedStr)
    parts: list[Part] = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
            continue
        assert isinstance(value, ast.FormattedValue)
        spec = _spec(value)
        listed = _listed(value.value)
        if listed is not None and value.conversion == -1 and spec is None:
            # a list of names: the same value whatever each language joins it with
            parts.append(Shown(("list:" + ast.unparse(listed), -1, None), value))
        else:
            parts.append(Shown((ast.unparse(value.value), value.conversion, spec), value))
    return parts


def _spec(value: ast.FormattedValue) -> str | None:
    if value.format_spec is None:
        return None
    spec = value.format_spec
    assert isinstance(spec, ast.JoinedStr)
    pieces = [v.value for v in spec.values if isinstance(v, ast.Constant)]
    if len(pieces) != len(spec.values):
        raise Unconvertible("a format spec with a value in it")
    return "".join(str(p) for p in pieces)


SEPARATORS = (", ", "、", "，", ",")  # of names listed in a sentence, in either language


def _listed(node: ast.expr) -> ast.expr | None:
    """``x`` of ``", ".join(x)`` (a list of names, shown in the reader's punctuation)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and isinstance(node.func.value, ast.Constant)
        and node.func.value.value in SEPARATORS
        and len(node.args) == 1
    ):
        return node.args[0]
    return None


def _base_name(node: ast.expr) -> str:
    """A value's name: the variable's, an attribute's last part, the argument of a
    conversion (``sorted(x)`` → ``x``), the owner of a method called without
    arguments (``born.isoformat()`` → ``born``); ``value`` when nothing fits."""
    if isinstance(node, ast.Name):
        name = node.id
    elif isinstance(node, ast.Attribute):
        if node.attr == "value" and not isinstance(node.value, ast.Name | ast.Call):
            return _base_name(node.value)  # an enum's value: named for the enum
        name = {"message": "detail"}.get(node.attr, node.attr)
        if node.attr == "value" and isinstance(node.value, ast.Name):
            name = node.value.id
    elif isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "len":
            return "count"
        if isinstance(func, ast.Name) and func.id in CONVERSIONS and len(node.args) == 1:
            return _base_name(node.args[0])
        if isinstance(func, ast.Attribute) and not node.args and not node.keywords:
            owner = _base_name(func.value)
            return owner if owner not in ("value", "self") else _base_name(func)
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "value")
    elif isinstance(node, ast.BinOp):
        return _base_name(node.left)
    elif isinstance(node, ast.BoolOp):
        return _base_name(node.values[0])
    elif isinstance(node, ast.GeneratorExp | ast.ListComp | ast.SetComp):
        return _base_name(node.generators[0].iter)
    elif isinstance(node, ast.Subscript):
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, str):
            name = index.value
        else:
            name = _base_name(node.value)
    else:
        return "value"
    name = name.strip("_").lower()
    if not name.isidentifier() or keyword.iskeyword(name) or name in ("message", "zh", "self"):
        return "value"
    return name


CONVERSIONS = {"sorted", "int", "str", "float", "list", "tuple", "set", "abs", "round", "repr"}
CONVERSIONS |= {"min", "max", "sum", "Decimal", "map"}


def _value_source(source: str, fv: ast.FormattedValue) -> str:
    listed = _listed(fv.value)
    if listed is not None and fv.conversion == -1 and fv.format_spec is None:
        if isinstance(listed, ast.GeneratorExp):
            return f"tuple({ast.unparse(listed)[1:-1]})"
        return f"tuple({ast.get_source_segment(source, listed) or ast.unparse(listed)})"
    expr = ast.get_source_segment(source, fv.value) or ast.unparse(fv.value)
    if "\n" in expr:
        expr = ast.unparse(fv.value)
    conversion = {ord("r"): "repr", ord("s"): "str", ord("a"): "ascii"}.get(fv.conversion)
    if conversion:
        expr = f"{conversion}({expr})"
    if fv.format_spec is not None:
        spec = "".join(str(v.value) for v in fv.format_spec.values)  # type: ignore[attr-defined]
        expr = f"format({expr}, {spec!r})"
    return expr


def _literal(text: str) -> str:
    """``text`` as a double-quoted literal, in pieces of about ``CHUNK`` characters."""
    pieces, current = [], ""
    for word in re.split(r"(?<= )", text):
        if current and len(current) + len(word) > CHUNK:
            pieces.append(current)
            current = ""
        current += word
    pieces.append(current)
    return " ".join(_quoted(piece) for piece in pieces)


def _quoted(text: str) -> str:
    body = repr(text)[1:-1] if "'" not in text else repr(text)[1:-1].replace("\\'", "'")
    return '"' + body.replace('"', '\\"') + '"'


def convert_pair(
    source: str, en: ast.expr, zh: ast.expr, reserved: set[str]
) -> tuple[str, str, list[tuple[str, str]]]:
    """The msgid, its translation and the ``(name, source)`` values of one pair."""
    if _has_cjk(en):
        raise Unconvertible("the English text has Chinese in it")
    en_parts, zh_parts = _parts(en), _parts(zh)
    names: dict[Key, str] = {}
    values: list[tuple[str, str]] = []
    taken = set(reserved)
    shown = [part for part in en_parts if isinstance(part, Shown)]
    # Bare variables keep their own names; an attribute that would clash is named with
    # its owner (fee.currency → fee_currency), anything else numbered (value2).
    for bare_first in (True, False):
        for part in shown:
            node = _listed(part.node.value) or part.node.value
            if part.key in names or isinstance(node, ast.Name) != bare_first:
                continue
            base = _base_name(node)
            if base in taken and isinstance(node, ast.Attribute):
                owner = _base_name(node.value)
                base = f"{owner}_{base}" if owner != "value" else base
            name, n = base, 2
            while name in taken:
                name, n = f"{base}{n}", n + 1
            taken.add(name)
            names[part.key] = name
    for part in shown:
        if names[part.key] not in dict(values):
            values.append((names[part.key], _value_source(source, part.node)))
    by_expression = {key[0]: name for key, name in names.items()}

    def text(parts: list[Part], chinese: bool) -> str:
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(part.replace("%", "%%") if values else part)
            elif part.key in names:
                out.append(f"%({names[part.key]})s")
            elif chinese and part.key[0] in by_expression:
                raise Unconvertible(f"{part.key[0]} is formatted differently in Chinese")
            else:
                raise Unconvertible(f"the Chinese names {part.key[0]}, the English does not")
        return "".join(out)

    msgid, msgstr = text(en_parts, False), text(zh_parts, True)
    used = set(re.findall(r"%\((\w+)\)s", msgstr))
    if used != set(names.values()):
        raise Unconvertible("the Chinese leaves out a value the English names")
    return msgid, msgstr, values


class _Offsets:
    """Byte offsets of AST positions (``col_offset`` counts UTF-8 bytes)."""

    def __init__(self, source: str) -> None:
        data = source.encode("utf-8")
        self.lines = [0] + [i + 1 for i, byte in enumerate(data) if byte == 10]

    def start(self, node: ast.expr) -> int:
        return self.lines[node.lineno - 1] + node.col_offset

    def end(self, node: ast.expr) -> int:
        assert node.end_lineno is not None
        assert node.end_col_offset is not None
        return self.lines[node.end_lineno - 1] + node.end_col_offset


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _pairs(tree: ast.Module, tuples: bool) -> Iterator[tuple[ast.expr, ast.expr, ast.AST]]:
    """``(en, zh, where)``: side-by-side texts in a call's arguments (``where`` the call),
    or a whole 2-tuple (``where`` the tuple)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for en, zh in zip(node.args, node.args[1:], strict=False):
                yield en, zh, node
        elif tuples and isinstance(node, ast.Tuple) and len(node.elts) == 2:
            yield node.elts[0], node.elts[1], node


def scan(path: Path, errors: set[str], tuples: bool) -> FileResult:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    offsets = _Offsets(source)
    result = FileResult(path)
    where = path.relative_to(ROOT)
    claimed: set[int] = set()  # ids of the nodes of every pair seen
    for en, zh, node in _pairs(tree, tuples):
        if not (_is_text(en) and _is_text(zh) and _has_cjk(zh)) or id(en) in claimed:
            continue
        claimed.update(id(n) for n in (*ast.walk(en), *ast.walk(zh)))
        own = {k.arg for k in node.keywords if k.arg} if isinstance(node, ast.Call) else set()
        try:
            msgid, msgstr, values = convert_pair(source, en, zh, own)
        except Unconvertible as why:
            result.manual.append(f"{where}:{en.lineno}: {why}")
            continue
        keywords = "".join(f", {name}={expr}" for name, expr in values)
        if isinstance(node, ast.Call):
            args = node.args
            last = args[-1] is zh and not any(isinstance(a, ast.Starred) for a in args)
            span = (offsets.start(en), offsets.end(zh))
        else:
            last, span = False, (offsets.start(node), offsets.end(node))  # type: ignore[arg-type]
        if isinstance(node, ast.Call) and _callee(node) in errors and last:
            text = f"N_({_literal(msgid)}){keywords}"
            result.imports.add("N_")
        else:
            text = f"Wording(N_({_literal(msgid)}){keywords})"
            result.imports.update({"N_", "Wording"})
        result.sites.append(Site(*span, text, msgid, msgstr, en.lineno))
    docstrings = {
        id(n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
    }
    for literal in ast.walk(tree):
        if not isinstance(literal, ast.Constant) or id(literal) in claimed | docstrings:
            continue
        if isinstance(literal.value, str) and CJK.search(literal.value):
            result.manual.append(f"{where}:{literal.lineno}: Chinese outside a pair")
    return result


def apply(result: FileResult) -> None:
    data = result.path.read_bytes()
    for site in sorted(result.sites, key=lambda s: s.start, reverse=True):
        data = data[: site.start] + site.text.encode("utf-8") + data[site.end :]
    text = data.decode("utf-8")
    wanted = sorted(result.imports)
    if wanted:
        text = _import(text, wanted)
    result.path.write_text(text, encoding="utf-8")


def _import(text: str, names: list[str]) -> str:
    tree = ast.parse(text)
    present: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "tideover.i18n":
            present.update(alias.asname or alias.name for alias in node.names)
    missing = [n for n in names if n not in present]
    if not missing:
        return text
    line = f"from tideover.i18n import {', '.join(missing)}\n"
    lines = text.splitlines(keepends=True)
    last = max(
        (n.end_lineno or n.lineno for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)),
        default=0,
    )
    lines.insert(last, line)
    return "".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Texts written in pairs into the catalogue.")
    parser.add_argument("paths", nargs="+", type=Path, help="files or folders")
    parser.add_argument("--write", action="store_true", help="change the files")
    parser.add_argument("--tuples", action="store_true", help="convert bare (en, zh) tuples")
    parser.add_argument("--table", type=Path, help="{msgid: Chinese} for messages.py translate")
    args = parser.parse_args(argv)
    files = [
        path
        for top in (p.resolve() for p in args.paths)
        for path in ([top] if top.is_file() else sorted(top.rglob("*.py")))
    ]
    errors = error_classes()
    table: dict[str, str] = {}
    if args.table is not None and args.table.exists():
        table = json.loads(args.table.read_text(encoding="utf-8"))
    converted = 0
    for path in files:
        result = scan(path, errors, args.tuples)
        for site in result.sites:
            known = table.setdefault(site.msgid, site.msgstr)
            if known != site.msgstr:  # one English text, two Chinese: pick one by hand
                print(f"two translations: {path.relative_to(ROOT)}:{site.line}: {site.msgid!r}")
        for line in dict.fromkeys(result.manual):
            print(f"by hand: {line}")
        converted += len(result.sites)
        if args.write and result.sites:
            apply(result)
    print(
        f"{converted} pair(s){' converted' if args.write else ' to convert'}, {len(table)} text(s)"
    )
    if args.table is not None:
        args.table.write_text(json.dumps(table, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
