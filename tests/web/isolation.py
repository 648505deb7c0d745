"""The tenant-isolation cases of every area, collected from ``tests/web/isolation_*.py``.

Each area's module defines ``CASES``: for every route of the area that takes an id,
how to make a record of platform ``acme`` to ask for (see :class:`Case`).
``test_isolation.py`` asks each as a user of ``beta`` holding every role (or, for
the borrower portal, as another borrower of ``acme``) and requires a 404 that
reveals nothing.  A route with a path parameter and no case fails the suite.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.web.conftest import Session
from tideover.bootstrap import App


@dataclass(frozen=True)
class Case:
    """Makes the record on ``acme``; returns the path parameters and a text only it shows.

    ``borrower``: a portal route, asked by another borrower of ``acme`` (signed in by
    this function) instead of by a user of ``beta``.  ``body``: a valid request body
    (JSON for the API, form fields for pages), so that the answer is about the id.
    """

    make: Callable[[App], tuple[dict[str, str], str]]
    borrower: Callable[[App], Session] | None = None
    body: dict[str, str] = field(default_factory=dict)


def all_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    folder = Path(__file__).parent
    for module in pkgutil.iter_modules([str(folder)]):
        if module.name.startswith("isolation_"):
            found = importlib.import_module(f"tests.web.{module.name}")
            for path, case in found.CASES.items():
                assert path not in cases, f"two isolation cases for {path}"
                cases[path] = case
    return cases
