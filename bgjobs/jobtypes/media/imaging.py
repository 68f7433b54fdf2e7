"""Image renditions with Pillow: guarded decoding (decompression-bomb limit, JPEG draft on\ndownscale), mode normalisation, canvas steps and atomic encoding. Settings live in settings.py,\nPDF pages in pdfrender.py, previews in previews.py, the Image Editing Tool in editing.py."""
from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from .settings import ConverterSettings
from .sniff import MediaError, atomic_output

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    from PIL import Image, ImageColor, UnidentifiedImageError

DEFAULT_MAX_PIXELS = 100_000_000

_READ_FORMATS = ["JPEG", "PNG", "TIFF", "WEBP", "GIF"]  # JPEG also yields MPO (camera multi-picture)
_ALPHA_FORMATS = {"PNG", "WEBP", "TIFF"}
GREY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}
# EXIF orientation -> the Image.Transpose member that undoes it
_ORIENT = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM",
           5: "TRANSPOSE", 6: "ROTATE_270", 7: "TRANSVERSE",
           8: "ROTATE_90"}
_ORIENTATION_TAG = 0x0112


class Source(NamedTuple):
    """A decoded, upright image plus what is needed to carry its metadata over."""

    image: Image.Image
    format: str
    exif: Image.Exif
    icc: bytes | None
    xmp: bytes | None


def open_image(src: str | os.PathLike, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Open lazily (header only) and refuse images over `max_pixels` before any pixel is
    allocated; unreadable files raise MediaError with a reason. Limits above Pillow's hard
    stop (2 x Image.MAX_IMAGE_PIXELS, ~179 MP) also need that global raised at startup."""
    from PIL import Image, UnidentifiedImageError
    try:
        with warnings.catch_warnings():
            # Our own limit below decides; Pillow's warning band is just noise in worker logs.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(src, formats=_READ_FORMATS)
    except Image.DecompressionBombError as exc:
        # Pillow's own hard stop (2 x Image.MAX_IMAGE_PIXELS) fired first; report the lower limit.
        digits = "".join(c for c in str(exc).split("pixels")[0] if c.isdigit())
        limit = min(max_pixels, 2 * (Image.MAX_IMAGE_PIXELS or max_pixels))
        raise MediaError(_too_big(int(digits) if digits else None, limit)) from None
    except FileNotFoundError:
        raise MediaError("the file is missing from storage") from None
    except UnidentifiedImageError:
        raise MediaError("not an image we can read") from None
    except Exception as exc:  # plugins raise many types on hostile headers
        raise MediaError("corrupt or truncated image") from exc
    if im.width * im.height > max_pixels:
        im.close()
        raise MediaError(_too_big(im.width * im.height, max_pixels))
    return im


def _too_big(pixels: int | None, limit: int) -> str:
    if pixels is None:
        return f"image is over the {limit / 1e6:.4g} megapixel limit"
    return f"image is {pixels / 1e6:.4g} megapixels, over the {limit / 1e6:.4g} megapixel limit"


def load_upright(src: str | os.PathLike, *, orient: bool = True,
                 scale_for: Callable[[int, int], float] | None = None, grey: bool = False,
                 max_pixels: int = DEFAULT_MAX_PIXELS) -> Source:
    """Decode the first frame and apply the EXIF orientation if `orient`. `scale_for(w, h)`
    tells, from the upright size, how much the caller will shrink: JPEGs then decode at
    reduced size ("draft"), which is much faster and lighter on memory."""
    from PIL import Image
    im = open_image(src, max_pixels)
    with im:
        try:
            exif = im.getexif()
            orientation = exif.get(_ORIENTATION_TAG, 1) if orient else 1
            if scale_for is not None and im.format in ("JPEG", "MPO"):
                w, h = im.size
                scale = scale_for(*((h, w) if orientation in (5, 6, 7, 8) else (w, h)))
                if scale < 0.5:  # DCT scaling decodes at 1/2..1/8 size, never below the request
                    im.draft("L" if grey else "RGB", (math.ceil(w * scale), math.ceil(h * scale)))
            info = dict(im.info)
            im.load()
        except MemoryError:
            raise MediaError("image is too large to process") from None
        except Exception as exc:
            raise MediaError("corrupt or truncated image") from exc
        image: Image.Image = im
        if orientation in _ORIENT:
            image = image.transpose(Image.Transpose[_ORIENT[orientation]])
            exif.pop(_ORIENTATION_TAG, None)
        return Source(image, im.format or "", exif, info.get("icc_profile"), info.get("xmp"))


def normalise_mode(im: Image.Image, colour_mode: str, fmt: str, background: str) -> Image.Image:
    """Bring any decoded mode (palette, 16-bit, CMYK, alpha…) to RGB/L, keeping alpha only if
    `fmt` can store it; otherwise flatten it onto `background`."""
    from PIL import Image
    if im.mode.startswith("I") or im.mode == "F":
        # 16-bit data must be scaled, not clipped (a plain convert turns it white).
        im = im.point(lambda v: v / 257, "L") if im.getextrema()[1] > 255 else im.convert("L")
    has_alpha = im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in im.info
    if im.mode not in ("RGB", "L", "RGBA", "LA"):
        im = im.convert("RGBA" if has_alpha else "RGB")
    if has_alpha and fmt not in _ALPHA_FORMATS:
        rgba = im.convert("RGBA")
        base = Image.new("RGB", im.size, background)
        base.paste(rgba, mask=rgba.getchannel("A"))
        im, has_alpha = base, False
    target = colour_mode + ("A" if has_alpha else "")
    return im if im.mode == target else im.convert(target)


def canvas_scale(width: float, height: float, s: ConverterSettings, *, upscale: bool = False) -> float:
    """The uniform scale the settings apply to a `width`x`height` source (used for draft and
    PDF rendering; `upscale` lets "fit" grow vector content)."""
    ratios = [r for r in (s.max_width and s.max_width / width, s.max_height and s.max_height / height) if r]
    if not ratios:
        return 1.0
    if s.canvas == "crop" or (s.canvas == "fit" and not s.keep_aspect):
        return max(ratios)
    return min(ratios) if upscale or s.canvas == "pad" else min(1.0, *ratios)


def apply_canvas(im: Image.Image, s: ConverterSettings) -> Image.Image:
    """Resize per the canvas rule: fit inside (never enlarging), pad or crop to the exact box."""
    from PIL import Image, ImageColor
    w, h = im.size
    mw, mh = s.max_width, s.max_height
    if not (mw or mh):
        return im
    if s.canvas == "crop":
        scale = max(mw / w, mh / h)
        cw, ch = mw / scale, mh / scale
        box = ((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2)
        return im.resize((mw, mh), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    if s.canvas == "fit" and not s.keep_aspect:
        return resize(im, (mw or w, mh or h))
    scale = canvas_scale(w, h, s)
    fitted = resize(im, (min(mw or w, max(1, round(w * scale))), min(mh or h, max(1, round(h * scale)))))
    if s.canvas == "fit":
        return fitted
    padded = Image.new(im.mode, (mw, mh), ImageColor.getcolor(s.background, im.mode))
    padded.paste(fitted, ((mw - fitted.width) // 2, (mh - fitted.height) // 2))
    return padded


def resize(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    """High-quality resize; `reducing_gap` lets Pillow `reduce()` big images first (fast)."""
    from PIL import Image
    return im if im.size == size else im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def encode(im: Image.Image, dst: str | os.PathLike, fmt: str, quality: int,
           source: Source | None = None) -> tuple[int, int]:
    """Write `im` atomically; metadata from `source` is carried only when given. An ICC
    profile is kept only if its colour space still matches (not after CMYK→RGB or →grey)."""
    opts: dict[str, Any] = {}
    if source is not None:
        if len(source.exif):
            opts["exif"] = source.exif.tobytes()
        space = {"RGB": b"RGB ", "L": b"GRAY"}.get(im.mode.rstrip("A"))
        if source.icc and source.icc[16:20] == space:
            opts["icc_profile"] = source.icc
        if source.xmp and fmt in ("JPEG", "WEBP"):
            opts["xmp"] = source.xmp
    if fmt in ("JPEG", "WEBP"):
        opts["quality"] = quality
    if fmt == "JPEG":
        opts["optimize"] = True
    if fmt == "TIFF":
        opts["compression"] = "tiff_lzw"
    im.info = {}  # nothing from the source leaks into the file unless passed above
    try:
        with atomic_output(dst) as tmp:
            im.save(tmp, format=fmt, **opts)
    except OSError as exc:
        raise MediaError(f"could not write the {fmt} file") from exc
    return im.size


def convert_image(src: str | os.PathLike, dst: str | os.PathLike, settings: ConverterSettings,
                  *, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int]:
    """Render `src` to `dst` per `settings`; returns the output (width, height)."""
    settings.validate()
    source = load_upright(src, orient=settings.apply_orientation, scale_for=lambda w, h: canvas_scale(w, h, settings),
                          grey=settings.colour_mode == "L", max_pixels=max_pixels)
    im = normalise_mode(source.image, settings.colour_mode, settings.format, settings.background)
    im = apply_canvas(im, settings)
    return encode(im, dst, settings.format, settings.quality, source if settings.keep_metadata else None)

