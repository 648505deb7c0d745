"""Read CSV, Parquet and JSON Lines files into plain records.

Readers judge only the file's shape (encoding, header, one JSON object per
line); every value is handed on as found (CSV: text; Parquet and JSON: the
decoded value, JSON numbers as ``Decimal``) so that validation, which knows
the column contract, judges the values.  Column names are trimmed and
lower-cased.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tideover.domain.errors import InputRejected
from tideover.ingest.bounds import (
    MAX_JSON_DEPTH,
    MAX_LINE_BYTES,
    MAX_NUMBER_CHARS,
    text_problem,
)
from tideover.ingest.report import RowError

Record = dict[str, object]

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
FORMAT_NAMES = frozenset(FORMATS.values())


@dataclass(frozen=True, slots=True)
class RecordSet:
    """The records of one file, with the rows that could not be read at all."""

    file: Path
    format: str
    columns: tuple[str, ...]
    records: tuple[tuple[int, Record], ...]
    errors: tuple[RowError, ...] = ()

    @property
    def total_rows(self) -> int:
        return len(self.records) + len({e.row for e in self.errors})

    def __iter__(self) -> Iterator[tuple[int, Record]]:
        return iter(self.records)


def detect_format(path: Path, fmt: str | None = None) -> str:
    """``fmt`` if given, else the format named by the file's extension."""
    if fmt is not None:
        name = fmt.strip().lower().lstrip(".")
        name = FORMATS.get("." + name, name)
        if name not in FORMAT_NAMES:
            raise _rejected(path, f"unknown format {fmt!r}", f"未知格式 {fmt!r}")
        return name
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        known = ", ".join(sorted(FORMATS))
        raise _rejected(
            path,
            f"cannot tell the format from the extension {path.suffix!r} (known: {known})",
            f"无法从扩展名 {path.suffix!r} 判断格式（支持：{known}）",
        )
    return found


def read_records(
    path: Path, fmt: str | None = None, *, required_columns: Collection[str] = ()
) -> RecordSet:
    """All records of ``path``; ``row`` is the 1-based record number.

    For CSV the header is line 1, so record ``row`` starts on line
    ``row + 1`` (when no quoted value spans lines).  For JSON Lines ``row``
    is the line number; blank lines are skipped but counted.
    Raises InputRejected when the file cannot be read, its format is
    unknown, or a required column is absent.
    """
    name = detect_format(path, fmt)
    if not path.is_file():
        raise _rejected(path, "no such file", "文件不存在")
    if name == "csv":
        result = _read_csv(path)
    elif name == "parquet":
        result = _read_parquet(path)
    else:
        result = _read_jsonl(path)
    missing = [c for c in required_columns if c not in result.columns]
    # A JSON Lines file whose every line is broken has no columns: report the lines.
    if missing and (result.records or not result.errors):
        found = ", ".join(result.columns) or "none"
        raise _rejected(
            path,
            f"missing required columns: {', '.join(missing)} (found: {found})",
            f"缺少必填列：{', '.join(missing)}（实际列：{found}）",
        )
    return result


def _rejected(path: Path, why_en: str, why_zh: str) -> InputRejected:
    return InputRejected(f"{path}: {why_en}", f"{path}：{why_zh}")


def _header(path: Path, names: list[str]) -> tuple[str, ...]:
    columns = tuple(n.strip().lower() for n in names)
    for position, column in enumerate(columns, start=1):
        problem = text_problem(f"column {position}'s name", column)
        if problem is not None:
            raise _rejected(path, problem[0], problem[1])
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise _rejected(
            path,
            f"duplicated columns: {', '.join(duplicated)}",
            f"列名重复：{', '.join(duplicated)}",
        )
    return columns


def _read_csv(path: Path) -> RecordSet:
    try:
        # utf-8-sig reads files with and without the BOM that spreadsheets add.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _rejected(
            path,
            f"not UTF-8 text (byte {exc.start}); save the file as UTF-8",
            f"不是 UTF-8 文本（第 {exc.start} 字节）；请另存为 UTF-8",
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise _rejected(path, "empty file: no header line", "空文件：没有表头行")
        columns = _header(path, header)
        records: list[tuple[int, Record]] = []
        errors: list[RowError] = []
        for row, values in enumerate(reader, start=1):
            if not any(v.strip() for v in values):
                continue  # a blank line is not a record, but keeps its number
            if len(values) > len(columns):
                errors.append(_too_many_fields(row, len(values), len(columns)))
                continue
            padded = values + [""] * (len(columns) - len(values))
            records.append((row, dict(zip(columns, padded, strict=True))))
    except csv.Error as exc:
        raise _rejected(
            path,
            f"malformed CSV at line {reader.line_num}: {exc}",
            f"CSV 格式错误（第 {reader.line_num} 行）：{exc}",
        ) from exc
    return RecordSet(path, "csv", columns, tuple(records), tuple(errors))


def _too_many_fields(row: int, found: int, expected: int) -> RowError:
    return RowError(
        row,
        "*",
        f"{found} fields",
        f"the record has {found} fields but the header has {expected}",
        f"该记录有 {found} 个字段，但表头只有 {expected} 列",
        code="too_many_fields",
    )


def _read_parquet(path: Path) -> RecordSet:
    try:
        parquet = pq.ParquetFile(path)
        columns = _header(path, list(parquet.schema_arrow.names))
        records: list[tuple[int, Record]] = []
        row = 0
        for batch in parquet.iter_batches():
            for item in batch.to_pylist():
                row += 1
                records.append((row, dict(zip(columns, item.values(), strict=True))))
    except (pa.ArrowException, OSError) as exc:
        raise _rejected(
            path, f"not a readable Parquet file: {exc}", f"无法读取的 Parquet 文件：{exc}"
        ) from exc
    except (ValueError, OverflowError) as exc:
        # A stored value Python cannot hold (a date32 beyond year 9999, a timestamp
        # out of range): pyarrow converts a whole batch at once, so the file is refused.
        raise _rejected(
            path,
            f"a value in the file is out of range: {exc}",
            f"文件中有超出范围的值：{exc}",
        ) from exc
    return RecordSet(path, "parquet", columns, tuple(records))


def _read_jsonl(path: Path) -> RecordSet:
    records: list[tuple[int, Record]] = []
    errors: list[RowError] = []
    columns: dict[str, None] = {}  # insertion-ordered union of the records' keys
    try:
        raw_lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise _rejected(path, f"cannot read: {exc}", f"无法读取：{exc}") from exc
    for row, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        parsed = _parse_json_line(row, raw.removeprefix(b"\xef\xbb\xbf") if row == 1 else raw)
        if isinstance(parsed, RowError):
            errors.append(parsed)
            continue
        record = {str(k).strip().lower(): v for k, v in parsed.items()}
        bad_key = _key_problem(row, record)
        if bad_key is not None:
            errors.append(bad_key)
            continue
        columns.update(dict.fromkeys(record))
        records.append((row, record))
    if not records and not errors:
        raise _rejected(path, "empty file: no records", "空文件：没有记录")
    if not records:
        # Every line was broken: report them rather than a missing-column error.
        return RecordSet(path, "jsonl", (), (), tuple(errors))
    return RecordSet(path, "jsonl", tuple(columns), tuple(records), tuple(errors))


def _parse_json_line(row: int, raw: bytes) -> dict[str, Any] | RowError:
    # The line itself is not repeated: it may hold a name or an address that the
    # report cannot mask, since the line could not be read into columns.
    shown = f"{len(raw)} bytes"
    too_big = _size_problem(row, raw, shown)
    if too_big is not None:
        return too_big
    try:
        # Decimal, never float: amounts must keep every digit they were given.
        value = json.loads(
            raw.decode("utf-8"),
            parse_float=_json_decimal,
            parse_int=_json_integer,
            parse_constant=_no_constant,
        )
    except UnicodeDecodeError:
        return RowError(
            row, "*", shown, "the line is not UTF-8 text", "该行不是 UTF-8 文本", code="not_utf8"
        )
    except ValueError as exc:
        return RowError(
            row,
            "*",
            shown,
            f"the line is not valid JSON: {exc}",
            f"该行不是有效的 JSON：{exc}",
            code="not_json",
        )
    if not isinstance(value, dict):
        return RowError(
            row,
            "*",
            shown,
            "the line is not a JSON object",
            "该行不是 JSON 对象（{...}）",
            code="not_json_object",
        )
    return value


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


def _json_decimal(text: str) -> Decimal | str:
    # An exponent (1e999) or an endless number stays text, so validation refuses it
    # as "not a decimal number" with the value as written, instead of expanding it.
    if len(text) > MAX_NUMBER_CHARS or "e" in text or "E" in text:
        return text
    return Decimal(text)


def _json_integer(text: str) -> int | str:
    return int(text) if len(text) <= MAX_NUMBER_CHARS else text


def _size_problem(row: int, raw: bytes, shown: str) -> RowError | None:
    """A line too long, or nested too deep, to be parsed safely; else None."""
    if len(raw) > MAX_LINE_BYTES:
        return RowError(
            row,
            "*",
            shown,
            f"the line is longer than {MAX_LINE_BYTES} bytes",
            f"该行超过 {MAX_LINE_BYTES} 字节",
            code="line_too_long",
        )
    # Counting brackets is quick and catches every deep line; the exact depth (brackets
    # inside strings do not count) is measured only for the rare line with many.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _depth(raw) > MAX_JSON_DEPTH:
        return RowError(
            row,
            "*",
            shown,
            f"the record is nested more than {MAX_JSON_DEPTH} levels deep",
            f"该记录的嵌套层数超过 {MAX_JSON_DEPTH} 层",
            code="too_deep",
        )
    return None


def _depth(raw: bytes) -> int:
    """The deepest nesting of JSON objects and arrays in ``raw``, strings skipped."""
    deepest = depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def _key_problem(row: int, record: dict[str, object]) -> RowError | None:
    for key in record:
        problem = text_problem("a key", key)
        if problem is not None:
            return RowError(row, "*", "", problem[0], problem[1], code="unsafe_text")
    return None
