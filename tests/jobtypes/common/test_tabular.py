"""The streaming table reader: encodings, delimiters, every kind of malformed row reported with
its number (and the rows after it still read), XLSX values and formulas, and flat memory."""
from __future__ import annotations

import datetime as dt
import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from bgjobs.jobtypes.common.tabular import NOT_READABLE, UNCLOSED, Table, TableError, open_table


def write(tmp_path: Path, data: bytes | str, name: str = "upload.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def rows(table: Table) -> list[tuple[int, dict[str, str] | str | None]]:
    """(number, values) for good rows, (number, error) for bad ones."""
    return [(row.number, row.values if row.error is None else row.error) for row in table]


@pytest.mark.parametrize("data, encoding", [
    ("Name,Qty\nCafé,3\n".encode(), "utf-8"),
    (b"\xef\xbb\xbf" + "Name,Qty\nCafé,3\n".encode(), "utf-8-sig"),
    (b"Name,Qty\nCaf\xe9,3\n", "cp1252"),  # é is one byte, not valid UTF-8
])
def test_encodings_are_detected_and_decoded(tmp_path, data, encoding):
    table = open_table(write(tmp_path, data))
    assert (table.kind, table.encoding, table.header, table.header_row) == ("csv", encoding, ["Name", "Qty"], 1)
    assert rows(table) == [(2, {"Name": "Café", "Qty": "3"})]


def test_a_bad_byte_late_in_a_large_file_still_means_windows_1252(tmp_path):
    data = b"Name,Qty\n" + b"plain,1\n" * 20_000 + b"Caf\xe9,2\n"  # past the first read chunk
    table = open_table(write(tmp_path, data))
    assert table.encoding == "cp1252" and list(table)[-1].values == {"Name": "Café", "Qty": "2"}


def test_text_that_is_neither_utf8_nor_windows_1252_is_refused(tmp_path):
    with pytest.raises(TableError, match="neither UTF-8 nor Windows-1252"):
        open_table(write(tmp_path, b"Name\nab\x81\xff\n"))
    with pytest.raises(TableError, match="marked as UTF-8 but line 3"):
        open_table(write(tmp_path, b"\xef\xbb\xbfName\nok\nCaf\xe9\n"))


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiters_are_sniffed_from_the_header(tmp_path, delimiter):
    text = delimiter.join(["Name", "Price, EUR", "Qty"]) + "\n" + delimiter.join(["a,b", "1,5", "2"]) + "\n"
    table = open_table(write(tmp_path, text))
    assert table.delimiter == delimiter and table.header == ["Name", "Price, EUR", "Qty"]
    assert rows(table) == [(2, {"Name": "a,b", "Price, EUR": "1,5", "Qty": "2"})]


def test_a_comma_inside_quotes_does_not_decide_the_delimiter(tmp_path):
    assert open_table(write(tmp_path, '"a,b,c";d\n1;2\n')).delimiter == ";"


def test_short_long_and_oversize_rows_are_errors_with_their_numbers(tmp_path):
    big = "x" * 200_000
    text = f"a,b,c,d\n1,2,3,4\n\n1,2,3\n1,2,3,4,5\n1,{big},3,4\n5,6,7,8\n"
    assert rows(open_table(write(tmp_path, text))) == [
        (2, {"a": "1", "b": "2", "c": "3", "d": "4"}),
        (4, "row 4: 3 values, the header has 4 columns"),
        (5, "row 5: 5 values, the header has 4 columns (a value holding “,” must be in quotes)"),
        (6, "row 6: a value is 200,000 characters long, over the 131,072 limit"),
        (7, {"a": "5", "b": "6", "c": "7", "d": "8"}),
    ]


def test_a_line_too_long_to_read_is_one_error(tmp_path):
    table = open_table(write(tmp_path, "a,b\n" + "x" * 600_000 + "\n1,2"))
    assert rows(table) == [(2, "row 2: the line is over 524,288 characters long"), (3, {"a": "1", "b": "2"})]


def test_an_unbalanced_quote_costs_its_row_only(tmp_path):
    text = 'a,b,c\n1,2,3\n4,"5,6\n7,8,9\n10,"eleven",12\n13,14,15'
    assert rows(open_table(write(tmp_path, text))) == [
        (2, {"a": "1", "b": "2", "c": "3"}),
        (3, f"row 3: {UNCLOSED}"),
        (4, {"a": "7", "b": "8", "c": "9"}),
        (5, {"a": "10", "b": "eleven", "c": "12"}),
        (6, {"a": "13", "b": "14", "c": "15"}),
    ]


def test_an_unbalanced_quote_never_closed_in_a_long_file_stops_at_the_line_bound(tmp_path):
    text = 'a,b\n1,"open\n' + "".join(f"{n},x\n" for n in range(3, 1003))
    table = open_table(write(tmp_path, text), max_row_lines=10)
    found = rows(table)
    assert found[0] == (2, f"row 2: {UNCLOSED}")
    assert found[1:] == [(n, {"a": str(n), "b": "x"}) for n in range(3, 1003)]


def test_quoted_values_may_span_lines_and_hold_quotes(tmp_path):
    text = 'id,note,qty\r\n1,"line one\r\nline two",3\r\n2,"say ""hi""",4\r\n3,5\'10" tall,5\r\n4,x,6\r\n'
    assert rows(open_table(write(tmp_path, text))) == [
        (2, {"id": "1", "note": "line one\nline two", "qty": "3"}),
        (4, {"id": "2", "note": 'say "hi"', "qty": "4"}),
        (5, {"id": "3", "note": "5'10\" tall", "qty": "5"}),  # a quote inside an unquoted value is text
        (6, {"id": "4", "note": "x", "qty": "6"}),
    ]


def test_text_after_a_closing_quote_is_an_error(tmp_path):
    found = rows(open_table(write(tmp_path, 'a,b\n"x"y,2\n3,4\n')))
    assert found[0][1].startswith("row 2: a quoted value is followed by other text") and found[1] == (3, {"a": "3", "b": "4"})


def test_blank_lines_and_empty_rows_are_skipped(tmp_path):
    table = open_table(write(tmp_path, "\n\nName , Qty\n\n  \nA,1\n,\n\nB,2\n\n"))
    assert table.header == ["Name", "Qty"] and table.header_row == 3
    assert rows(table) == [(6, {"Name": "A", "Qty": "1"}), (9, {"Name": "B", "Qty": "2"})]


@pytest.mark.parametrize("data, message", [
    ("Name,Qty,Name\n1,2,3\n", "the header names “Name” twice, in columns A and C"),
    ("Name,,Qty\n1,2,3\n", "column B of the header (row 1) has no name"),
    ("Name,Qty,\n1,2,\n", "column C of the header (row 1) has no name"),
    ('Name,"Qty\n', "the header (row 1) cannot be read"),
    ("", "the file is empty"),
    ("\n \n", "the file is empty"),
])
def test_bad_headers_are_refused_on_open(tmp_path, data, message):
    with pytest.raises(TableError, match=re.escape(message)):
        open_table(write(tmp_path, data))


def test_iterating_again_reads_the_file_again(tmp_path):
    table = open_table(write(tmp_path, "a\n1\n2\n"))
    assert rows(table) == rows(table) == [(2, {"a": "1"}), (3, {"a": "2"})]


def workbook(tmp_path: Path, *rows_: list, name: str = "upload.xlsx") -> Path:
    book = Workbook()
    for row in rows_:
        book.active.append(row)
    book.active["A40"].font = Font(bold=True)  # a styled, empty trailing row
    book.save(tmp_path / name)
    return tmp_path / name


def test_xlsx_values_read_as_a_user_typed_them(tmp_path):
    path = workbook(tmp_path, ["Name", "Qty", "Price", "Due", "At", "Ok"],
                    ["Widget", 3, 0.1 + 0.2, dt.date(2024, 3, 5), dt.datetime(2024, 3, 5, 14, 30), True],
                    ["Short", 12.0], [None], ["Last", 1, 2.5, None, None, False],
                    name="upload.tmp")  # detected by content, not by name
    table = open_table(path)
    assert (table.kind, table.header, table.encoding, table.delimiter) == (
        "xlsx", ["Name", "Qty", "Price", "Due", "At", "Ok"], None, None)
    assert rows(table) == [
        (2, {"Name": "Widget", "Qty": "3", "Price": "0.3", "Due": "2024-03-05", "At": "2024-03-05 14:30:00", "Ok": "TRUE"}),
        (3, {"Name": "Short", "Qty": "12", "Price": "", "Due": "", "At": "", "Ok": ""}),
        (5, {"Name": "Last", "Qty": "1", "Price": "2.5", "Due": "", "At": "", "Ok": "FALSE"}),
    ]


def test_xlsx_formulas_and_cells_beyond_the_header_are_row_errors(tmp_path):
    path = workbook(tmp_path, ["Name", "Qty", "Total"], ["a", 1, "=SUM(B2:B3)"], ["b", 2, 3, None, "x"], ["c", 3, 4])
    assert rows(open_table(path)) == [
        (2, "row 2: cell C2 holds a formula (=SUM(B2:B3)); imports take values only"),
        (3, "row 3: cell E3 has a value but the header has 3 columns"),
        (4, {"Name": "c", "Qty": "3", "Total": "4"}),
    ]


def test_xlsx_header_problems_are_refused(tmp_path):
    with pytest.raises(TableError, match="the header names “a” twice"):
        open_table(workbook(tmp_path, ["a", "b", "a"]))
    with pytest.raises(TableError, match="holds a formula"):
        open_table(workbook(tmp_path, ["a", "=1+1"]))


def test_files_that_are_not_tables_are_refused(tmp_path):
    with pytest.raises(TableError, match=NOT_READABLE):
        open_table(write(tmp_path, bytes(range(256)) * 8, "junk.csv"))
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(TableError, match=NOT_READABLE):
        open_table(tmp_path / "other.zip")
    with pytest.raises(TableError, match=NOT_READABLE):
        open_table(write(tmp_path, b"PK\x03\x04 broken", "broken.xlsx"))
    with pytest.raises(TableError, match=NOT_READABLE):  # a workbook read as CSV is binary
        open_table(workbook(tmp_path, ["a"]), kind="csv")
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(workbook(tmp_path, ["a"], ["b"])) as good, zipfile.ZipFile(damaged, "w") as bad:
        for name in good.namelist():  # the same workbook, its sheet cut off mid-way
            data = good.read(name)
            bad.writestr(name, data[: len(data) // 2] if name.endswith("sheet1.xml") else data)
    with pytest.raises(TableError, match="its first sheet is damaged"):
        open_table(damaged)
    with pytest.raises(TableError, match="old .xls"):
        open_table(write(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "old.xls"))
    with pytest.raises(TableError, match="UTF-16"):
        open_table(write(tmp_path, "Name\nx\n".encode("utf-16"), "wide.csv"))


def generated_csv(tmp_path: Path, count: int) -> Path:
    """count rows, every tenth with a quoted comma and every hundredth with a quoted newline."""
    with (tmp_path / f"rows-{count}.csv").open("w", encoding="utf-8") as f:
        f.write("id,name,price,note\n")
        for n in range(count):
            note = '"multi\nline"' if n % 100 == 0 else '"a, b"' if n % 10 == 0 else "plain note"
            f.write(f"{n},Item number {n},{n * 1.25},{note}\n")
    return tmp_path / f"rows-{count}.csv"


def peak_while_reading(path: Path) -> tuple[int, int]:
    """(rows read, peak traced bytes) for one full pass, rows counted and dropped."""
    tracemalloc.start()
    try:
        count = sum(1 for row in open_table(path) if row.values)
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_in_the_number_of_rows(tmp_path):
    small, large = generated_csv(tmp_path, 2_000), generated_csv(tmp_path, 200_000)
    peak_while_reading(small)  # warm up: first-use caches are not the reader's
    (small_rows, small_peak), (large_rows, large_peak) = peak_while_reading(small), peak_while_reading(large)
    assert (small_rows, large_rows) == (2_000, 200_000)
    assert large_peak < 2 * small_peak and large_peak < 2 * 1024 * 1024, (small_peak, large_peak)
