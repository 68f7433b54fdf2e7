"""Spreadsheet cell values, both ways: what a cell read from a workbook says as text, and what
is safe to write into a cell of an export.

Writing: Excel and LibreOffice treat a cell whose text starts with = + - @ (or a tab or
carriage return, which they skip before looking again) as a formula. An item titled
'=HYPERLINK("http://evil.example","Invoice")' would become a live link in whoever opens the
export, and DDE payloads can run commands. openpyxl likewise stores any string beginning with
"=" as a formula. So, as OWASP advises against CSV injection, such text gets a leading single
quote, which the spreadsheet shows as the text was typed. Genuine numbers pass: int and float
values stay numbers, and text that is a plain number ("-12.5") is kept so negatives stay negative."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar, overload

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

K = TypeVar("K")


def is_formula_like(value: object) -> bool:
    """Whether a spreadsheet would take this value for a formula: text starting with one of
    FORMULA_STARTS that is not simply a number."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value)


def neutralise(value: Any) -> Any:
    """The value to write into an exported cell: formula-like text prefixed with a single quote,
    anything else (numbers, None, dates, ordinary text) unchanged."""
    return "'" + value if is_formula_like(value) else value


@overload
def neutralise_row(values: Mapping[K, Any]) -> dict[K, Any]: ...
@overload
def neutralise_row(values: Iterable[Any]) -> list[Any]: ...
def neutralise_row(values: Mapping[K, Any] | Iterable[Any]) -> dict[K, Any] | list[Any]:
    """neutralise() for every value of a row: a mapping keeps its keys, any other iterable
    (a list of cells, a generator) becomes a list."""
    if isinstance(values, Mapping):
        return {key: neutralise(value) for key, value in values.items()}
    return [neutralise(value) for value in values]


def cell_text(value: object) -> str:
    """A value read from a workbook cell as a user would have typed it: "" for empty, 12 not
    12.0, 0.3 not 0.30000000000000004 (Excel shows 15 significant digits), ISO dates
    ("2024-03-05", or "2024-03-05 14:30:00" with a time), TRUE/FALSE for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        text = format(value, ".15g")
        return format(Decimal(text), "f") if "e" in text else text  # 1e-05 is typed 0.00001
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)
