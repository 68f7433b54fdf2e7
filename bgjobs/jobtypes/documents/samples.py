"""Generated sample documents for tests and the demo-data seed (no binary files are committed):
designed template backgrounds with matching fields, plain text PDFs (optionally page-labelled),
and the broken PDFs users really upload: damaged, password-protected, without pages."""
from __future__ import annotations

from typing import TYPE_CHECKING
from collections.abc import Sequence
from pathlib import Path

from .fields import Field, register_fonts
from .pdf import StrPath

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    from pypdf import PdfWriter
    from reportlab.lib.colors import HexColor, white
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

BAND = "#1f6f8b"
ACCENT = "#f2a541"
# (first page index, style such as "/D" or "/r", prefix or None, first number)
PageLabel = tuple[int, str | None, str | None, int]


def make_background(
    path: StrPath, width_mm: float, height_mm: float, pages: int = 1, title: str = "Sample template",
    *, bleed_mm: float = 0.0,
) -> Path:
    """A simple designed background: a coloured band with a logo-like mark and `title`, an
    accent line at the foot. With bleed, the page grows by bleed_mm on each side, the design
    runs into it and the TrimBox marks the finished size."""
    from reportlab.lib.colors import HexColor, white
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    register_fonts()
    bleed = bleed_mm * mm
    width, height = width_mm * mm, height_mm * mm
    page_size = (width + 2 * bleed, height + 2 * bleed)
    band = min(height * 0.25, 40 * mm)
    canvas = Canvas(str(path), pagesize=page_size, pageCompression=1, initialFontName="Vera")
    canvas.setTitle(title)
    for n in range(1, pages + 1):
        if bleed:
            canvas.setTrimBox((bleed, bleed, bleed + width, bleed + height))
            canvas.setBleedBox((0, 0, *page_size))
        canvas.setFillColor(HexColor(BAND))
        canvas.rect(0, bleed + height - band, page_size[0], band + bleed, stroke=0, fill=1)
        canvas.setFillColor(HexColor(ACCENT))
        canvas.rect(0, 0, page_size[0], bleed + 1.5 * mm, stroke=0, fill=1)
        # The "logo": a ring and a square, in the band's right-hand corner.
        radius = band * 0.28
        cx, cy = bleed + width - band * 0.5, bleed + height - band * 0.5
        canvas.setStrokeColor(white)
        canvas.setLineWidth(radius * 0.25)
        canvas.circle(cx, cy, radius, stroke=1, fill=0)
        canvas.setFillColor(HexColor(ACCENT))
        canvas.rect(cx - radius * 0.45, cy - radius * 0.45, radius * 0.9, radius * 0.9, stroke=0, fill=1)
        canvas.setFillColor(white)
        canvas.setFont("VeraBd", max(5.0, band * 0.18))
        label = title if pages == 1 else f"{title} · {n}/{pages}"
        canvas.drawString(bleed + min(6 * mm, width * 0.07), bleed + height - band * 0.6, label)
        canvas.showPage()
    canvas.save()
    return Path(path)


def business_card_template(*, bleed_mm: float = 0.0) -> tuple[tuple[float, float], list[Field]]:
    """The page size (points) and fields of make_background(…, 85, 55): name, title, phone, email."""
    from reportlab.lib.units import mm
    b = bleed_mm * mm
    left, width = b + 6 * mm, 73 * mm

    def box(name: str, y_mm: float, h_mm: float, **style) -> Field:
        return Field(name=name, x=left, y=b + y_mm * mm, width=width, height=h_mm * mm, **style)

    return (85 * mm + 2 * b, 55 * mm + 2 * b), [
        box("name", 28, 8, font="VeraBd", size=14, min_size=9, colour="#1f2a30", required=True),
        box("title", 22, 5, font="VeraIt", size=9, min_size=7, colour="#1f6f8b"),
        box("phone", 10, 4, size=8, min_size=6, colour="#1f2a30"),
        box("email", 5, 4, size=8, min_size=6, colour="#1f2a30"),
    ]


def a5_flyer_template(*, bleed_mm: float = 0.0) -> tuple[tuple[float, float], list[Field]]:
    """The page size (points) and fields of make_background(…, 148, 210): headline, body, date."""
    from reportlab.lib.units import mm
    b = bleed_mm * mm
    left, width = b + 12 * mm, 124 * mm

    def box(name: str, y_mm: float, h_mm: float, **style) -> Field:
        return Field(name=name, x=left, y=b + y_mm * mm, width=width, height=h_mm * mm, **style)

    return (148 * mm + 2 * b, 210 * mm + 2 * b), [
        box("headline", 132, 30, font="VeraBd", size=28, min_size=14, max_lines=2, align="center",
            colour="#1f6f8b", required=True),
        box("body", 40, 88, size=12, min_size=8, max_lines=14, colour="#1f2a30"),
        box("date", 18, 12, font="VeraBd", size=14, min_size=10, align="right", colour="#c2711c"),
    ]


def make_pdf(
    path: StrPath, pages: int = 1, text: str = "Page {n}", page_labels: Sequence[PageLabel] | None = None,
    *, size_mm: tuple[float, float] = (210, 297),
) -> Path:
    """Plain pages whose extractable text is text.format(n=page number); page_labels, if
    given, are (first index, style, prefix, start) ranges set with pypdf."""
    from pypdf import PdfWriter
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    canvas = Canvas(str(path), pagesize=(size_mm[0] * mm, size_mm[1] * mm))
    for n in range(1, pages + 1):
        canvas.setFont("Helvetica", 12)
        canvas.drawString(10 * mm, size_mm[1] * mm - 20 * mm, text.format(n=n))
        canvas.showPage()
    canvas.save()
    if page_labels:
        writer = PdfWriter(clone_from=str(path))
        starts = [label[0] for label in page_labels] + [pages]
        for (first, style, prefix, start), end in zip(page_labels, starts[1:]):
            writer.set_page_label(first, end - 1, style, prefix, start)
        writer.write(str(path))
    return Path(path)


def make_corrupt_pdf(path: StrPath) -> Path:
    """A file that starts like a PDF but has no readable structure (a truncated download)."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R"
    Path(path).write_bytes(head + b"\x00\xff" * 64)
    return Path(path)


def make_encrypted_pdf(path: StrPath, password: str) -> Path:
    """A one-page PDF that needs `password` to open (RC4, which pypdf writes without extras)."""
    from pypdf import PdfWriter
    make_pdf(path, text="Secret page {n}")
    writer = PdfWriter(clone_from=str(path))
    writer.encrypt(user_password=password, owner_password=f"{password}-owner", algorithm="RC4-128")
    writer.write(str(path))
    return Path(path)


def make_zero_page_pdf(path: StrPath) -> Path:
    """A structurally valid PDF whose page tree is empty."""
    from pypdf import PdfWriter
    PdfWriter().write(str(path))
    return Path(path)
