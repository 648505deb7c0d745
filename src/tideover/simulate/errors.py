"""Errors of the simulation and experiment engine; each says what is wrong in en and zh."""

from __future__ import annotations

from tideover.domain.errors import InputRejected, UsageError, ValidationError


class PriorRejected(ValidationError):
    """A prior file is malformed, or one of its priors has no source."""

    code = "prior_rejected"


class NotEnoughHistory(InputRejected):
    """The repayment history is too short or too thin to fit transitions from."""

    code = "not_enough_history"


class SimulationOutOfRange(UsageError):
    """A months, runs or size argument is outside what the engine accepts."""

    code = "simulation_out_of_range"


class BookRejected(InputRejected):
    """The portfolio handed to the simulator is inconsistent (lengths, negative amounts...)."""

    code = "book_rejected"


class ExperimentDataRejected(InputRejected):
    """Per-arm experiment data are inconsistent (lengths, negative counts, unknown arms)."""

    code = "experiment_data_rejected"
