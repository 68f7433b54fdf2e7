"""Previews: a small JPEG of any supported file (images scaled, PDFs page 1, videos a frame)."""
from __future__ import annotations

import os

from .imaging import convert_image
from .pdfrender import render_pdf_page
from .settings import ConverterSettings

PREVIEW_SIZE = 300


def make_preview(src: str | os.PathLike, dst: str | os.PathLike, kind: str | None = None,
                 size: int = PREVIEW_SIZE) -> tuple[int, int]:
    """Write a JPEG preview no larger than `size` px: images scaled, PDFs page 1, videos a
    frame at 1 s (the middle if shorter than 2 s). `kind` is sniffed when None."""
    from . import video
    from .sniff import detect  # lazily: PyAV loads only for videos

    kind = kind or detect(src).kind
    settings = ConverterSettings(max_width=size, max_height=size, format="JPEG", quality=80)
    if kind == "image":
        return convert_image(src, dst, settings)
    if kind == "pdf":
        return render_pdf_page(src, dst, settings)
    if kind == "video":
        info = video.probe(src)
        return video.frame_at(src, min(1.0, info.duration / 2), dst, max_size=size)
    raise ValueError(f"Unknown media kind {kind!r}.")


