"""The command line end to end: every platform these tests create gets the test cast."""

from __future__ import annotations

import pytest
from tests.support import install_cast


@pytest.fixture(autouse=True)
def cast(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """See ``tests/integration/conftest.py``: ``@pytest.mark.own_users`` opts out."""
    if request.node.get_closest_marker("own_users") is None:
        install_cast(monkeypatch)
