"""Portfolio behaviour model, policy impact simulation and experiment analysis.

Pure NumPy/SciPy engines (no database, web or console framework):

- :mod:`.behaviour`, :mod:`.calibrate`, :mod:`.backtest` — monthly transitions
  between delinquency states by product and score band, fitted on the Taiwan
  card data (the stress scenario) and calibrated to Lending Club (the normal one);
- :mod:`.priors` — treatment effects as distributions, each with its source;
- :mod:`.program`, :mod:`.gate`, :mod:`.exposure`, :mod:`.cells` — a policy and
  a rule pack evaluated over the whole book month by month;
- :mod:`.engine`, :mod:`.results` — the Monte Carlo with common random numbers,
  intervals, comparisons and the sensitivity table;
- :mod:`.experiment` — champion/challenger analysis with always-valid inference.

``docs/simulation.md`` describes the model, its evidence and its limits.
"""

from tideover.simulate.behaviour import BehaviourModel, daily, fit_transitions
from tideover.simulate.book import Book
from tideover.simulate.calibrate import calibrate_entry, lending_club_behind
from tideover.simulate.engine import DEFAULT_COSTS, Settings, check_range, simulate
from tideover.simulate.gate import MonthGate, month_gate
from tideover.simulate.priors import PriorSet, load_priors, parse_priors
from tideover.simulate.program import Program
from tideover.simulate.results import Comparison, Driver, Interval, SimulationResult, compare

__all__ = [
    "DEFAULT_COSTS",
    "BehaviourModel",
    "Book",
    "Comparison",
    "Driver",
    "Interval",
    "MonthGate",
    "PriorSet",
    "Program",
    "Settings",
    "SimulationResult",
    "calibrate_entry",
    "check_range",
    "compare",
    "daily",
    "fit_transitions",
    "lending_club_behind",
    "load_priors",
    "month_gate",
    "parse_priors",
    "simulate",
]
