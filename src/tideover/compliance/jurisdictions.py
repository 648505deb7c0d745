"""Where a queue item's borrower is, and which collectors may work it.

Collecting a debt is regulated (and, for collectors, licensed) where the
borrower lives, so a human queue item carries a **jurisdiction** and goes only
to a collector permitted for it:

- The country is that of the platform's rule packs (the last pack the policy
  names: its jurisdiction's own pack, ``IE`` rather than ``EU``): ``CN``,
  ``US``, ``UK``, ``EU``, ``IE``.
- In the United States collectors are licensed state by state (e.g.
  Massachusetts, M.G.L. c. 93 § 24A; New York City, NYC Admin. Code § 20-490),
  so a US borrower whose ``state`` is known gives ``US-<state>`` (``US-MA``);
  without a known state the item is ``US``.
- A collector permitted for ``US-MA`` works ``US-MA`` items.  A collector
  permitted for ``US`` works ``US`` items and ``US-<state>`` items of every
  state **without a state overlay**, i.e. a state with no rule pack of its
  own in Tideover.  The overlays are Massachusetts (``US-MA``: 209 CMR 18.00,
  940 CMR 7.00) and New York (``US-NYC``: 6 RCNY 5-77; the city lies in the
  state and the stored address gives only the state, so every New York
  borrower is taken to be possibly in the city): those need ``US-MA`` and
  ``US-NY``.
- Elsewhere the item is the country and needs that very code (an ``EU``
  permission does not cover ``IE``: a credit servicer is authorised by a
  member state, Directive (EU) 2021/2167 Art. 4 and 13).
- An item of unknown jurisdiction (``''``, written before migration 0007) is
  permitted to nobody.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tideover.compliance.loader import PACK_CODES
from tideover.domain.errors import ValidationError
from tideover.i18n import N_

# Two-letter USPS codes of the states, the District of Columbia and the territories.
_USPS = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP"
)
US_STATES = frozenset(_USPS.split())
# The state each US overlay pack lies in (a city overlay lies in its state).
OVERLAY_STATE = {"US-MA": "MA", "US-NYC": "NY"}
OVERLAY_STATES = frozenset(OVERLAY_STATE.values())
COUNTRIES = tuple(dict.fromkeys(code.split("-")[0] for code in PACK_CODES))
UNKNOWN = ""


def country_of(pack_codes: Sequence[str]) -> str:
    """The country of a platform's packs: that of the last one (its jurisdiction's own)."""
    return pack_codes[-1].split("-")[0] if pack_codes else UNKNOWN


def item_jurisdiction(region: str | None, pack_codes: Sequence[str]) -> str:
    """The jurisdiction of a borrower in ``region`` (a US state, a region code) under the packs."""
    country = country_of(pack_codes)
    if country == "US":
        state = (region or "").strip().upper()
        return f"US-{state}" if state in US_STATES else "US"
    return country


def permits(permitted: Iterable[str], jurisdiction: str) -> bool:
    """Whether a collector permitted for ``permitted`` may work an item of ``jurisdiction``."""
    allowed = set(permitted)
    if not jurisdiction:
        return False
    if jurisdiction in allowed:
        return True
    country, _, state = jurisdiction.partition("-")
    return country == "US" and bool(state) and state not in OVERLAY_STATES and "US" in allowed


def parse_jurisdiction(text: str) -> str:
    """A collector's permission as typed (``us-ma``), checked and upper-cased (``US-MA``)."""
    code = text.strip().upper()
    country, dash, state = code.partition("-")
    if (not dash and country in COUNTRIES) or (country == "US" and state in US_STATES):
        return code
    known = ", ".join(COUNTRIES)
    raise ValidationError(
        N_("unknown jurisdiction %(text)s: use a country (%(known)s) or US-<state> such as US-MA"),
        text=repr(text),
        known=known,
    )
