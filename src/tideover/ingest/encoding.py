"""The text encoding of an imported file: the one given, else UTF-8, else detected.

Excel on a Chinese Windows saves "CSV" in the system's code page, GBK (code
page 936), and "Unicode text" as UTF-16; core systems export GB18030.  A file
is read as UTF-8 when it is UTF-8 (with or without a byte-order mark), as
UTF-16/32 when a byte-order mark says so, and otherwise as the encoding
charset-normalizer finds most coherent — GB18030 whenever it is a candidate,
since GB18030 contains GBK and GB2312 and is what these files are far more
often than the Korean or Japanese code pages that short Chinese texts also fit.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes

from tideover.domain.errors import UsageError
from tideover.i18n import N_

SAMPLE_BYTES = 256 * 1024  # what detection reads: the file is decoded whole afterwards
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# GB18030 decodes every GBK and GB2312 text the same way, and more.
_GB = frozenset({"gb18030", "gbk", "gb2312", "cp936", "euc_cn", "hz"})


@dataclass(frozen=True, slots=True)
class Decoded:
    """A file's text and how it was read."""

    text: str
    encoding: str  # Python's codec name: utf-8, gb18030, utf-16, big5 ...
    detected: bool  # False: UTF-8 or a byte-order mark or the import's own choice

    @property
    def certain(self) -> bool:
        """Whether the reading rests on more than a statistical guess."""
        return not self.detected or self.encoding == "gb18030"


class NotDecodable(Exception):
    """The bytes are not text in the encoding tried: ``position`` is the first bad byte."""

    def __init__(self, encoding: str, position: int | None) -> None:
        super().__init__(encoding, position)
        self.encoding = encoding
        self.position = position


def codec_name(name: str) -> str:
    """Python's name for the encoding ``name`` (``GBK`` → ``gb18030``), or a UsageError."""
    try:
        found = codecs.lookup(name.strip()).name
    except (LookupError, ValueError):
        raise UsageError(
            N_("unknown text encoding %(name)s (for example utf-8, gb18030, big5)"),
            name=repr(name),
        ) from None
    if found in _GB:
        return "gb18030"
    return "utf-8-sig" if found == "utf-8" else found


def decode(raw: bytes, encoding: str | None = None) -> Decoded:
    """The text of ``raw``; raises NotDecodable when it is not text in any encoding found."""
    if encoding is not None:
        name = codec_name(encoding)
        return Decoded(_strict(raw, name), _shown(name), detected=False)
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return Decoded(_strict(raw, name), _shown(name), detected=False)
    try:
        return Decoded(raw.decode("utf-8"), "utf-8", detected=False)
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    found = detect(raw)
    if found is None:
        raise NotDecodable("utf-8", first_bad)
    return Decoded(_strict(raw, found), found, detected=True)


def detect(raw: bytes) -> str | None:
    """The most likely encoding of ``raw`` (not UTF-8), or None if it reads as none."""
    sample = raw[:SAMPLE_BYTES]
    if len(raw) > SAMPLE_BYTES and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]  # never cut a character in two
    candidates = [codecs.lookup(match.encoding).name for match in from_bytes(sample)]
    if any(name in _GB for name in candidates):
        return "gb18030"
    return candidates[0] if candidates else None


def _strict(raw: bytes, name: str) -> str:
    try:
        return raw.decode(name)
    except UnicodeDecodeError as exc:
        raise NotDecodable(_shown(name), exc.start) from exc


def _shown(name: str) -> str:
    return "utf-8" if name == "utf-8-sig" else name
