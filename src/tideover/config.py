"""One validated settings object, read from ``TIDEOVER_``-prefixed environment variables."""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tideover.domain.errors import ConfigurationError
from tideover.i18n import N_

# A key that is public by construction: it encrypts only the synthetic demo
# borrowers.  Any other mode refuses to start with it.
DEMO_PII_KEY = base64.urlsafe_b64encode(b"tideover-demo-key-not-a-secret!!").decode()


class Settings(BaseSettings):
    """Everything configurable, with safe defaults for the demo and nothing secret."""

    model_config = SettingsConfigDict(env_prefix="TIDEOVER_", extra="ignore")

    mode: Literal["demo", "test", "production"] = "demo"
    data_dir: Path = Field(default=Path("var"))
    database_url: str | None = None
    cache_dir: Path | None = None
    pii_key: str = DEMO_PII_KEY
    locale: str | None = None
    # Session cookies without the Secure flag: only for plain HTTP that is not loopback in
    # a demo or test (``tideover serve`` already allows plain HTTP on loopback there).
    web_insecure: bool = False
    # Where text messages go (sign-in codes among them): ``sink`` appends them to
    # ``<data dir>/sink/sms.jsonl`` and sends nothing.  Unset, demo and test use the sink
    # and production has no SMS channel until a real provider is configured.
    sms_provider: Literal["sink"] | None = None
    # The outbox's e-mail goes through this SMTP server (none: no e-mail channel); the
    # password comes from the environment like every secret.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.mode == "production" and self.pii_key == DEMO_PII_KEY:
            raise ValueError("TIDEOVER_PII_KEY must be set to a secret key in production mode")
        if self.mode == "production" and self.sms_provider == "sink":
            raise ValueError(
                "TIDEOVER_SMS_PROVIDER=sink sends nothing and is refused in production mode"
            )
        return self

    @property
    def resolved_sms_provider(self) -> str | None:
        """The SMS provider in use: as set, else the sink outside production, else none."""
        if self.sms_provider is not None:
            return self.sms_provider
        return None if self.mode == "production" else "sink"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tideover.db').resolve()}"

    @property
    def resolved_cache_dir(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else self.data_dir / "cache"


def load_settings() -> Settings:
    """Settings from the environment; an invalid value is a ``ConfigurationError``."""
    try:
        return Settings()
    except ValueError as exc:
        raise ConfigurationError(N_("invalid configuration: %(exc)s"), exc=exc) from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
