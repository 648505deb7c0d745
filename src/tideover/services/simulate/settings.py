"""The simulation's defaults, and the review's settings (one place for both)."""

from __future__ import annotations

from typing import Any

DEFAULT_MONTHS = 6
DEFAULT_RUNS = 200
DEFAULT_SEED = 20261207
JOB_KIND = "simulate"  # the background job that runs a review's simulation
# What the review's simulation of a submitted version runs with.
REVIEW_SETTINGS: dict[str, Any] = {
    "months": DEFAULT_MONTHS,
    "runs": DEFAULT_RUNS,
    "seed": DEFAULT_SEED,
    "behaviour": "auto",
}
