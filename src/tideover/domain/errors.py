"""The error tree: one base class, a stable code and a message in zh and en.

Every error a person may read carries both languages; the CLI picks one by
locale and the web layer maps ``exit_code``/``http_status`` in one place.
Services raise these, never HTTP errors.
"""

from __future__ import annotations

from typing import ClassVar


class TideoverError(Exception):
    """Base of every error Tideover raises on purpose.

    ``code`` is stable (documented, safe to match on); ``en`` and ``zh`` are
    the human messages.  ``exit_code`` follows the CLI contract: 1 means the
    input was rejected or a check failed, 2 a usage error.
    """

    code: ClassVar[str] = "tideover_error"
    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 400

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh if zh is not None else en

    def message(self, locale: str = "en") -> str:
        """The message in ``locale`` (``zh*`` gives Chinese, anything else English)."""
        return self.zh if locale.lower().startswith("zh") else self.en


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
