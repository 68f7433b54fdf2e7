"""PDF pages to images with pypdfium2, through the same canvas and format steps as images."""
from __future__ import annotations

import math
import os

from .imaging import DEFAULT_MAX_PIXELS, apply_canvas, canvas_scale, encode, normalise_mode
from .settings import MAX_SIDE, ConverterSettings
from .sniff import MediaError

PDF_DEFAULT_DPI = 150


def render_pdf_page(src: str | os.PathLike, dst: str | os.PathLike, settings: ConverterSettings,
                    page: int = 0, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int]:
    """Render one PDF page (0-based) with pypdfium2 at the scale the settings need, then apply
    the same canvas/format steps as images; returns the output (width, height)."""
    import pypdfium2 as pdfium

    settings.validate()
    try:
        pdf = pdfium.PdfDocument(os.fspath(src))
        pdf.init_forms()  # so filled-in form fields are drawn, as viewers show them
    except pdfium.PdfiumError as exc:
        reason = "the PDF is password-protected" if getattr(exc, "err_code", None) == 4 else "corrupt or unreadable PDF"
        raise MediaError(reason) from None
    except FileNotFoundError:
        raise MediaError("the file is missing from storage") from None
    try:
        if len(pdf) == 0:
            raise MediaError("the PDF has no pages")
        if not 0 <= page < len(pdf):
            raise MediaError(f"the PDF has only {len(pdf)} page{'s' if len(pdf) > 1 else ''}")
        pg = pdf[page]
        w, h = pg.get_size()  # in points, already turned by the page's /Rotate
        if w <= 0 or h <= 0:
            raise MediaError("the PDF page has no size")
        scale = canvas_scale(w, h, settings, upscale=True) if settings.max_width or settings.max_height else PDF_DEFAULT_DPI / 72
        # Poster-sized pages: never render more pixels than we would accept from an image.
        scale = min(scale, MAX_SIDE / max(w, h), math.sqrt(max_pixels / (w * h)))
        im = pg.render(scale=scale, may_draw_forms=True, fill_color=(255, 255, 255, 255)).to_pil()
    except pdfium.PdfiumError as exc:
        raise MediaError("the PDF page could not be rendered") from exc
    finally:
        pdf.close()
    im = normalise_mode(im, settings.colour_mode, settings.format, settings.background)
    return encode(apply_canvas(im, settings), dst, settings.format, settings.quality)

