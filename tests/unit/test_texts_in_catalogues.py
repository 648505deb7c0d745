"""Every text a person reads comes from the catalogues: no Chinese written in the code (outside
the modules whose Chinese is data), no error raised with a text the catalogue cannot have, and
a message made in the code reads the same after a trip through pickle."""

from __future__ import annotations

import ast
import pickle
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tideover.domain.errors import NotFound, TideoverError, ValidationError
from tideover.domain.safe_yaml import YamlRejected
from tideover.i18n import N_, Bilingual, Clauses, Wording

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "tideover"
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")

# Modules whose Chinese is data, not a text of ours to translate.
DATA = {
    # sample values a template is measured with, and how a value shows in a message's shape
    "comms/catalogue.py",
    # the prose of docs/compliance.md around its generated tables
    "compliance/docs_text.py",
    # the message checker's detectors: Chinese terms, quotation and sentence marks, scripts
    "compliance/textcheck/lexicon.py",
    "compliance/textcheck/model.py",
    "compliance/textcheck/quotes.py",
    "compliance/textcheck/variants.py",
    "compliance/voicemail.py",  # amounts in yuan, as a voicemail may state them
    # made-up borrowers (names, streets) and the demo lenders' names
    "demo/people.py",
    "demo/portfolio.py",
    # each language's own list punctuation ("、", "；")
    "i18n/__init__.py",
    # the column names of Chinese lenders' own exports, and examples of values
    "ingest/contract.py",
    # how Chinese files write numbers and dates (元, 年月日)
    "ingest/spellings.py",
    # the 【sender】 brackets a Chinese text message is signed with
    "adapters/channels/outbound.py",
    # the full-width comma and semicolon a person may type between the words of a list
    "web/ui/team.py",
}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        yield path.relative_to(SOURCE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _docstrings(tree: ast.Module) -> set[int]:
    """Ids of the docstrings of a module, its classes and functions (read by programmers;
    a command's docstring is its --help, which the catalogue holds)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def chinese_literals(tree: ast.Module) -> list[int]:
    """Lines of the string literals holding Chinese, docstrings aside."""
    skip = _docstrings(tree)
    return sorted(
        {
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and CJK.search(node.value)
            and id(node) not in skip
        }
    )


def test_the_scan_finds_chinese_in_code_and_not_in_docstrings() -> None:
    source = '"""模块说明"""\ndef f():\n    """函数说明"""\n    return ("sent", "已发送")\n'
    assert chinese_literals(ast.parse(source)) == [4]
    assert chinese_literals(ast.parse('x = f"共 {n} 条"\n')) == [1]
    assert chinese_literals(ast.parse('raise ValidationError(N_("%(n)s sent"), n=n)\n')) == []


def test_no_chinese_is_written_in_the_code() -> None:
    found = [
        f"src/tideover/{name}:{line}"
        for name, tree in _modules()
        if name not in DATA
        for line in chinese_literals(tree)
    ]
    assert found == [], "write the English msgid with N_() and translate it in the catalogue"


def test_every_data_module_still_holds_chinese() -> None:
    held = {name for name, tree in _modules() if chinese_literals(tree)}
    assert held >= DATA, f"no longer data, drop from DATA: {sorted(DATA - held)}"


def _error_classes(trees: list[ast.Module]) -> set[str]:
    bases: dict[str, set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {b.id for b in node.bases if isinstance(b, ast.Name)}
                bases.setdefault(node.name, set()).update(names)
    found = {"TideoverError"}
    while grown := {n for n, parents in bases.items() if parents & found} - found:
        found |= grown
    return found


def unmarked_errors(tree: ast.Module, errors: set[str]) -> list[int]:
    """Lines where an error of ours is given a text literal instead of an ``N_`` msgid (a
    literal that is one word, like ``NotSendable``'s reason code, is a code, not a text)."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in errors
        and any(
            isinstance(a, ast.JoinedStr)
            or (
                isinstance(a, ast.Constant)
                and isinstance(a.value, str)
                and not a.value.isidentifier()
            )
            for a in node.args
        )
    ]


def test_the_check_finds_errors_raised_with_plain_text() -> None:
    errors = {"TideoverError", "NotFound"}
    assert unmarked_errors(ast.parse('raise NotFound(f"no loan {x}")'), errors) == [1]
    assert unmarked_errors(ast.parse('raise NotFound("no loan")'), errors) == [1]
    marked = 'raise NotFound(N_("no loan %(x)s"), x=x)\nraise NotFound(reason)'
    assert unmarked_errors(ast.parse(marked), errors) == []
    assert unmarked_errors(ast.parse('raise NotFound("gone", N_("no loan"))'), errors) == []


def test_every_error_is_raised_with_a_msgid() -> None:
    modules = list(_modules())
    errors = _error_classes([tree for _, tree in modules])
    found = [
        f"src/tideover/{name}:{line}"
        for name, tree in modules
        for line in unmarked_errors(tree, errors)
    ]
    assert found == [], "raise errors with N_('English %(value)s'), value=..."


def _msgids(node: ast.expr) -> Iterator[str]:
    """The msgids ``node`` gives: ``N_("...")``, or either of a conditional's."""
    if isinstance(node, ast.IfExp):
        yield from _msgids(node.body)
        yield from _msgids(node.orelse)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and isinstance(node.args[0], ast.Constant)
    ):
        yield str(node.args[0].value)


def unnamed_values(tree: ast.Module) -> list[int]:
    """Lines where a message is given without a value it names (it would fail when read)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or any(k.arg is None for k in node.keywords):
            continue  # values passed on as **values are checked where they are made
        given = {k.arg for k in node.keywords}
        for argument in node.args:
            for msgid in _msgids(argument):
                if set(re.findall(r"%\((\w+)\)s", msgid)) - given:
                    found.append(node.lineno)
    return found


def test_the_check_finds_a_value_left_out() -> None:
    assert unnamed_values(ast.parse('NotFound(N_("no loan %(loan_id)s"))')) == [1]
    given = 'Wording(N_("a %(x)s") if y else N_("b %(x)s"), x=1)\nf(N_("%(a)s"), **values)'
    assert unnamed_values(ast.parse(given)) == []


def test_every_value_a_message_names_is_given() -> None:
    found = [
        f"src/tideover/{name}:{line}" for name, tree in _modules() for line in unnamed_values(tree)
    ]
    assert found == []


def test_a_wording_is_translated_when_read() -> None:
    said = Wording(N_("hold %(hold_id)s: %(why)s"), hold_id="H1", why=Wording(N_("reason")))
    assert said.en == "hold H1: reason"
    assert said.zh == "冻结事项 H1：原因"
    assert said.in_language("zh-CN") == said.zh
    assert said.in_language("fr") == said.en
    assert str(said) == said.en


def test_lists_read_in_the_readers_punctuation() -> None:
    names = Wording(N_("%(rules)s: %(finding)s"), rules=("A", "B"), finding=Bilingual("x", "叉"))
    assert (names.en, names.zh) == ("A, B: x", "A、B：叉")
    clauses = Wording(
        N_("invalid loan terms: %(problems)s"),
        problems=Clauses([Wording(N_("reason")), Bilingual("two", "二")]),
    )
    assert clauses.en == "invalid loan terms: reason; two"
    assert clauses.zh == "贷款条件无效：原因；二"


def test_an_error_is_raised_one_way_with_one_text() -> None:
    with pytest.raises(TypeError):
        NotFound(N_("no loan %(loan_id)s"), "no loan either", loan_id="L1")  # type: ignore[misc]


def test_an_error_reads_in_both_languages() -> None:
    error = NotFound(N_("no loan %(loan_id)s"), loan_id="L1")
    assert str(error) == error.en == error.message("en") == "no loan L1"
    assert error.zh == error.message("zh") == "没有借据 L1"
    assert error.values == {"loan_id": "L1"}


@pytest.mark.parametrize(
    "error",
    [
        ValidationError(N_("hold %(hold_id)s: %(why)s"), hold_id="H1", why=Wording(N_("reason"))),
        ValidationError(
            N_("invalid loan terms: %(problems)s"), problems=Clauses([Bilingual("a", "甲")])
        ),
        YamlRejected(N_("invalid YAML: %(why)s"), why="tab", reason="invalid", line=3, column=1),
        NotFound(Wording(N_("no loan %(loan_id)s"), loan_id="L2")),
    ],
)
def test_an_error_crosses_a_process_boundary_whole(error: TideoverError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert (again.en, again.zh, again.args) == (error.en, error.zh, error.args)
    assert again.__dict__.keys() == error.__dict__.keys()
