"""Imposition: fill page and copies only (bgjobs.jobtypes.documents.impose)."""
from __future__ import annotations

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream

from bgjobs.jobtypes.documents import samples
from bgjobs.jobtypes.documents.impose import MM, copies_only, impose, plan
from bgjobs.jobtypes.documents.pdf import DocumentError, Stopped, page_texts


def _cards(tmp_path, count, size_mm=(85, 55)):
    return [samples.make_pdf(tmp_path / f"card{i}.pdf", text=f"Card {i}", size_mm=size_mm) for i in range(count)]


def _line_count(page) -> int:
    """Straight line segments (`l`) on a sheet: the plain test pages draw none, crop marks do."""
    return sum(op == b"l" for _, op in ContentStream(page.get_contents(), page.pdf).operations)


def test_business_cards_fill_an_a4_sheet_two_by_five():
    layout = plan((85 * MM, 55 * MM), "A4")
    assert (layout.columns, layout.rows, layout.per_sheet, layout.landscape) == (2, 5, 10, False)


def test_twelve_cards_need_two_sheets(tmp_path):
    result = impose(_cards(tmp_path, 12), tmp_path / "sheets.pdf", bleed_mm=3)
    assert (result.sheets, result.per_sheet, result.placements) == (2, 10, 12)
    reader = PdfReader(tmp_path / "sheets.pdf")
    assert len(reader.pages) == 2
    assert [round(float(v) / MM) for v in reader.pages[0].mediabox[2:]] == [210, 297]
    first, second = page_texts(tmp_path / "sheets.pdf")
    assert all(f"Card {i}" in first for i in range(10))
    assert "Card 10" in second and "Card 11" in second and "Card 9" not in second


def test_copies_double_the_placements_in_sequence(tmp_path):
    result = impose(_cards(tmp_path, 12), tmp_path / "sheets.pdf", copies=2)
    assert (result.sheets, result.placements) == (3, 24)
    first = page_texts(tmp_path / "sheets.pdf")[0].split()
    assert first.count("0") == 2 and first.count("4") == 2 and "5" not in first  # 0, 0, 1, 1, … 4, 4


def test_crop_marks_are_drawn_outside_the_cards(tmp_path):
    cards = _cards(tmp_path, 3)
    impose(cards, tmp_path / "marked.pdf", crop_marks=True)
    impose(cards, tmp_path / "plain.pdf", crop_marks=False)
    # 3 vertical cut lines (2 columns) and 6 horizontal ones (5 rows), marked at both ends.
    assert _line_count(PdfReader(tmp_path / "marked.pdf").pages[0]) == 2 * 3 + 2 * 6
    assert _line_count(PdfReader(tmp_path / "plain.pdf").pages[0]) == 0


def test_a5_on_a4_is_two_per_sheet(tmp_path):
    result = impose(_cards(tmp_path, 3, size_mm=(148, 210)), tmp_path / "sheets.pdf")
    assert (result.per_sheet, result.sheets, result.columns, result.rows) == (2, 2, 2, 1)
    assert result.warnings  # no room on the sheet for the bleed: the caller can say so


def test_a_page_larger_than_half_the_sheet_gets_a_sheet_of_its_own(tmp_path):
    result = impose(_cards(tmp_path, 2, size_mm=(180, 250)), tmp_path / "sheets.pdf")
    assert (result.per_sheet, result.sheets) == (1, 2)


def test_outputs_must_share_one_size(tmp_path):
    cards = _cards(tmp_path, 2) + [samples.make_pdf(tmp_path / "flyer.pdf", size_mm=(148, 210))]
    with pytest.raises(DocumentError, match="flyer.pdf"):
        impose(cards, tmp_path / "sheets.pdf")


def test_an_output_larger_than_the_sheet_is_an_error(tmp_path):
    with pytest.raises(DocumentError, match="larger than the A4 sheet"):
        impose(_cards(tmp_path, 1, size_mm=(297, 420)), tmp_path / "sheets.pdf")


def _clips_mm(path) -> list[tuple[float, ...]]:
    """The clipping rectangles (`re W`) on the first sheet, as (left, bottom, right, top) in mm."""
    ops = ContentStream(PdfReader(path).pages[0].get_contents(), None).operations
    rects = [args for (args, op), (_, following) in zip(ops, ops[1:]) if op == b"re" and following == b"W"]
    return [tuple(round(float(v) / MM, 1) for v in (x, y, x + w, y + h)) for x, y, w, h in rects]


@pytest.mark.parametrize("bleed_box", [True, False])
def test_each_placement_shows_the_bleed_on_its_outer_edges(tmp_path, bleed_box):
    background = samples.make_background(tmp_path / "bg.pdf", 85, 55, bleed_mm=3)
    if not bleed_box:  # bleed only in the media box, as many PDFs have it
        writer = PdfWriter(clone_from=background)
        del writer.pages[0]["/BleedBox"]
        writer.write(background)
    impose([background], tmp_path / "sheets.pdf", bleed_mm=3, copies=2)
    # In the page's own coordinates the trim is 3…88 × 3…58 mm. The top-left card shows its bleed
    # on the left and top, its neighbour on the right and top; none where they meet or below.
    assert _clips_mm(tmp_path / "sheets.pdf")[:2] == [(0, 3, 88, 61), (3, 3, 91, 61)]


def test_stop_leaves_no_file(tmp_path):
    with pytest.raises(Stopped):
        impose(_cards(tmp_path, 12), tmp_path / "sheets.pdf", should_stop=lambda: True)
    assert not (tmp_path / "sheets.pdf").exists()


def test_copies_only_repeats_pages(tmp_path):
    assert copies_only(_cards(tmp_path, 2), tmp_path / "out.pdf", copies=3) == 6
    assert [t.strip() for t in page_texts(tmp_path / "out.pdf")] == ["Card 0"] * 3 + ["Card 1"] * 3
