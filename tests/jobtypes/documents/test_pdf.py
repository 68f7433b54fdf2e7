"""Checking, merging and thumbnailing PDFs (bgjobs.jobtypes.documents.pdf)."""
from __future__ import annotations

import gc

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from bgjobs.jobtypes.documents import samples
from bgjobs.jobtypes.documents.pdf import (DocumentError, Stopped, check_pdf, collections_paused, merge, page_texts,
                                          thumbnail)


def _parts(tmp_path, *page_counts):
    return [
        (samples.make_pdf(tmp_path / f"part{i}.pdf", pages, f"Part {i} page {{n}}"), f"Part {i}")
        for i, pages in enumerate(page_counts)
    ]


def _leftovers(folder) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_check_pdf_counts_pages(tmp_path):
    assert check_pdf(samples.make_pdf(tmp_path / "a.pdf", 3)) == 3


@pytest.mark.parametrize("make, reason", [
    (samples.make_corrupt_pdf, "not a readable PDF"),
    (lambda path: samples.make_encrypted_pdf(path, "secret"), "password-protected"),
    (samples.make_zero_page_pdf, "has no pages"),
])
def test_check_pdf_explains_unusable_files(tmp_path, make, reason):
    with pytest.raises(DocumentError, match=reason):
        check_pdf(make(tmp_path / "bad.pdf"))


def test_merge_keeps_order_and_page_count(tmp_path):
    parts = _parts(tmp_path, 2, 1, 3)
    assert merge(parts, tmp_path / "out.pdf") == 6
    texts = [t.strip() for t in page_texts(tmp_path / "out.pdf")]
    expected = [t.strip() for path, _ in parts for t in page_texts(path)]
    assert texts == expected == [
        "Part 0 page 1", "Part 0 page 2", "Part 1 page 1", "Part 2 page 1", "Part 2 page 2", "Part 2 page 3",
    ]


def test_merge_adds_one_bookmark_per_part_on_its_first_page(tmp_path):
    parts = _parts(tmp_path, 2, 1, 3)
    merge(parts, tmp_path / "out.pdf")
    reader = PdfReader(tmp_path / "out.pdf")
    outline = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    assert outline == [("Part 0", 0), ("Part 1", 2), ("Part 2", 3)]


def test_merge_keeps_each_parts_page_labels(tmp_path):
    labelled = samples.make_pdf(tmp_path / "labelled.pdf", 4, page_labels=[(0, "/r", None, 1), (2, "/D", "A-", 1)])
    plain = samples.make_pdf(tmp_path / "plain.pdf", 2)
    merge([(plain, "Plain"), (labelled, "Labelled"), (plain, "Plain again")], tmp_path / "out.pdf")
    # Unlabelled parts show their position in the merged file; the labelled one keeps its own.
    assert PdfReader(tmp_path / "out.pdf").page_labels == ["1", "2", "i", "ii", "A-1", "A-2", "7", "8"]


def test_merge_without_any_labels_adds_none(tmp_path):
    merge(_parts(tmp_path, 1, 2), tmp_path / "out.pdf")
    assert "/PageLabels" not in PdfReader(tmp_path / "out.pdf").root_object


def test_merge_reports_progress_after_each_part(tmp_path):
    calls = []
    merge(_parts(tmp_path, 1, 1, 1), tmp_path / "out.pdf", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_stop_between_parts_leaves_no_file(tmp_path):
    checks = []

    def should_stop() -> bool:
        checks.append(1)
        return len(checks) > 2

    with pytest.raises(Stopped):
        merge(_parts(tmp_path, 1, 1, 1, 1), tmp_path / "out.pdf", should_stop=should_stop)
    assert not (tmp_path / "out.pdf").exists()
    assert _leftovers(tmp_path) == []


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    def broken_write(self, stream):
        stream.write(b"%PDF-1.7 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(PdfWriter, "write", broken_write)
    with pytest.raises(OSError):
        merge(_parts(tmp_path, 1), tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("make, reason", [
    (samples.make_corrupt_pdf, "not a readable PDF"),
    (lambda path: samples.make_encrypted_pdf(path, "secret"), "password-protected"),
    (samples.make_zero_page_pdf, "has no pages"),
])
def test_an_unusable_part_is_named(tmp_path, make, reason):
    parts = _parts(tmp_path, 1) + [(make(tmp_path / "bad.pdf"), "Signed contract")]
    with pytest.raises(DocumentError, match=reason) as error:
        merge(parts, tmp_path / "out.pdf")
    assert "Signed contract" in str(error.value)
    assert not (tmp_path / "out.pdf").exists()


def test_merge_of_nothing_is_an_error(tmp_path):
    with pytest.raises(DocumentError):
        merge([], tmp_path / "out.pdf")


def test_merge_handles_many_small_parts(tmp_path):
    parts = [(samples.make_pdf(tmp_path / f"{i}.pdf", text=f"Doc {i}"), f"Doc {i}") for i in range(300)]
    assert merge(parts, tmp_path / "out.pdf") == 300
    texts = page_texts(tmp_path / "out.pdf")
    assert [t.strip() for t in texts[::50]] == [f"Doc {i}" for i in range(0, 300, 50)]
    assert len(PdfReader(tmp_path / "out.pdf").outline) == 300


def test_thumbnail_fits_max_px(tmp_path):
    src = samples.make_pdf(tmp_path / "a.pdf", 2)
    assert thumbnail(src, tmp_path / "thumb.png", page=1, max_px=120) == Image.open(tmp_path / "thumb.png").size
    width, height = Image.open(tmp_path / "thumb.png").size
    assert height == 120 and 80 <= width <= 90  # A4 keeps its aspect


def test_thumbnail_of_a_missing_page_is_an_error(tmp_path):
    with pytest.raises(DocumentError, match="no page 3"):
        thumbnail(samples.make_pdf(tmp_path / "a.pdf", 2), tmp_path / "thumb.png", page=2)


def test_the_garbage_collector_is_paused_only_while_merging(tmp_path):
    seen = []
    merge(_parts(tmp_path, 1, 1), tmp_path / "out.pdf", progress=lambda done, total: seen.append(gc.isenabled()))
    assert seen == [False, False] and gc.isenabled()
    with pytest.raises(DocumentError):  # a failing merge turns it back on too
        merge(_parts(tmp_path, 1) + [(samples.make_corrupt_pdf(tmp_path / "bad.pdf"), "Bad")], tmp_path / "x.pdf")
    assert gc.isenabled()


def test_a_paused_collector_stays_paused_after_a_nested_pause():
    gc.disable()
    try:
        with collections_paused():
            pass
        assert not gc.isenabled()  # the outer pause is not ended by the inner one
    finally:
        gc.enable()


def test_the_bookmarks_are_plain_destinations_that_viewers_follow(tmp_path):
    merge(_parts(tmp_path, 2, 1), tmp_path / "out.pdf")
    reader = PdfReader(tmp_path / "out.pdf")
    first = reader.trailer["/Root"]["/Outlines"]["/First"].get_object()
    assert "/A" not in first and first["/Dest"][1] == "/Fit"
    assert first["/Dest"][0].get_object() == reader.pages[0].get_object()
