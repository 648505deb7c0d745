"""docs/compliance.md is generated from the packs and must match them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tideover.compliance.docs import render
from tideover.compliance.loader import PACK_CODES, load_pack

DOC = Path(__file__).resolve().parents[2] / "docs" / "compliance.md"


def test_the_doc_is_what_the_packs_render() -> None:
    assert DOC.read_text("utf-8") == render(), (
        "docs/compliance.md is stale: run "
        "`.venv/bin/python -m tideover.compliance.docs > docs/compliance.md`"
    )


@pytest.mark.parametrize("code", PACK_CODES)
def test_every_rule_is_listed_with_its_sources_and_confidence(code: str) -> None:
    text = DOC.read_text("utf-8")
    for rule in load_pack(code).rules:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{rule.id}` |"))
        assert row.rstrip().endswith(f"| {rule.confidence} |")
        for source in rule.sources:
            assert source.document in row
