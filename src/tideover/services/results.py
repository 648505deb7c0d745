"""The base of every use case's result: typed, frozen, JSON-ready.

Handlers return these; the CLI prints them as tables or as JSON
(``model_dump(mode="json")``) and the web layer uses them as response models,
so the shape a user sees is declared once.  Timestamps serialise as
``datetime.isoformat()`` gives them (``+00:00``), dates as ISO dates, exact
decimals as strings.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer

Instant = Annotated[
    datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json")
]
"""An aware timestamp, written the way ``isoformat`` writes it (``2026-03-02T15:30:00+00:00``)."""

Exact = Annotated[
    Decimal, PlainSerializer(lambda value: str(value), return_type=str, when_used="json")
]
"""An exact decimal (a rate, an amount in major units), written as a string, never a float."""


class Result(BaseModel):
    """A use case's result: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready form the CLI prints with ``--json``."""
        return self.model_dump(mode="json")
