"""One converter applied to one file: the rendition's kind-specific rendering (images, PDF page 1,
video to MP4 H.264) and the notes a user should read about the source (CMYK, 16-bit, animated)."""
from __future__ import annotations

from typing import TYPE_CHECKING
import contextlib
from collections.abc import Callable
from pathlib import Path

from .imaging import DEFAULT_MAX_PIXELS, convert_image
from .pdfrender import render_pdf_page
from .settings import EXTENSIONS, ConverterSettings
from .sniff import MediaError

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    from PIL import Image

VIDEO_DEFAULT_HEIGHT = 720
MIMES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "TIFF": "image/tiff"}


def image_settings(settings: dict) -> ConverterSettings:
    """An image or PDF converter's settings (ValueError with a message if they cannot work)."""
    return ConverterSettings.from_dict(settings or {})


def video_height(settings: dict) -> int:
    """A video converter's maximum height (ValueError with a message if it cannot work)."""
    from .transcode import MAX_HEIGHT_RANGE

    try:
        height = int((settings or {}).get("max_height") or VIDEO_DEFAULT_HEIGHT)
    except (TypeError, ValueError):
        raise ValueError("The maximum height must be a whole number of pixels.") from None
    lo, hi = MAX_HEIGHT_RANGE
    if not lo <= height <= hi:
        raise ValueError(f"The maximum height must be from {lo} to {hi:,} pixels.")
    return height


def output_name(kind: str, settings: dict, source_name: str) -> tuple[str, str]:
    """(file name, MIME type) of the rendition of `source_name` by a converter of this kind."""
    stem = Path(source_name).stem or "file"
    if kind == "video":
        return f"{stem}.mp4", "video/mp4"
    fmt = image_settings(settings).format
    return stem + EXTENSIONS[fmt], MIMES[fmt]


def render(kind: str, settings: dict, src: Path, dst: Path, should_stop: Callable[[], bool],
           max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
    """Write the rendition of `src` to `dst` atomically; MediaError (with the reason) if the
    file cannot be converted. A video polls `should_stop` between frames (Stopped)."""
    if kind == "image":
        convert_image(src, dst, image_settings(settings), max_pixels=max_pixels)
    elif kind == "pdf":
        render_pdf_page(src, dst, image_settings(settings), 0, max_pixels=max_pixels)
    elif kind == "video":
        from .transcode import transcode

        try:
            transcode(src, dst, max_height=video_height(settings), fmt="mp4", should_stop=should_stop)
        except ValueError as exc:  # the source cannot be cut or scaled as asked
            raise MediaError(str(exc)) from None
    else:
        raise ValueError(f"unknown converter kind {kind!r}")


def notes(src: Path) -> list[str]:
    """What was done to an unusual image on the way (read from the header only)."""
    from PIL import Image
    found = []
    with contextlib.suppress(Exception), Image.open(src) as im:
        if im.mode == "CMYK":
            found.append("CMYK colours converted to RGB")
        if im.mode.startswith("I;16") or im.mode in ("I", "F"):
            found.append("16-bit image reduced to 8 bits per channel")
        if getattr(im, "n_frames", 1) > 1:
            found.append(f"animated ({im.n_frames} frames): the first frame was used")
    return found


_SAME_EXT = {".jpeg": ".jpg", ".jpe": ".jpg", ".tiff": ".tif", ".qt": ".mov", ".m4v": ".mp4"}


def misnamed(name: str, ext: str, mime: str) -> list[str]:
    """A note when the file's name claims another type than its content (read by content)."""
    suffix = Path(name).suffix.lower()
    if suffix and _SAME_EXT.get(suffix, suffix) != ext:
        return [f"named {suffix} but the content is {mime}: read as {mime}"]
    return []
