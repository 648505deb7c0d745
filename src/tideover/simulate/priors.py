"""Priors of the treatment effects: distributions, each with its source, read from YAML.

A prior is a distribution, not a number: every Monte Carlo run draws one value
of each, so the simulation's intervals carry what the evidence does not settle.
Every prior names its sources (citation and finding); one without a source is
refused.  Where no published estimate exists the source says so
(``citation: assumption``), the evidence is ``none`` and the prior is wide.

The shipped priors are in ``priors/treatment.yaml``; ``docs/simulation.md``
lists them with their sources, and a test keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
import pydantic
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import stats

from tideover.domain.safe_yaml import YamlRejected, load_yaml
from tideover.i18n import N_, Wording
from tideover.simulate.errors import PriorRejected

ASSUMPTION = "assumption"
DEFAULT_FILE = "treatment.yaml"

FloatArray = npt.NDArray[np.float64]
Text = Annotated[str, Field(min_length=1)]


class Evidence(StrEnum):
    MEASURED = "measured"  # the source reports this effect on this outcome
    CONVERTED = "converted"  # the source reports it on another scale; the conversion is stated
    DIRECTION = "direction"  # the source gives the direction; the width is ours
    NONE = "none"  # no source: an assumption with a wide prior


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Frozen):
    citation: Text
    finding: Text


class Normal(_Frozen):
    kind: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)

    def frozen(self) -> Any:
        return stats.norm(self.mean, self.sd)


class LogNormal(_Frozen):
    kind: Literal["lognormal"]
    median: float = Field(gt=0)
    sd_log: float = Field(gt=0)

    def frozen(self) -> Any:
        return stats.lognorm(self.sd_log, scale=self.median)


class Beta(_Frozen):
    kind: Literal["beta"]
    mean: float = Field(gt=0, lt=1)
    concentration: float = Field(gt=0, description="a + b: larger is narrower")

    def frozen(self) -> Any:
        return stats.beta(self.mean * self.concentration, (1 - self.mean) * self.concentration)


Distribution = Annotated[Normal | LogNormal | Beta, Field(discriminator="kind")]


class Prior(_Frozen):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{0,63}$")]
    en: Text
    zh: Text
    distribution: Distribution
    evidence: Evidence
    sources: tuple[Source, ...]
    derivation: str = ""  # how the source's figure became this distribution

    @model_validator(mode="after")
    def _sourced(self) -> Prior:
        if not self.sources:
            raise ValueError("a prior needs at least one source")
        assumed = [s.citation.strip().lower() == ASSUMPTION for s in self.sources]
        if self.evidence is Evidence.NONE and not any(assumed):
            raise ValueError("evidence 'none' needs a source with citation 'assumption' saying why")
        if self.evidence is not Evidence.NONE and all(assumed):
            raise ValueError(f"evidence {self.evidence.value!r} needs a published source")
        return self

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        d = self.distribution
        if isinstance(d, Normal):
            result: FloatArray = rng.normal(d.mean, d.sd, size)
        elif isinstance(d, LogNormal):
            result = np.exp(rng.normal(np.log(d.median), d.sd_log, size))
        else:
            result = rng.beta(d.mean * d.concentration, (1 - d.mean) * d.concentration, size)
        return result

    def centre(self) -> float:
        """The median of the distribution."""
        return float(self.distribution.frozen().median())

    def interval(self, level: float = 0.9) -> tuple[float, float]:
        tail = (1 - level) / 2
        frozen = self.distribution.frozen()
        return float(frozen.ppf(tail)), float(frozen.ppf(1 - tail))


class PriorFile(_Frozen):
    version: Literal[1]
    priors: tuple[Prior, ...]


# The priors the engine reads; a file must give each of them, and no other.
REQUIRED: tuple[str, ...] = (
    "reach.written",
    "reach.call",
    "reach.visit",
    "cure.within_cycle",
    "effect.written",
    "effect.robot_call",
    "effect.human_over_robot",
    "effect.visit_over_human",
    "effect.legal_referral",
    "effect.supportive_tone",
    "effect.firm_tone",
    "effect.fatigue_per_contact",
    "effect.repeat_share",
    "effect.liquidity_relief.instalment",
    "effect.liquidity_relief.card",
    "effect.wealth_relief.instalment",
    "effect.wealth_relief.card",
    "plan.take_up",
    "promise.per_conversation",
    "complaint.base",
    "complaint.firm_tone",
    "complaint.supportive_tone",
    "complaint.visit",
    "complaint.per_extra_contact",
)


class PriorSet:
    """The priors by id, in a fixed order (the order of the draws, for common random numbers)."""

    def __init__(self, priors: tuple[Prior, ...], origin: str) -> None:
        self.origin = origin
        self.by_id = {p.id: p for p in priors}
        self.ids: tuple[str, ...] = tuple(sorted(self.by_id))

    def __getitem__(self, prior_id: str) -> Prior:
        return self.by_id[prior_id]

    def draw(self, rng: np.random.Generator, runs: int) -> FloatArray:
        """``runs`` draws of every prior: shape (runs, priors), columns in ``ids`` order."""
        result: FloatArray = np.column_stack([self.by_id[i].sample(rng, runs) for i in self.ids])
        return result

    def centres(self) -> FloatArray:
        """Every prior at its median: one row, the simulation without prior uncertainty."""
        result: FloatArray = np.array([[self.by_id[i].centre() for i in self.ids]])
        return result


def _rejected(origin: str, why: Wording) -> PriorRejected:
    return PriorRejected(N_("prior file %(origin)s: %(why)s"), origin=origin, why=why)


def parse_priors(text: str, *, origin: str = "<priors>") -> PriorSet:
    """Validate a prior file's text; refuse a prior without a source, or a missing prior."""
    try:
        data = load_yaml(text)  # a prior file may come from a user: bounded
    except YamlRejected as exc:
        raise _rejected(origin, exc.wording) from None
    try:
        parsed = PriorFile.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            where = ".".join(str(part) for part in error["loc"])
            problems.append(f"{where}: {error['msg']}")
        shown = "; ".join(problems[:5])
        raise _rejected(
            origin, Wording(N_("invalid content (a missing source?): %(shown)s"), shown=shown)
        ) from None
    ids = [p.id for p in parsed.priors]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    missing = sorted(set(REQUIRED) - set(ids))
    unknown = sorted(set(ids) - set(REQUIRED))
    for names, problem in (
        (repeated, N_("priors given twice: %(names)s")),
        (missing, N_("priors missing: %(names)s")),
        (unknown, N_("unknown priors: %(names)s")),
    ):
        if names:
            raise _rejected(origin, Wording(problem, names=tuple(names)))
    return PriorSet(parsed.priors, origin)


def load_priors(path: Path | None = None) -> PriorSet:
    """The priors in ``path``, or the shipped ones."""
    if path is None:
        shipped = resources.files("tideover.simulate").joinpath("priors").joinpath(DEFAULT_FILE)
        text = shipped.read_text(encoding="utf-8")
        return parse_priors(text, origin=f"priors/{DEFAULT_FILE}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _rejected(str(path), Wording(N_("cannot read it: %(exc)s"), exc=exc)) from None
    return parse_priors(text, origin=str(path))
