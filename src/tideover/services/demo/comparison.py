"""The demo's comparison: the supportive and the aggressive policy on one book, by the model.

The ten business days of cycles show the daily job; whether a policy is better
is a question over months, with uncertainty, so the demo asks the simulation
(``services.simulate``): demo-cn's book as its last cycle left it, its active
(supportive) version against the aggressive example, six months, common random
numbers.  The behaviour is the calibrated normal reference scenario: the demo
book's own history is a few days long (and its payments come from the demo's
hand-set response rules, which must not be taken for borrowers' behaviour).
Whatever the model yields is printed; no prior is tuned for the demo.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from tideover.services.common import ProgressFn, no_progress
from tideover.services.simulate.results import ComparisonReport
from tideover.services.simulate.run import Asked, compare_policies
from tideover.services.unit_of_work import UnitOfWork

DEMO_COMPARISON_PLATFORM = "demo-cn"
DEMO_MONTHS = 6
DEMO_RUNS = 200


def model_comparison(
    *,
    uow: UnitOfWork,
    data_dir: Path,
    cache_dir: Path,
    platform: str = DEMO_COMPARISON_PLATFORM,
    months: int = DEMO_MONTHS,
    runs: int = DEMO_RUNS,
    progress: ProgressFn = no_progress,
) -> ComparisonReport:
    """The platform's active version against the aggressive example on its stored book."""
    example = files("tideover.policy") / "examples" / "aggressive.yaml"
    with as_file(example) as aggressive:
        return compare_policies(
            uow=uow,
            platform=platform,
            policies=["active", str(aggressive)],
            asked=Asked(months=months, runs=runs, behaviour="normal"),
            data_dir=data_dir,
            cache_dir=cache_dir,
            progress=progress,
        )
