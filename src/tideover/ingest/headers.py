"""A file's own column names, read as the contract's: labels, a mapping file, suggestions.

A lender's export says ``借据编号``, ``放款金额``, ``还款方式``; the contract says
``loan_id``, ``principal``, ``method``.  Headers are matched, in order, by a
mapping file the lender writes once (:class:`ColumnMapping`), by the
contract's own names and by the common Chinese names the contract lists
(``Column.labels``).  A header matching none is kept as an attribute, and
when it looks like a contract column (``frist_due_date``) the report says so
("did you mean first_due_date?"); a required column that is missing names the
header that probably meant it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tideover.domain.errors import InputRejected, UsageError
from tideover.domain.safe_yaml import YamlRejected, load_yaml
from tideover.i18n import N_, Wording
from tideover.ingest.bounds import text_problem
from tideover.ingest.contract import Contract
from tideover.ingest.report import RowError
from tideover.ingest.spellings import DateFormat, choice_key

MAX_MAPPING_BYTES = 256 * 1024  # a mapping names columns and values: kilobytes, not more
_CLOSE = 0.75  # difflib ratio above which two names are probably one, mistyped
_KEYS = frozenset({"kind", "encoding", "date_format", "columns", "values"})


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """How one lender's export reads as a kind of record, written once as YAML::

    kind: loans              # optional: refused for another kind
    encoding: gb18030        # optional: the file's text encoding
    date_format: YYYY/MM/DD  # optional: the order of its dates
    columns:                 # the file's header -> the contract's column
      借据号码: loan_id
      客户号码: borrower_id
      内部备注: ~            # ~ (null): not imported at all
    values:                  # a column's own spellings -> the contract's values
      method:
        按月等额: equal-installment
    """

    name: str
    columns: Mapping[str, str | None] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    encoding: str | None = None
    date_format: DateFormat | None = None

    @classmethod
    def load(cls, path: Path, contract: Contract) -> ColumnMapping:
        """The mapping in ``path``, checked against ``contract``; a UsageError if wrong."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise _bad(
                path.name, Wording(N_("cannot read it (%(strerror)s)"), strerror=exc.strerror)
            ) from None
        if len(raw) > MAX_MAPPING_BYTES:
            raise _bad(path.name, Wording(N_("larger than 256 KiB")))
        try:
            data = load_yaml(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise _bad(path.name, Wording(N_("not UTF-8 text"))) from None
        except YamlRejected as exc:
            raise _bad(path.name, exc.wording) from None
        return cls.of(data, contract, name=path.name)

    @classmethod
    def of(cls, data: object, contract: Contract, *, name: str = "mapping") -> ColumnMapping:
        if not isinstance(data, dict):
            raise _bad(name, Wording(N_("must be a YAML mapping with 'columns'")))
        unknown = sorted(str(k) for k in data if k not in _KEYS)
        if unknown:
            hint = _hint(unknown[0], sorted(_KEYS))
            raise _bad(
                name, Wording(N_("unknown key %(key)s%(hint)s"), key=repr(unknown[0]), hint=hint)
            )
        kind = data.get("kind")
        if kind is not None and kind != contract.kind:
            raise _bad(
                name,
                Wording(
                    N_("is for %(kind)s, not %(contract_kind)s"),
                    kind=kind,
                    contract_kind=contract.kind,
                ),
            )
        encoding = data.get("encoding")
        date_format = data.get("date_format")
        return cls(
            name=name,
            columns=_columns(name, data.get("columns"), contract),
            values=_values(name, data.get("values"), contract),
            encoding=None if encoding is None else str(encoding),
            date_format=None if date_format is None else DateFormat.parse(str(date_format)),
        )


def _columns(name: str, raw: object, contract: Contract) -> dict[str, str | None]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _bad(name, Wording(N_("'columns' must map headers to columns")))
    known = set(contract.names)
    found: dict[str, str | None] = {}
    for header, target in raw.items():
        source = str(header).strip().lower()
        if target is None:
            found[source] = None
            continue
        column = str(target).strip().lower()
        problem = text_problem("a column name", column)
        if problem is not None or not column:
            raise _bad(name, Wording(N_("column %(target)s is not a name"), target=repr(target)))
        if column not in known:
            close = difflib.get_close_matches(column, sorted(known), n=1, cutoff=_CLOSE)
            if close:
                # A target that is almost a contract column is a typo, not a new attribute.
                raise _bad(
                    name,
                    Wording(
                        N_(
                            "%(header)s maps to %(target)s, not a column of %(kind)s; did you mean "
                            "%(close)s?"
                        ),
                        header=repr(header),
                        target=repr(target),
                        kind=contract.kind,
                        close=close[0],
                    ),
                )
        found[source] = column
    return found


def _values(name: str, raw: object, contract: Contract) -> dict[str, dict[str, str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise _bad(
            name,
            Wording(N_("'values' must map columns to {spelling: value}")),
        )
    tables: dict[str, dict[str, str]] = {}
    for column, table in raw.items():
        key = str(column).strip().lower()
        if key not in contract.names:
            hint = _hint(key, list(contract.names))
            raise _bad(
                name,
                Wording(
                    N_("values for %(column)s, not a column of %(kind)s%(hint)s"),
                    column=repr(column),
                    kind=contract.kind,
                    hint=hint,
                ),
            )
        tables[key] = {choice_key(str(s)): str(v) for s, v in table.items()}
    return tables


def _bad(name: str, why: Wording) -> UsageError:
    return UsageError(N_("column mapping %(name)s: %(why)s"), name=name, why=why)


def _hint(word: str, choices: list[str]) -> Wording | str:
    """``"; did you mean …?"`` to end a message with, or nothing."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return Wording(N_("; did you mean %(meant)s?"), meant=close[0]) if close else ""


# --- reading a header -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Header:
    """What each of a file's columns is read as: a contract column, an attribute, dropped."""

    renamed: Mapping[str, str]  # file column -> column read (itself when kept as it is)
    dropped: frozenset[str]
    warnings: tuple[RowError, ...]


def read_header(
    path: Path, columns: tuple[str, ...], contract: Contract, mapping: ColumnMapping | None
) -> Header:
    """How ``columns`` (trimmed, lower-cased) read as ``contract``; raises InputRejected when
    a required column is missing or two columns would be read as one."""
    named = contract.header_names()
    folded = _folded(named)
    explicit = {} if mapping is None else dict(mapping.columns)
    renamed: dict[str, str] = {}
    dropped: set[str] = set()
    for column in columns:
        if column in explicit:
            target = explicit[column]
            if target is None:
                dropped.add(column)
            else:
                renamed[column] = target
        else:
            renamed[column] = named.get(column) or folded.get(choice_key(column), column)
    _refuse_doubles(path, renamed)
    read = set(renamed.values())
    unmatched = [c for c in renamed if renamed[c] == c and c not in contract.names]
    missing = [c for c in contract.required if c not in read]
    if missing:
        raise _missing(path, missing, unmatched, contract, columns)
    warnings = [_unused(name, header) for name, header in _unused_mapping(mapping, columns)]
    for column in unmatched:
        close = _closest(column, contract, exclude=read)
        if close is not None:
            warnings.append(_near_miss(column, close))
    return Header(renamed, frozenset(dropped), tuple(warnings))


def _folded(named: Mapping[str, str]) -> dict[str, str]:
    """The contract's header names as spreadsheets also write them: ``Loan ID``,
    ``loan-id`` and ``ＬＯＡＮ＿ＩＤ`` are ``loan_id`` (case, width, spaces and
    punctuation ignored, as for a choice).  A folded form two columns share is left
    out: it could be either."""
    by_key: dict[str, set[str]] = {}
    for header, column in named.items():
        by_key.setdefault(choice_key(header), set()).add(column)
    return {key: next(iter(found)) for key, found in by_key.items() if key and len(found) == 1}


def _refuse_doubles(path: Path, renamed: Mapping[str, str]) -> None:
    by_target: dict[str, list[str]] = {}
    for source, target in renamed.items():
        by_target.setdefault(target, []).append(source)
    doubles = {t: s for t, s in by_target.items() if len(s) > 1}
    if doubles:
        text = "; ".join(f"{t} ← {', '.join(s)}" for t, s in sorted(doubles.items()))
        raise InputRejected(
            N_("%(path)s: several columns would be read as one: %(text)s"),
            path=path,
            text=text,
        )


def _closest(column: str, contract: Contract, *, exclude: set[str]) -> str | None:
    """The contract column ``column`` is probably a misspelling of, if any."""
    names = {k: v for k, v in contract.header_names().items() if v not in exclude}
    close = difflib.get_close_matches(column, list(names), n=1, cutoff=_CLOSE)
    return names[close[0]] if close else None


def _missing(
    path: Path,
    missing: list[str],
    unmatched: list[str],
    contract: Contract,
    columns: tuple[str, ...],
) -> InputRejected:
    hints: list[Wording] = []
    for column in missing:
        labels = [column, *(label.lower() for label in contract.column(column).labels)]
        best = max(
            (
                (difflib.SequenceMatcher(None, h, label).ratio(), h)
                for h in unmatched
                for label in labels
            ),
            default=(0.0, ""),
        )
        if best[0] >= 0.6:
            hints.append(
                Wording(
                    N_("%(column)s: did you mean the file's %(header)s?"),
                    column=column,
                    header=repr(best[1]),
                )
            )
    found = columns or Wording(N_("none"))
    return InputRejected(
        N_(
            "%(path)s: missing required columns: %(missing)s (found: %(found)s). %(hints)s "
            "Rename the headers or give a column mapping file (--mapping)."
        )
        if hints
        else N_(
            "%(path)s: missing required columns: %(missing)s (found: %(found)s). "
            "Rename the headers or give a column mapping file (--mapping)."
        ),
        path=path,
        missing=tuple(missing),
        found=found,
        hints=tuple(hints),
    )


def _unused_mapping(
    mapping: ColumnMapping | None, columns: tuple[str, ...]
) -> list[tuple[str, str]]:
    if mapping is None:
        return []
    present = set(columns)
    return [(mapping.name, h) for h in mapping.columns if h not in present]


def _unused(name: str, header: str) -> RowError:
    return RowError.of(
        0,
        header,
        "",
        Wording(
            N_("the column mapping %(name)s names %(header)s, which the file does not have"),
            name=name,
            header=repr(header),
        ),
        code="mapping_unused",
    )


def _near_miss(column: str, close: str) -> RowError:
    return RowError.of(
        0,
        column,
        "",
        Wording(
            N_(
                "column %(column)s is not in the contract and is kept as an attribute; "
                "did you mean %(close)s?"
            ),
            column=repr(column),
            close=close,
        ),
        code="unknown_column",
    )


def renamed(
    records: tuple[tuple[int, dict[str, object]], ...],
    header: Header,
    mapping: ColumnMapping | None,
) -> tuple[tuple[int, dict[str, object]], ...]:
    """The records with their columns read as ``header`` says, and the mapping's
    spellings of values replaced by the contract's."""
    tables = {} if mapping is None else mapping.values
    result = []
    for row, record in records:
        read: dict[str, object] = {}
        for column, value in record.items():
            if column in header.dropped:
                continue
            target = header.renamed.get(column, column)
            table = tables.get(target)
            if table is not None and isinstance(value, str):
                value = table.get(choice_key(value), value)
            read[target] = value
        result.append((row, read))
    return tuple(result)
