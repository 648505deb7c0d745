"""The error tree: one base class, a stable code and a message from the catalogue.

An error is raised with its English text, marked ``N_`` for the catalogue, and
the values it names: ``ValidationError(N_("hold %(hold)s has ended"),
hold=hold_id)`` (or with a :class:`~tideover.i18n.Wording` made earlier).  It is
translated when read — ``error.message("zh")`` — so the CLI shows the reader's
language and the web layer maps ``exit_code`` and ``http_status`` in one place.
Services raise these, never HTTP errors.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tideover.i18n import Wording


class TideoverError(Exception):
    """Base of every error Tideover raises on purpose.

    ``code`` is stable (documented, safe to match on); ``message(locale)`` is
    the human message, ``en`` and ``zh`` its two languages and ``str()`` the
    English.  ``exit_code`` follows the CLI contract: 1 means the input was
    rejected or a check failed, 2 a usage error.
    """

    code: ClassVar[str] = "tideover_error"
    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 400

    wording: Wording

    def __init__(self, message: str | Wording, /, **values: object) -> None:
        wording = message if isinstance(message, Wording) else Wording(message, **values)
        super().__init__(wording.message)
        self.wording = wording

    def message(self, locale: str = "en") -> str:
        """The message in ``locale`` (``zh*`` gives Chinese, anything else English)."""
        return self.wording.in_language(locale)

    @property
    def en(self) -> str:
        return self.message("en")

    @property
    def zh(self) -> str:
        return self.message("zh_CN")

    @property
    def values(self) -> dict[str, object]:
        return dict(self.wording.values)

    def __str__(self) -> str:
        return self.en

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt without calling ``__init__`` (subclasses take other arguments), so an
        # error crosses a process boundary (a worker's result) whole.
        return (_rebuilt, (type(self), self.args, self.__dict__))


def _rebuilt(
    kind: type[TideoverError], args: tuple[object, ...], state: dict[str, object]
) -> TideoverError:
    error = kind.__new__(kind)
    error.args = args
    error.__dict__.update(state)
    return error


class UsageError(TideoverError):
    """The command or call was malformed (unknown option value, missing argument)."""

    code = "usage_error"
    exit_code = 2


class ValidationError(TideoverError):
    """A value broke a domain rule (negative principal, unknown currency...)."""

    code = "validation_error"


class CurrencyMismatch(ValidationError):
    """Two amounts in different currencies were combined."""

    code = "currency_mismatch"


class NotFound(TideoverError):
    """A platform-scoped look-up found nothing."""

    code = "not_found"
    http_status = 404


class Conflict(TideoverError):
    """The request contradicts stored state (duplicate id with other content...)."""

    code = "conflict"
    http_status = 409


class InputRejected(TideoverError):
    """An import or check rejected its input; details are in the report."""

    code = "input_rejected"
    http_status = 422


class ConfigurationError(TideoverError):
    """The settings are missing, invalid or unsafe for this mode."""

    code = "configuration_error"
    exit_code = 2
    http_status = 500


class DataUnavailable(TideoverError):
    """A data set could not be fetched, or its checksum did not match."""

    code = "data_unavailable"
    http_status = 503
