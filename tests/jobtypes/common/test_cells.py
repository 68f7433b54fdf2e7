"""Cell values: formula-like text is neutralised for exports (and survives an openpyxl round
trip as text), numbers are kept, and workbook values read back as a user typed them."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook

from bgjobs.jobtypes.common.cells import cell_text, is_formula_like, neutralise, neutralise_row

DANGEROUS = [
    '=HYPERLINK("http://evil.example","Invoice")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
    "-",
    "+44 20 7946 0958",  # a phone number is text, and Excel would compute it
]
SAFE = ["-12.5", "+7", "-3", "1e5", "-1.5E-3", ".5", "plain text", "a=b", "", "'already quoted"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_like_text_gets_a_leading_quote(value):
    assert is_formula_like(value)
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", SAFE)
def test_plain_numbers_and_ordinary_text_are_kept(value):
    assert not is_formula_like(value)
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [-12.5, -3, 0, True, None, dt.date(2024, 3, 5), dt.datetime(2024, 3, 5, 9)])
def test_non_text_values_pass_unchanged(value):
    assert neutralise(value) is value


def test_rows_keep_their_shape():
    assert neutralise_row(["=1+1", -4, "-4", None]) == ["'=1+1", -4, "-4", None]
    assert neutralise_row({"title": "@x", "qty": 2}) == {"title": "'@x", "qty": 2}
    assert neutralise_row(value for value in ["+x"]) == ["'+x"]


def test_neutralised_cells_are_text_after_an_openpyxl_round_trip(tmp_path):
    book = Workbook()
    book.active.append(DANGEROUS)  # unneutralised, as the exports do today
    book.active.append(neutralise_row(DANGEROUS + SAFE + [-12.5, 7]))
    book.save(tmp_path / "export.xlsx")
    raw, safe = load_workbook(tmp_path / "export.xlsx").active.iter_rows()
    assert any(cell.data_type == "f" for cell in raw)  # the danger is real without neutralising
    assert all(cell.data_type != "f" for cell in safe)
    expected = ["'" + value.replace("\r", "\n") for value in DANGEROUS]  # XML reads a lone CR as LF
    assert [cell.value for cell in safe][: len(DANGEROUS)] == expected
    assert [cell.value for cell in safe][-2:] == [-12.5, 7]


@pytest.mark.parametrize("value, text", [
    (None, ""),
    (3, "3"),
    (12.0, "12"),
    (0.1 + 0.2, "0.3"),
    (1e-05, "0.00001"),
    (2.5e20, "250000000000000000000"),
    (True, "TRUE"),
    (dt.datetime(2024, 3, 5), "2024-03-05"),
    (dt.datetime(2024, 3, 5, 14, 30), "2024-03-05 14:30:00"),
    (dt.date(2024, 3, 5), "2024-03-05"),
    (dt.time(9, 15), "09:15:00"),
    ("as is ", "as is "),
])
def test_cell_text_is_what_a_user_would_type(value, text):
    assert cell_text(value) == text
