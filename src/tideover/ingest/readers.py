"""Read CSV, Parquet and JSON Lines files into plain records.

Readers judge only the file's shape (encoding, header, one JSON object per
line); every value is handed on as found (CSV: text; Parquet and JSON: the
decoded value, JSON numbers as ``Decimal``) so that validation, which knows
the column contract, judges the values.  Column names are trimmed and
lower-cased; given the contract, they are read as its columns
(ingest/headers.py: Chinese names, a mapping file, "did you mean").  A CSV
file's encoding is the one given or detected (ingest/encoding.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tideover.domain.errors import InputRejected, UsageError
from tideover.i18n import N_, Wording
from tideover.ingest.bounds import text_problem
from tideover.ingest.contract import Contract
from tideover.ingest.encoding import NotDecodable, codec_name, decode
from tideover.ingest.headers import ColumnMapping, read_header, renamed
from tideover.ingest.json_lines import key_problem, parse_line
from tideover.ingest.report import RowError

Record = dict[str, object]

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",  # tab-separated: the delimiter is read from the header line
    ".txt": "csv",  # Excel's "Unicode text": UTF-16, tab-separated
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
FORMAT_NAMES = frozenset(FORMATS.values())
_WORKBOOKS = frozenset({".xlsx", ".xls", ".xlsm", ".et", ".ods", ".numbers"})


@dataclass(frozen=True, slots=True)
class RecordSet:
    """The records of one file, with the rows that could not be read at all."""

    file: Path
    format: str
    columns: tuple[str, ...]
    records: tuple[tuple[int, Record], ...]
    errors: tuple[RowError, ...] = ()
    warnings: tuple[RowError, ...] = ()  # about the file as a whole (row 0): kept, reported
    encoding: str | None = None  # how a text file was read (utf-8, gb18030 ...)
    encoding_detected: bool = False

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
            raise _rejected(path, Wording(N_("unknown format %(fmt)s"), fmt=repr(fmt)))
        return name
    found = FORMATS.get(path.suffix.lower())
    if found is None and path.suffix.lower() in _WORKBOOKS:
        raise _rejected(
            path,
            Wording(
                N_(
                    "a spreadsheet workbook is not read directly: save the sheet as CSV "
                    "(UTF-8 or the default GBK are both read) and import that"
                )
            ),
        )
    if found is None:
        known = ", ".join(sorted(FORMATS))
        raise _rejected(
            path,
            Wording(
                N_("cannot tell the format from the extension %(suffix)s (known: %(known)s)"),
                suffix=repr(path.suffix),
                known=known,
            ),
        )
    return found


def read_records(
    path: Path,
    fmt: str | None = None,
    *,
    required_columns: Collection[str] = (),
    encoding: str | None = None,
    contract: Contract | None = None,
    mapping: ColumnMapping | None = None,
) -> RecordSet:
    """All records of ``path``; ``row`` is the 1-based record number.

    For CSV the header is line 1, so record ``row`` starts on line
    ``row + 1`` (when no quoted value spans lines).  For JSON Lines ``row``
    is the line number; blank lines are skipped but counted.
    ``encoding`` (else the mapping's, else detected) is a text file's.  With
    ``contract``, the columns are read as its own (``mapping`` first) and its
    required columns must be there.
    Raises InputRejected when the file cannot be read, its format is
    unknown, or a required column is absent.
    """
    name = detect_format(path, fmt)
    if not path.is_file():
        raise _rejected(path, Wording(N_("no such file")))
    chosen = encoding or (mapping.encoding if mapping is not None else None)
    if chosen is not None and name == "parquet":
        raise UsageError(
            N_("a text encoding applies to CSV and JSON Lines files, not Parquet"),
        )
    if name == "csv":
        result = _read_csv(path, chosen)
    elif name == "parquet":
        result = _read_parquet(path)
    else:
        result = _read_jsonl(path, None if chosen is None else codec_name(chosen))
    if contract is not None and (result.records or not result.errors):
        header = read_header(path, result.columns, contract, mapping)
        result = RecordSet(
            result.file,
            result.format,
            tuple(dict.fromkeys(header.renamed[c] for c in result.columns if c in header.renamed)),
            renamed(result.records, header, mapping),
            result.errors,
            (*result.warnings, *header.warnings),
            result.encoding,
            result.encoding_detected,
        )
        required_columns = contract.required
    missing = [c for c in required_columns if c not in result.columns]
    # A JSON Lines file whose every line is broken has no columns: report the lines.
    if missing and (result.records or not result.errors):
        found = tuple(result.columns) or Wording(N_("none"))
        raise _rejected(
            path,
            Wording(
                N_("missing required columns: %(missing)s (found: %(found)s)"),
                missing=tuple(missing),
                found=found,
            ),
        )
    return result


def _rejected(path: Path, why: Wording) -> InputRejected:
    return InputRejected(N_("%(path)s: %(why)s"), path=path, why=why)


def _header(path: Path, names: list[str]) -> tuple[str, ...]:
    columns = tuple(n.strip().lower() for n in names)
    unnamed = [str(i) for i, c in enumerate(columns, start=1) if not c]
    if unnamed:
        raise _rejected(
            path,
            Wording(N_("column %(unnamed)s has no name in the header"), unnamed=tuple(unnamed)),
        )
    for position, column in enumerate(columns, start=1):
        name = Wording(N_("the name of column %(position)s"), position=position)
        problem = text_problem(name, column)
        if problem is not None:
            raise _rejected(path, problem)
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise _rejected(
            path,
            Wording(N_("duplicated columns: %(duplicated)s"), duplicated=tuple(duplicated)),
        )
    return columns


def _read_csv(path: Path, encoding: str | None) -> RecordSet:
    try:
        decoded = decode(path.read_bytes(), encoding)
    except NotDecodable as exc:
        if encoding is not None:
            raise _rejected(
                path,
                Wording(
                    N_("not %(encoding)s text (byte %(position)s); check --encoding"),
                    encoding=exc.encoding,
                    position=exc.position,
                ),
            ) from None
        raise _rejected(
            path,
            Wording(
                N_(
                    "not UTF-8 text (byte %(position)s) and no other encoding fits; give the "
                    "file's encoding with --encoding (for example gb18030 or big5)"
                ),
                position=exc.position,
            ),
        ) from None
    except OSError as exc:
        raise _rejected(path, Wording(N_("cannot read: %(exc)s"), exc=exc)) from exc
    text = decoded.text
    first_line = text.split("\n", 1)[0]
    # Excel's "Unicode text" and .tsv exports separate by tabs; everything else by commas.
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise _rejected(path, Wording(N_("empty file: no header line")))
        rows = list(reader)
        header = _without_empty_trailing(header, rows)
        columns = _header(path, header)
        records: list[tuple[int, Record]] = []
        errors: list[RowError] = []
        for row, values in enumerate(rows, start=1):
            if not any(v.strip() for v in values):
                continue  # a blank line is not a record, but keeps its number
            values = (
                values[: len(columns)]
                if not any(v.strip() for v in values[len(columns) :])
                else values
            )
            if len(values) > len(columns):
                errors.append(_too_many_fields(row, len(values), len(columns)))
                continue
            padded = values + [""] * (len(columns) - len(values))
            records.append((row, dict(zip(columns, padded, strict=True))))
    except csv.Error as exc:
        raise _rejected(
            path,
            Wording(
                N_("malformed CSV at line %(line_num)s: %(exc)s"), line_num=reader.line_num, exc=exc
            ),
        ) from exc
    warnings = () if decoded.certain else (_guessed_encoding(decoded.encoding),)
    return RecordSet(
        path,
        "csv",
        columns,
        tuple(records),
        tuple(errors),
        warnings,
        decoded.encoding,
        decoded.detected,
    )


def _without_empty_trailing(header: list[str], rows: list[list[str]]) -> list[str]:
    """The header without the unnamed, empty columns a spreadsheet leaves at its right."""
    kept = list(header)
    while kept and not kept[-1].strip():
        position = len(kept) - 1
        if any(len(r) > position and r[position].strip() for r in rows):
            break
        kept.pop()
    return kept


def _guessed_encoding(encoding: str) -> RowError:
    return RowError.of(
        0,
        "*",
        encoding,
        Wording(
            N_(
                "the file is not UTF-8 and was read as %(encoding)s, the closest fit "
                "found; if any text looks wrong, give the encoding with --encoding"
            ),
            encoding=encoding,
        ),
        code="encoding_guessed",
    )


def _too_many_fields(row: int, found: int, expected: int) -> RowError:
    return RowError.of(
        row,
        "*",
        f"{found} fields",
        Wording(
            N_("the record has %(found)s fields but the header has %(expected)s"),
            found=found,
            expected=expected,
        ),
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
        raise _rejected(path, Wording(N_("not a readable Parquet file: %(exc)s"), exc=exc)) from exc
    except (ValueError, OverflowError) as exc:
        # A stored value Python cannot hold (a date32 beyond year 9999, a timestamp
        # out of range): pyarrow converts a whole batch at once, so the file is refused.
        raise _rejected(
            path,
            Wording(N_("a value in the file is out of range: %(exc)s"), exc=exc),
        ) from exc
    return RecordSet(path, "parquet", columns, tuple(records))


def _read_jsonl(path: Path, encoding: str | None = None) -> RecordSet:
    records: list[tuple[int, Record]] = []
    errors: list[RowError] = []
    columns: dict[str, None] = {}  # insertion-ordered union of the records' keys
    try:
        raw_lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise _rejected(path, Wording(N_("cannot read: %(exc)s"), exc=exc)) from exc
    for row, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        parsed = parse_line(row, raw.removeprefix(b"\xef\xbb\xbf") if row == 1 else raw, encoding)
        if isinstance(parsed, RowError):
            errors.append(parsed)
            continue
        record = {str(k).strip().lower(): v for k, v in parsed.items()}
        bad_key = key_problem(row, record)
        if bad_key is not None:
            errors.append(bad_key)
            continue
        columns.update(dict.fromkeys(record))
        records.append((row, record))
    if not records and not errors:
        raise _rejected(path, Wording(N_("empty file: no records")))
    if not records:
        # Every line was broken: report them rather than a missing-column error.
        return RecordSet(path, "jsonl", (), (), tuple(errors))
    return RecordSet(
        path,
        "jsonl",
        tuple(columns),
        tuple(records),
        tuple(errors),
        encoding="utf-8" if encoding is None else encoding.removesuffix("-sig"),
    )
