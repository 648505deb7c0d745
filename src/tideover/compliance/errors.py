"""Errors of the compliance engine: each names the pack file and rule at fault."""

from __future__ import annotations

from tideover.domain.errors import ValidationError


class RulePackError(ValidationError):
    """A rule pack (or a platform override of it) is malformed."""

    code = "rule_pack_error"


class LooserOverride(RulePackError):
    """An overlay or a platform override would make a rule less strict."""

    code = "looser_override"
