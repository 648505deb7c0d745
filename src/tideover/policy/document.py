"""Validate a policy file end to end; an invalid document is never returned."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from tideover.i18n import N_, Wording
from tideover.policy.conditions import Condition
from tideover.policy.lint import lint
from tideover.policy.loading import Locator, read_document
from tideover.policy.model import Policy
from tideover.policy.problems import PolicyRejected, Problem, path_text
from tideover.policy.raw_checks import raw_findings, schema_message


@dataclass(frozen=True)
class CompiledPolicy:
    """A valid policy with its conditions parsed once, ready to evaluate or compile to SQL."""

    policy: Policy
    segment_conditions: dict[str, Condition]
    stop_conditions: dict[str, Condition]
    warnings: tuple[Problem, ...] = ()

    @property
    def features(self) -> frozenset[str]:
        """Every feature the policy reads: its conditions' and its treatments' clocks."""
        used = {t.clock.value for t in self.policy.treatments.values()}
        for condition in (*self.segment_conditions.values(), *self.stop_conditions.values()):
            used |= condition.features
        return frozenset(used)


def load_policy(path: Path) -> CompiledPolicy:
    """Read and validate the file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyRejected(
            str(path),
            [
                Problem(
                    "unreadable", "(file)", Wording(N_("cannot read the file: %(exc)s"), exc=exc)
                )
            ],
        ) from exc
    return parse_policy(text, source=str(path))


def parse_policy(text: str, *, source: str = "<policy>") -> CompiledPolicy:
    """Validate ``text`` (YAML or JSON); raise :class:`PolicyRejected` listing every problem."""
    data, locator = read_document(text, source)
    try:
        policy = Policy.model_validate(data)
    except pydantic.ValidationError as exc:
        # Every problem in one run: the shape's, and what can be checked without a valid
        # shape (conditions and references), each at its place in the file.
        problems = _shape_problems(exc, locator)
        for f in raw_findings(data):
            problems.append(
                Problem(f.code, path_text(f.loc), f.wording, severity=f.severity).located(
                    *locator.locate(f.loc, f.offset)
                )
            )
        raise PolicyRejected(source, sorted(problems, key=_in_file_order)) from None
    checked = lint(policy)
    problems = [
        Problem(f.code, path_text(f.loc), f.wording, severity=f.severity).located(
            *locator.locate(f.loc, f.offset)
        )
        for f in checked.findings
    ]
    if any(p.severity == "error" for p in problems):
        raise PolicyRejected(source, problems)
    return CompiledPolicy(
        policy, checked.segment_conditions, checked.stop_conditions, tuple(problems)
    )


def _in_file_order(problem: Problem) -> tuple[int, int]:
    return (problem.line or 0, problem.column or 0)


def _shape_problems(exc: pydantic.ValidationError, locator: Locator) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if part != "[key]")
        message = schema_message(error, loc)
        problems.append(Problem("schema", path_text(loc), message).located(*locator.locate(loc)))
    return problems


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the policy document."""
    schema = Policy.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


SCHEMA_FILE = Path(__file__).with_name("policy.schema.json")
