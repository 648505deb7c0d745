"""The rule packs a platform's contacts pass: its active policy's, else its jurisdiction's.

The daily cycle gates every action against the packs its policy names
(``compliance.lint.pack_codes``), tightened by the platform's rule overrides;
a collector's call and message are checked against the same packs.  With no
active policy, the platform's own jurisdiction decides (``PlatformSettings.
home_jurisdiction``): a platform is never gated by a law other than its own.
"""

from __future__ import annotations

from functools import lru_cache

from tideover.compliance.lint import pack_codes
from tideover.compliance.lint_model import JURISDICTION_PACK
from tideover.compliance.loader import PACK_CODES
from tideover.compliance.overrides import effective_pack
from tideover.compliance.rules import Pack
from tideover.domain.errors import ValidationError
from tideover.i18n import N_
from tideover.policy.document import parse_policy
from tideover.services.platforms import settings_of
from tideover.services.unit_of_work import UnitOfWork


def platform_packs(uow: UnitOfWork, platform: str) -> tuple[Pack, ...]:
    """The packs ``platform`` applies now, tightened by its overrides (inside an open uow)."""
    settings = settings_of(uow, platform)
    stored = uow.policies(platform).active()
    if stored is not None:
        codes = _policy_packs(stored.sha256, stored.document)
    else:
        codes = (jurisdiction_pack(settings.home_jurisdiction),)
    return tuple(effective_pack(code, settings.rule_overrides or None) for code in codes)


def jurisdiction_pack(place: str) -> str:
    """The pack of a jurisdiction code: its own, its country's, or the EU's for a member."""
    if place in PACK_CODES:
        return place
    country = place.split("-")[0]
    if country in JURISDICTION_PACK:
        return JURISDICTION_PACK[country]
    if country in PACK_CODES:
        return country
    raise ValidationError(
        N_("no rule pack for jurisdiction %(place)s; packs exist for %(pack_codes)s"),
        place=repr(place),
        pack_codes=tuple(PACK_CODES),
    )


@lru_cache(maxsize=64)
def _policy_packs(sha256: str, document: str) -> tuple[str, ...]:
    """The pack codes of a stored policy version, parsed once per version (by its hash)."""
    return pack_codes(parse_policy(document, source=f"policy {sha256[:12]}").policy)
