"""Problems found in a policy document, each with its place, in en and zh."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tideover.domain.errors import InputRejected


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document.  ``line``/``column`` are 1-based, in the file."""

    code: str
    where: str  # a path into the document: ``segments[2].condition``
    en: str
    zh: str
    line: int | None = None
    column: int | None = None
    severity: str = "error"  # "error" rejects the document, "warning" does not

    def located(self, line: int | None, column: int | None) -> Problem:
        return Problem(self.code, self.where, self.en, self.zh, line, column, self.severity)

    def position(self) -> str:
        if self.line is None:
            return self.where
        return f"{self.where} (line {self.line}, column {self.column})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "where": self.where,
            "line": self.line,
            "column": self.column,
            "en": self.en,
            "zh": self.zh,
        }


class PolicyRejected(InputRejected):
    """The document is invalid; ``problems`` lists every error and warning found."""

    code = "policy_rejected"

    def __init__(self, source: str, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        first = errors[0] if errors else problems[0]
        super().__init__(
            f"{source}: policy rejected, {len(errors)} error(s); first: "
            f"{first.position()}: {first.en}",
            f"{source}：策略被拒绝，共 {len(errors)} 个错误；"
            f"第一个：{first.position()}：{first.zh}",
        )
        self.source = source
        self.problems = tuple(problems)


def path_text(loc: tuple[str | int, ...]) -> str:
    """``("segments", 2, "condition")`` → ``segments[2].condition``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(document)"
