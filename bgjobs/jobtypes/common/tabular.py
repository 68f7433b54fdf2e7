"""Streaming reader for uploaded tables (CSV or XLSX): a header, then numbered rows that each
carry either their values by column or one error a user can act on. Nothing loads the whole
file: CSV is read line by line, XLSX through openpyxl's read-only mode. Malformed rows are
reported, never repaired, so an import can refuse them with row numbers."""
from __future__ import annotations

import codecs
import dataclasses
import os
import re
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .cells import cell_text

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

NOT_READABLE = "the file is not a CSV or XLSX file we can read"
UNCLOSED = 'a quote (") opens a value that is not closed; add the closing quote, or double each quote inside the value'
DELIMITERS = (",", ";", "\t", "|")  # sniffing order: the first one wins a tie
_SPOKEN = {",": "“,”", ";": "“;”", "\t": "a tab", "|": "“|”"}  # delimiters as messages name them
MAX_COLUMNS = 16_384  # Excel's own limit; it also keeps column letters valid in messages
_CHUNK = 1 << 16  # bytes per read when checking the encoding: small, so memory stays flat
_CP1252_HOLES = b"\x81\x8d\x8f\x90\x9d"  # bytes Windows-1252 leaves undefined
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
_QUOTED_TEXT = re.compile(r'(?:[^"]+|"")*')  # inside quotes: anything up to a lone quote

Line = tuple[int, str, bool]  # (line number, text without its newline, too long to read)
Record = tuple[int, "list[str] | None", "str | None"]  # (row number, fields, error)


class TableError(ValueError):
    """The file as a whole cannot be read as a table; the message is meant for the user."""


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """A data row. number is the line (CSV) or sheet row (XLSX) a user sees, the header being
    row 1; exactly one of values ({column: text}) and error ("row 7: ...") is set."""

    number: int
    values: dict[str, str] | None
    error: str | None = None


@dataclasses.dataclass(frozen=True)
class Table:
    """An opened table: its header and how to read the rest. Each iteration re-reads the file
    from the start, so an import may check every row in one pass and write in a second."""

    path: Path
    kind: str  # "csv" or "xlsx"
    header: list[str]
    encoding: str | None  # CSV only: "utf-8", "utf-8-sig" or "cp1252"
    delimiter: str | None  # CSV only
    header_row: int
    max_field: int
    max_row_lines: int

    def __iter__(self) -> Iterator[Row]:
        """Every non-blank row after the header, in file order."""
        records = self._records()
        next(records, None)  # the header, already checked by open_table
        for number, fields, error in records:
            error = error or _problem(self, number, fields)
            if error:
                yield Row(number, None, f"row {number}: {error}")
            else:  # an XLSX row may stop early: its missing cells are empty, as on screen
                yield Row(number, dict(zip(self.header, fields + [""] * (len(self.header) - len(fields)))))

    def _records(self) -> Iterator[Record]:
        """The file's records, the header first, without rows that have nothing in them (blank
        lines, or only delimiters as spreadsheets save empty rows)."""
        records = _xlsx_records(self.path) if self.kind == "xlsx" else _csv_records(self)
        return (record for record in records if record[2] or any(map(str.strip, record[1] or ())))


def open_table(path: str | os.PathLike[str], *, kind: str | None = None, max_field: int = 131_072,
               max_row_lines: int = 100) -> Table:
    """Open a CSV or XLSX file (kind detected from its content when None) and read its header.
    max_field caps a value's length; max_row_lines caps how many lines one CSV row may span
    (quoted values may hold newlines) before an open quote counts as never closed."""
    path = Path(path)
    kind = kind or _detect_kind(path)
    if kind not in ("csv", "xlsx"):
        raise ValueError(f"kind must be 'csv' or 'xlsx', not {kind!r}")
    encoding = _detect_encoding(path) if kind == "csv" else None
    delimiter = _sniff(path, encoding, 4 * max_field) if encoding else None
    table = Table(path, kind, [], encoding, delimiter, 0, max_field, max_row_lines)
    with closing(table._records()) as records:
        number, names, error = next(records, (0, None, "the file is empty"))
    if error or not names:
        raise TableError(f"the header (row {number}) cannot be read: {error}" if number else str(error))
    return dataclasses.replace(table, header=_header(names, number), header_row=number)


def _detect_kind(path: Path) -> str:
    """xlsx for a ZIP holding [Content_Types].xml, csv for anything else that may be text."""
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(_OLE_MAGIC):
        raise TableError("the file is an old .xls or a password-protected workbook; save it as .xlsx or CSV")
    if not head.startswith(b"PK\x03\x04"):
        return "csv"
    try:
        with zipfile.ZipFile(path) as archive:
            archive.getinfo("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise TableError(NOT_READABLE) from error
    return "xlsx"


def _detect_encoding(path: Path) -> str:
    """utf-8 (utf-8-sig with a BOM) when every byte is valid UTF-8, else cp1252; one streamed pass."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, cp1252, lines, head = True, True, 0, b""
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            head = head or chunk[:4]
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise TableError(f"{NOT_READABLE}: it is saved as UTF-16; save it as “CSV UTF-8”")
            if b"\0" in chunk:  # text never holds NUL; binary files nearly always do
                raise TableError(NOT_READABLE)
            cp1252 = cp1252 and not any(byte in chunk for byte in _CP1252_HOLES)
            if utf8:
                pending = decoder.getstate()[0]  # the start of a character split across chunks
                try:
                    decoder.decode(chunk)
                    lines += chunk.count(b"\n")
                except UnicodeDecodeError as error:
                    utf8, lines = False, lines + (pending + chunk)[: error.start].count(b"\n")
    utf8 = utf8 and not decoder.getstate()[0]  # bytes left over: the file ends mid-character
    if utf8:
        return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    if head.startswith(codecs.BOM_UTF8):  # guessing Windows-1252 here would garble every accent
        raise TableError(f"the file is marked as UTF-8 but line {lines + 1} is not; save it again as “CSV UTF-8”")
    if not cp1252:
        raise TableError(f"{NOT_READABLE}: its text is neither UTF-8 nor Windows-1252")
    return "cp1252"


def _lines(f: TextIO, limit: int) -> Iterator[Line]:
    """Physical lines, numbered from 1. An over-long line is skipped through in bounded reads,
    so a file without newlines cannot exhaust memory."""
    number = 0
    while line := f.readline(limit + 1):
        number += 1
        if line.endswith("\n") or len(line) <= limit:  # a whole line, or the last one unended
            yield number, line.removesuffix("\n"), False
            continue
        while (more := f.readline(limit)) and not more.endswith("\n"):
            pass
        yield number, "", True


def _sniff(path: Path, encoding: str, limit: int) -> str:
    """The candidate delimiter found most often outside quotes in the first non-blank line."""
    with path.open(encoding=encoding, newline=None) as f:
        line = next((text for _, text, _ in _lines(f, limit) if text.strip()), "")
    return max(DELIMITERS, key=re.sub(r'"[^"]*"', "", line).count)


def _csv_records(table: Table) -> Iterator[Record]:
    """CSV records, one per row. When a row whose quoted value spans lines fails, the lines it
    took are replayed as rows of their own, so one stray quote costs one row, not the file."""
    limit, delimiter = 4 * table.max_field, table.delimiter or ","  # limit bounds memory per row
    with table.path.open(encoding=table.encoding, newline=None) as f:  # \r\n and \r end lines too
        source, replay = _lines(f, limit), deque[Line]()

        def take() -> Line | None:
            """The next line: lines given back by a failed row first, then the file's."""
            return replay.popleft() if replay else next(source, None)

        while item := take():
            number, line, too_long = item
            if too_long:
                yield number, None, f"the line is over {limit:,} characters long"
            elif '"' not in line:  # the fast path for most rows
                yield number, line.split(delimiter), None
            else:
                fields, error, taken = _split_quoted(line, table, take)
                replay.extendleft(reversed(taken if error else []))
                yield number, fields, error


def _split_quoted(line: str, table: Table, take: Callable[[], Line | None]
                  ) -> tuple[list[str] | None, str | None, list[Line]]:
    """Split a row holding quotes, as RFC 4180: a quote opens a value only at its start and ""
    inside stands for one quote. Returns (fields or None, error or None, lines taken after it)."""
    d, max_field, pos, total = table.delimiter or ",", table.max_field, 0, len(line)
    fields: list[str] = []
    taken: list[Line] = []
    while True:
        if not line.startswith('"', pos):  # unquoted: any quote inside is plain text
            end = line.find(d, pos)
            fields.append(line[pos:] if end < 0 else line[pos:end])
            if end < 0:
                return fields, None, taken
            pos = end + 1
            continue
        parts, size, pos = [], 0, pos + 1
        while (match := _QUOTED_TEXT.match(line, pos)).end() == len(line):  # runs past its line
            parts.append(match.group() + "\n")
            size += len(parts[-1])
            item = take()
            taken += [item] if item else []
            total += len(item[1]) if item else 0
            if not item or item[2] or size > max_field or total > 4 * max_field or len(taken) >= table.max_row_lines:
                return None, UNCLOSED, taken
            line, pos = item[1], 0
        fields.append("".join(parts + [match.group()]).replace('""', '"'))
        pos = match.end() + 1  # past the closing quote
        if pos == len(line):
            return fields, None, taken
        if line[pos] != d:  # on a later line this is a quote left open above, not stray text
            return None, UNCLOSED if taken else (
                f"a quoted value is followed by other text before the next {_SPOKEN[d]}; "
                "quote the whole value and double each quote inside it"), taken
        pos += 1


def _xlsx_records(path: Path) -> Iterator[Record]:
    """The first sheet's rows as text, trailing empty cells dropped. data_only=False keeps each
    formula rather than its cached result, so formulas are reported and never taken as data."""
    from openpyxl import load_workbook
    with path.open("rb") as f:  # a file object, so openpyxl does not insist on an .xlsx name
        try:
            book = load_workbook(f, read_only=True, data_only=False)
        except Exception as error:  # hostile workbooks fail in many ways; all mean the same to a user
            raise TableError(NOT_READABLE) from error
        with closing(book):
            if not book.worksheets:
                raise TableError(f"{NOT_READABLE}: the workbook has no sheet")
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # the stated size may be wrong; read the rows that are there
            try:
                for number, cells in enumerate(sheet.iter_rows(), start=1):
                    yield number, *_xlsx_row(cells)
            except Exception as error:  # a damaged sheet fails mid-way, in as many ways as a workbook
                raise TableError(f"{NOT_READABLE}: its first sheet is damaged") from error


def _xlsx_row(cells: tuple[Any, ...]) -> tuple[list[str] | None, str | None]:
    """(fields, None) for a row of values, or (None, why) when a cell holds a formula or an error."""
    problems = []
    for cell in cells:
        if cell.data_type == "f":  # array formulas come as objects holding the text
            formula = str(getattr(cell.value, "text", cell.value))
            problems.append(f"cell {cell.coordinate} holds a formula ({_short(formula)}); imports take values only")
        elif cell.data_type == "e":
            problems.append(f"cell {cell.coordinate} holds the error {cell.value}")
    if problems:
        return None, "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
    fields = [cell_text(cell.value) for cell in cells]
    while fields and not fields[-1].strip():
        fields.pop()
    return fields, None


def _header(names: list[str], number: int) -> list[str]:
    """The column names, stripped and without a byte order mark, or TableError saying what is wrong."""
    from openpyxl.utils import get_column_letter
    if len(names) > MAX_COLUMNS:
        raise TableError(f"the header (row {number}) has {len(names):,} columns, over the {MAX_COLUMNS:,} limit")
    seen: dict[str, str] = {}
    for index, raw in enumerate(names, start=1):
        name, column = raw.replace("\ufeff", "").strip(), get_column_letter(index)
        if not name:
            raise TableError(f"column {column} of the header (row {number}) has no name")
        if name in seen:
            raise TableError(f"the header names “{_short(name)}” twice, in columns {seen[name]} and {column}")
        seen[name] = column
    return list(seen)


def _problem(table: Table, number: int, fields: list[str]) -> str | None:
    """Why a row that parsed cannot be taken as it is, or None."""
    from openpyxl.utils import get_column_letter
    width, count = len(table.header), len(fields)
    columns = f"{width} column{'s' * (width != 1)}"
    if count > width and table.kind == "xlsx":
        extra = next(i for i in range(width, count) if fields[i].strip())
        return f"cell {get_column_letter(extra + 1)}{number} has a value but the header has {columns}"
    if count != width and table.kind == "csv":
        hint = f" (a value holding {_SPOKEN[table.delimiter or ',']} must be in quotes)" if count > width else ""
        return f"{count} value{'s' * (count != 1)}, the header has {columns}{hint}"
    longest = max(map(len, fields))
    if longest > table.max_field:
        return f"a value is {longest:,} characters long, over the {table.max_field:,} limit"
    return None


def _short(text: str, width: int = 60) -> str:
    """text cut to width characters, for quoting it in a message."""
    return text if len(text) <= width else text[: width - 1] + "…"
