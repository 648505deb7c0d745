"""The portable experiment assignment hash.

Engines' built-in hash functions differ (and some raise on integer overflow
while others wrap), so a split computed with ``hash()`` on one engine would
reassign borrowers on another.  Tideover uses one formula that every engine
computes the same way, bit for bit:

    key    = platform || ':' || experiment_id || ':' || account_id   (UTF-8)
    digest = lower-case hex MD5 of key                  (RFC 1321; same in DuckDB, Spark, Python)
    h      = Σ_{i=1..8} (instr('0123456789abcdef', substr(digest, i, 1)) - 1) · 16^(8-i)
    bucket = h mod 10000

``h`` is the first 32 bits of the digest, so every intermediate is below 2^32
and never overflows a 64-bit integer; each term is cast to BIGINT because
Spark's ``instr`` returns a 32-bit INT.  Arms take buckets in document order:
weights are multiples of 0.0001, so an arm of weight 0.45 takes 4,500 buckets.
Platform and experiment ids never contain ':', so the key is unambiguous.
"""

from __future__ import annotations

import hashlib

from tideover.domain.errors import ValidationError
from tideover.i18n import N_
from tideover.policy.sql_text import quote_literal

BUCKETS = 10_000
HEX_DIGITS = 8
_HEX = "0123456789abcdef"


def assignment_key(platform: str, experiment_id: str, account_id: str) -> str:
    for name, value in (("platform", platform), ("experiment", experiment_id)):
        if ":" in value or not value:
            raise ValidationError(
                N_(
                    "%(name)s id %(value)s must be non-empty and contain no ':' (assignment "
                    "hash key)"
                ),
                name=name,
                value=repr(value),
            )
    return f"{platform}:{experiment_id}:{account_id}"


def assignment_hash(platform: str, experiment_id: str, account_id: str) -> int:
    """The 32-bit integer ``h`` of the formula above."""
    key = assignment_key(platform, experiment_id, account_id)
    digest = hashlib.md5(key.encode("utf-8"), usedforsecurity=False).hexdigest()
    return int(digest[:HEX_DIGITS], 16)


def assignment_bucket(platform: str, experiment_id: str, account_id: str) -> int:
    """The account's bucket in ``[0, 10000)`` for this experiment."""
    return assignment_hash(platform, experiment_id, account_id) % BUCKETS


def digest_sql(platform: str, experiment_id: str, account_column: str) -> str:
    """The hex MD5 digest of the key, as SQL (an engine may compute it once per row)."""
    prefix = assignment_key(platform, experiment_id, "")
    return f"md5({quote_literal(prefix)} || CAST({account_column} AS VARCHAR))"


def bucket_from_digest_sql(digest: str) -> str:
    """``h mod 10000`` from a digest expression, as DuckDB SQL (sqlglot transpiles it)."""
    digit = "(CAST(instr('" + _HEX + "', substr({digest}, {i}, 1)) AS BIGINT) - 1)"
    terms = [
        f"{digit.format(digest=digest, i=i)} * {16 ** (HEX_DIGITS - i)}"
        for i in range(1, HEX_DIGITS + 1)
    ]
    return f"(({' + '.join(terms)}) % {BUCKETS})"


def bucket_sql(platform: str, experiment_id: str, account_column: str) -> str:
    """The account's bucket as DuckDB SQL; transpile with sqlglot for Spark."""
    return bucket_from_digest_sql(digest_sql(platform, experiment_id, account_column))
