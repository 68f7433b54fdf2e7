"""Imposition for print: "fill page" places as many outputs (all of one trim size) as fit on a
sheet in a grid, with their bleed and crop marks; copies_only repeats pages when it is off.

The grid counts trim boxes: n across when n trims and the n - 1 gaps fit the sheet, trying the
sheet both ways up. Adjacent outputs share a cut when gap_mm is 0 (85 × 55 mm cards: 2 × 5 on
A4). Bleed is shown where there is room for it, up to bleed_mm: on the grid's outer edges as
far as the sheet allows, between outputs up to half the gap, so no output covers its neighbour.
Crop marks extend each cut line beyond the grid's bleed, drawn once as a reportlab overlay."""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bgjobs.jobs import horse_heap

from .fields import register_fonts
from .pdf import DocumentError, Progress, ShouldStop, StrPath, check_stop, collections_paused, open_pdf, save

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    from pypdf import PageObject, PdfReader, PdfWriter, Transformation
    from pypdf.generic import NameObject, RectangleObject
    from reportlab.pdfgen.canvas import Canvas

MM = 72 / 25.4
SHEETS_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0), "Letter": (215.9, 279.4)}
MARK_LENGTH_MM = 5.0
MARK_MIN_OFFSET_MM = 2.0  # marks keep clear of the trim even without bleed
MARK_WIDTH_PT = 0.25
SIZE_TOLERANCE_PT = 1.0  # outputs "of the same size" may differ by rounding


@dataclass(frozen=True)
class Layout:
    """A grid of trim boxes on a sheet placed `sheet` = (width, height) points, centred."""

    sheet: tuple[float, float]
    trim: tuple[float, float]
    columns: int
    rows: int
    gap: float
    left: float  # the grid's outer trim edges
    bottom: float

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def landscape(self) -> bool:
        return self.sheet[0] > self.sheet[1]

    def slots(self) -> list[tuple[int, int, float, float]]:
        """(column, row, x, y) of each trim box's lower-left corner, in reading order."""
        width, height = self.trim
        return [
            (c, r, self.left + c * (width + self.gap), self.bottom + r * (height + self.gap))
            for r in reversed(range(self.rows)) for c in range(self.columns)
        ]


@dataclass(frozen=True)
class ImposeResult:
    """What impose() wrote: its sheets, outputs per sheet and how they were laid out."""

    sheets: int
    per_sheet: int
    placements: int = 0
    columns: int = 0
    rows: int = 0
    landscape: bool = False
    warnings: tuple[str, ...] = ()


def plan(trim: tuple[float, float], sheet: str = "A4", *, gap_mm: float = 0.0) -> Layout:
    """The grid with the most trim boxes (points) on `sheet`, either way up; portrait on a tie.
    A trim bigger than half the sheet gets one per sheet; bigger than the sheet, DocumentError."""
    if sheet not in SHEETS_MM:
        raise DocumentError(f"Unknown sheet size “{sheet}” (use {', '.join(SHEETS_MM)})")
    short, long = (v * MM for v in SHEETS_MM[sheet])
    gap = max(0.0, gap_mm) * MM
    best: Layout | None = None
    for width, height in ((short, long), (long, short)):
        columns = _count(width, trim[0], gap)
        rows = _count(height, trim[1], gap)
        if columns * rows and (best is None or columns * rows > best.per_sheet):
            left = (width - columns * trim[0] - (columns - 1) * gap) / 2  # the grid is centred
            bottom = (height - rows * trim[1] - (rows - 1) * gap) / 2
            best = Layout((width, height), trim, columns, rows, gap, left, bottom)
    if best is None:
        raise DocumentError(f"The outputs ({trim[0] / MM:.0f} × {trim[1] / MM:.0f} mm) "
                            f"are larger than the {sheet} sheet")
    return best


def _count(space: float, size: float, gap: float) -> int:
    return max(0, int((space + gap + 0.01) // (size + gap)))  # 0.01 pt: rounded page sizes


@collections_paused()
def impose(
    src_pdfs: Sequence[StrPath], dst: StrPath, *, sheet: str = "A4", copies: int = 1, bleed_mm: float = 3.0,
    crop_marks: bool = True, gap_mm: float = 0.0, progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> ImposeResult:
    """Fill sheets with every page of each input, `copies` times per input in sequence, into
    `dst` (atomically). progress(sheets done, sheets) after each sheet; should_stop is checked
    before each sheet (Stopped, nothing written)."""
    from pypdf import PdfWriter
    if copies < 1:
        raise DocumentError("The number of copies must be at least 1")
    readers = _open_all(src_pdfs)
    trim = _same_trim(readers, src_pdfs)
    layout = plan(trim, sheet, gap_mm=gap_mm)
    bleed = max(0.0, bleed_mm) * MM
    sequence = [page for reader in readers for _ in range(copies) for page in reader.pages]
    sheets = -(-len(sequence) // layout.per_sheet)
    warnings: list[str] = []
    if min(layout.left, layout.bottom) < bleed - 0.01:
        warnings.append(f"The {sheet} sheet leaves only {min(layout.left, layout.bottom) / MM:.1f} mm "
                        "around the outputs: their bleed is cut at the sheet's edge")
    marks = _marks_page(layout, bleed, warnings) if crop_marks else None

    writer = PdfWriter()
    for number in range(sheets):
        check_stop(should_stop)
        target = writer.add_blank_page(*layout.sheet)
        chunk = sequence[number * layout.per_sheet:(number + 1) * layout.per_sheet]
        for page, (column, row, x, y) in zip(chunk, layout.slots()):
            _place(target, page, layout, bleed, column, row, x, y)
        if marks is not None:
            target.merge_page(marks)
        if progress is not None:
            progress(number + 1, sheets)
    check_stop(should_stop)
    save(writer, dst)
    horse_heap.drop(writer, readers)
    return ImposeResult(sheets, layout.per_sheet, len(sequence), layout.columns, layout.rows,
                        layout.landscape, tuple(warnings))


@collections_paused()
def copies_only(
    src_pdfs: Sequence[StrPath], dst: StrPath, copies: int = 1, *,
    progress: Progress | None = None, should_stop: ShouldStop | None = None,
) -> int:
    """Each input's pages `copies` times in sequence into `dst` (no imposition); the page count."""
    from pypdf import PdfWriter
    if copies < 1:
        raise DocumentError("The number of copies must be at least 1")
    writer = PdfWriter()
    readers = _open_all(src_pdfs)
    for done, reader in enumerate(readers, 1):
        check_stop(should_stop)
        for page in [page for _ in range(copies) for page in reader.pages]:
            writer.add_page(page)  # a repeated page shares its content and resources
        if progress is not None:
            progress(done, len(readers))
    check_stop(should_stop)
    save(writer, dst)
    horse_heap.drop(writer, readers)
    return len(writer.pages)


def _open_all(src_pdfs: Sequence[StrPath]) -> list[PdfReader]:
    if not src_pdfs:
        raise DocumentError("There is nothing to print")
    return [open_pdf(path, _name(path)) for path in src_pdfs]


def _name(path: StrPath) -> str:
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


def _same_trim(readers: list[PdfReader], paths: Sequence[StrPath]) -> tuple[float, float]:
    """The trim size (points) all pages share, turning rotated pages upright first; DocumentError
    naming the first input of another size."""
    sizes = []
    for reader, path in zip(readers, paths):
        for page in reader.pages:
            if page.get("/Rotate", 0) % 360:
                page.transfer_rotation_to_content()  # lay out what a viewer shows
            width, height = float(page.trimbox.width), float(page.trimbox.height)
            first = sizes[0] if sizes else (width, height)
            if abs(width - first[0]) > SIZE_TOLERANCE_PT or abs(height - first[1]) > SIZE_TOLERANCE_PT:
                raise DocumentError(
                    f"All outputs must have the same size: “{_name(path)}” is {width / MM:.0f} × "
                    f"{height / MM:.0f} mm, the first is {first[0] / MM:.0f} × {first[1] / MM:.0f} mm"
                )
            sizes.append(first)
    return sizes[0]


def _place(target: PageObject, page: PageObject, layout: Layout, bleed: float,
           column: int, row: int, x: float, y: float) -> None:
    """Merge `page` with its trim's lower-left corner at (x, y), showing as much bleed as the
    neighbours and the sheet edge allow (never more than the page's bleed box holds)."""
    from pypdf import Transformation
    from pypdf.generic import NameObject, RectangleObject
    width, height = layout.trim
    between = layout.gap / 2
    sheet_w, sheet_h = layout.sheet
    left = min(bleed, between if column else x)
    right = min(bleed, between if column < layout.columns - 1 else sheet_w - x - width)
    bottom = min(bleed, between if row else y)
    top = min(bleed, between if row < layout.rows - 1 else sheet_h - y - height)
    trim, bleed_box = page.trimbox, page.bleedbox
    dx, dy = x - float(trim.left), y - float(trim.bottom)
    visible = RectangleObject([
        max(float(trim.left) - left, float(bleed_box.left)),
        max(float(trim.bottom) - bottom, float(bleed_box.bottom)),
        min(float(trim.right) + right, float(bleed_box.right)),
        min(float(trim.top) + top, float(bleed_box.top)),
    ])
    # pypdf clips a merged page to its crop box (or trim box, by configuration): both become the
    # visible area for this merge, then get back their own entries (or none) for the next copy.
    saved = {key: page.get(key) for key in ("/CropBox", "/TrimBox")}
    page.cropbox = page.trimbox = visible
    try:
        target.merge_transformed_page(page, Transformation().translate(dx, dy))
    finally:
        for key, value in saved.items():
            if value is None:
                del page[key]
            else:
                page[NameObject(key)] = value


def _marks_page(layout: Layout, bleed: float, warnings: list[str]) -> PageObject:
    """One overlay page with the crop marks of `layout`: both ends of every cut line."""
    from pypdf import PdfReader
    from reportlab.pdfgen.canvas import Canvas
    width, height = layout.trim
    xs = sorted({round(layout.left + c * (width + layout.gap) + d, 3)
                 for c in range(layout.columns) for d in (0, width)})
    ys = sorted({round(layout.bottom + r * (height + layout.gap) + d, 3)
                 for r in range(layout.rows) for d in (0, height)})
    x0, x1, y0, y1 = xs[0], xs[-1], ys[0], ys[-1]
    offset = max(bleed, MARK_MIN_OFFSET_MM * MM)
    sheet_w, sheet_h = layout.sheet
    register_fonts()  # Vera as the initial font: no unembedded Helvetica in a print file
    canvas = Canvas(buffer := io.BytesIO(), pagesize=layout.sheet, initialFontName="Vera")
    canvas.setLineWidth(MARK_WIDTH_PT)
    canvas.setStrokeColorCMYK(1, 1, 1, 1)  # registration colour: shows on every plate
    skipped = False
    for vertical, positions, start, direction, room in (
        (True, xs, y0 - offset, -1, y0 - offset),  # below the grid
        (True, xs, y1 + offset, 1, sheet_h - y1 - offset),  # above
        (False, ys, x0 - offset, -1, x0 - offset),  # left
        (False, ys, x1 + offset, 1, sheet_w - x1 - offset),  # right
    ):
        length = min(MARK_LENGTH_MM * MM, room)
        if length < 1 * MM:  # no room between the bleed and the sheet's edge
            skipped = True
            continue
        end = start + direction * length
        for p in positions:
            canvas.line(*((p, start, p, end) if vertical else (start, p, end, p)))
    canvas.showPage()
    canvas.save()
    if skipped:
        warnings.append("Some crop marks were left out: the outputs leave no room for them on the sheet")
    return PdfReader(buffer).pages[0]
