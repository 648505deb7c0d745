"""What the console's pages refuse, worded for the ``tideover`` catalogue.

A page's own words (its flashes, labels, menu) are the ``messages`` catalogue's,
marked with :func:`tideover.web.ui.words.N_`; an error is read like every other
error, through the ``tideover`` catalogue, by :mod:`tideover.web.errors` in the
request's language.  ``tools/messages.py`` tells the two apart by the ``N_`` a
module imports, so the errors of the pages that have words of their own are
written here.
"""

from __future__ import annotations

from tideover.compliance.contacts import HoldKind
from tideover.domain.errors import ValidationError
from tideover.i18n import N_
from tideover.web.api import comms, policy


def policy_version_changed(number: int) -> policy.PreconditionFailed:
    return policy.PreconditionFailed(
        N_("policy version %(number)s changed since you opened it; reload the page"),
        number=number,
    )


def template_changed(name: str, version: int) -> comms.PreconditionFailed:
    return comms.PreconditionFailed(
        N_("template %(name)s version %(version)s changed since you opened it; reload the page"),
        name=name,
        version=version,
    )


def collector_changed(collector_id: str) -> policy.PreconditionFailed:
    return policy.PreconditionFailed(
        N_("collector %(collector_id)s changed since you opened it; reload the page"),
        collector_id=collector_id,
    )


def unknown_hold_kind(value: str) -> ValidationError:
    return ValidationError(
        N_("unknown kind of hold %(value)s; one of %(known)s"),
        value=repr(value),
        known=", ".join(k.value for k in HoldKind),
    )
