"""What the demo's use cases return, and the story ``tideover demo`` prints.

Field names and order are the JSON ``tideover demo --json`` prints.
"""

from __future__ import annotations

from datetime import date

from tideover.services.cycle.results import CycleSummary, KpiReport
from tideover.services.portfolio.results import DelinquencyReport
from tideover.services.results import Result
from tideover.services.simulate.results import ComparisonReport


class DemoLoad(Result):
    """What loading one demo platform did (nothing when it already had its book)."""

    platform: str
    borrowers: int
    loans: int
    payments: int
    already_loaded: bool


class DemoPolicy(Result):
    """The platform's active policy version: activated now, or found active."""

    platform: str
    version: int
    already_active: bool


class DemoModel(Result):
    """A model trained for the demo, with its cross-validated AUC (4 places)."""

    version: str
    kind: str
    role: str
    features: list[str]
    auc: float
    auc_std: float
    seconds: float


class DemoModels(Result):
    """The platform's champion and challengers; when trained now, how and on what.

    The training fields are None when the platform already had a champion.
    """

    platform: str
    already_trained: bool
    champion: str
    challengers: list[str]
    observation_date: date | None = None
    outcome_date: date | None = None
    label: str | None = None
    rows: int | None = None
    bad: int | None = None
    bad_rate: float | None = None
    models: list[DemoModel] | None = None
    seconds: float | None = None


class SimulatedDay(Result):
    """The simulated borrowers' answers to one day's contacts, and what came of them."""

    platform: str
    as_of: date
    contacts: int = 0
    reached: int = 0
    payments: int = 0
    paid_minor: int = 0
    promises: int = 0
    promises_kept: int = 0
    complaints: int = 0
    already_done: bool = False


class DemoDay(Result):
    """One business day of the story; ``cycle`` and ``simulated`` are None when an earlier
    run had already completed the date."""

    platform: str
    as_of: date
    cycle: CycleSummary | None
    simulated: SimulatedDay | None


class StoryDay(Result):
    """A day of a platform's story as ``tideover demo`` prints it."""

    as_of: date
    cycle: CycleSummary | None
    simulated: SimulatedDay | None

    @classmethod
    def of(cls, day: DemoDay) -> StoryDay:
        return cls(as_of=day.as_of, cycle=day.cycle, simulated=day.simulated)


class StoryPolicy(DemoPolicy):
    """The active version and the example policy it was written from."""

    example: str


class DemoStory(Result):
    """One platform's story: its book, policy, models, days, delinquency and KPIs."""

    platform: str
    policy: StoryPolicy
    load: DemoLoad
    models: DemoModels
    days: list[StoryDay]
    delinquency: DelinquencyReport
    kpis: KpiReport


class DemoRun(Result):
    """Every platform's story, ending on ``as_of``, the model's comparison of the supportive
    and the aggressive policy on demo-cn's book (when demo-cn is run), and how long the
    whole run took."""

    as_of: date
    platforms: list[DemoStory]
    comparison: ComparisonReport | None = None
    seconds: float
