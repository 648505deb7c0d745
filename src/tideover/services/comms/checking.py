"""The message checker on templates and rendered messages, against the platform's packs.

A template version is checked in full when it is reviewed.  A rendered message
is checked by its shape (``comms.rendering``): the approved text with each
borrower's own value as a neutral marker, once per distinct shape and pack
set, and each free-text value (a name, a notice's summary) alone, once per
distinct value — so a reminder to 100,000 borrowers costs a few checks, not
100,000, and a value that says something forbidden is still caught.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from tideover.comms.catalogue import MessageChannel
from tideover.comms.rendering import Rendered
from tideover.comms.review import TextFinding
from tideover.compliance.contacts import ActorRole, Channel
from tideover.compliance.gate import CompiledPack, check_message, compile_pack
from tideover.compliance.rules import Pack
from tideover.compliance.text import MessageChecker, default_checker

CACHE_SIZE = 20_000


class MessageCheck:
    """Checks texts against a set of packs (every pack must pass), remembering verdicts."""

    def __init__(
        self,
        packs: Sequence[Pack | CompiledPack],
        *,
        actor: ActorRole = ActorRole.CREDITOR,
        sender_names: dict[str, str] | None = None,
        checker: MessageChecker | None = None,
    ) -> None:
        self.packs = tuple(p if isinstance(p, CompiledPack) else compile_pack(p) for p in packs)
        self.actor = actor
        self.sender_names = sender_names or {}
        self.checker = checker or default_checker()
        self._cache: OrderedDict[tuple[str, str, str, bool], tuple[TextFinding, ...]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def text(self, text: str, channel: MessageChannel, language: str) -> list[TextFinding]:
        """Every pack's findings on ``text`` as a whole message."""
        return list(self._cached(text, channel, language, whole=True))

    def rendered(
        self, rendered: Rendered, channel: MessageChannel, language: str
    ) -> list[TextFinding]:
        """Findings on a rendered message: its shape as a whole, its free values alone."""
        found = list(self._cached(rendered.shape, channel, language, whole=True))
        for value in rendered.free_values:
            found.extend(self._cached(value, channel, language, whole=False))
        return found

    def _cached(
        self, text: str, channel: MessageChannel, language: str, *, whole: bool
    ) -> tuple[TextFinding, ...]:
        key = (text, channel.value, language, whole)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        found = self._check(text, channel, language, whole=whole)
        with self._lock:
            self._cache[key] = found
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return found

    def _check(
        self, text: str, channel: MessageChannel, language: str, *, whole: bool
    ) -> tuple[TextFinding, ...]:
        found: list[TextFinding] = []
        for pack in self.packs:
            for f in check_message(
                text,
                pack,
                channel=Channel(channel.value),
                actor=self.actor,
                sender_name=self.sender_names.get(language),
                checker=self.checker,
            ):
                # A value alone lacks the message's required parts (opt-out, sender):
                # only what it says is its own finding.
                if not whole and f.category in ("missing_opt_out", "missing_institution"):
                    continue
                found.append(TextFinding(f.rule_ids, f.category, f.en, f.zh))
        return tuple(found)
