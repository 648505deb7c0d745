"""Problems found in a policy document, each with its place and its wording (catalogue)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tideover.domain.errors import InputRejected
from tideover.i18n import N_, Worded, Wording


@dataclass(frozen=True)
class Problem(Worded):
    """One thing wrong with a document.  ``line``/``column`` are 1-based, in the file."""

    code: str
    where: str  # a path into the document: ``segments[2].condition``
    wording: Wording
    line: int | None = None
    column: int | None = None
    severity: str = "error"  # "error" rejects the document, "warning" does not

    def located(self, line: int | None, column: int | None) -> Problem:
        return Problem(self.code, self.where, self.wording, line, column, self.severity)

    def position(self) -> Wording | str:
        """Where: the path into the document, and the line and column when known."""
        if self.line is None:
            return self.where
        return Wording(
            N_("%(where)s (line %(line)s, column %(column)s)"),
            where=self.where,
            line=self.line,
            column=self.column,
        )

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
            N_("%(source)s: policy rejected, %(count)s error(s); first: %(position)s: %(first)s"),
            source=source,
            count=len(errors),
            position=first.position(),
            first=first.wording,
        )
        self.source = source
        self.problems = tuple(problems)


def path_text(loc: tuple[str | int, ...]) -> str:
    """``("segments", 2, "condition")`` → ``segments[2].condition``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(document)"
