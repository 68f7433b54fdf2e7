"""Image renditions with Pillow: converter settings, guarded decoding, canvas and format steps,
PDF page rendering, previews, and the Image Editing Tool (`EditOps`, `apply_edit`)."""
from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from PIL import Image, ImageColor, UnidentifiedImageError

from .sniff import MediaError, atomic_output

FORMATS = ("JPEG", "PNG", "WEBP", "TIFF")
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif"}
CANVASES = ("fit", "pad", "crop")
MAX_SIDE = 20_000
DEFAULT_MAX_PIXELS = 100_000_000
PDF_DEFAULT_DPI = 150

_READ_FORMATS = ["JPEG", "PNG", "TIFF", "WEBP", "GIF"]  # JPEG also yields MPO (camera multi-picture)
_ALPHA_FORMATS = {"PNG", "WEBP", "TIFF"}
_GREY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}
_ORIENT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
           5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_90}
_ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class ConverterSettings:
    """How a converter renders: size box, canvas ("fit" inside, "pad" to the exact size with
    `background`, "crop" to fill it), output format/quality, colour mode, orientation and
    metadata handling. "fit" never enlarges; pad and crop scale (up or down) to the exact box
    and always keep the aspect ratio, so `keep_aspect` only matters for "fit"."""

    max_width: int | None = None
    max_height: int | None = None
    keep_aspect: bool = True
    canvas: str = "fit"
    background: str = "#ffffff"
    format: str = "JPEG"
    quality: int = 85
    colour_mode: str = "RGB"
    apply_orientation: bool = True
    keep_metadata: bool = False

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ConverterSettings:
        """Build validated settings from stored job params or a form (strings are accepted)."""
        s = cls(
            max_width=as_int(d.get("max_width"), "maximum width", optional=True),
            max_height=as_int(d.get("max_height"), "maximum height", optional=True),
            keep_aspect=as_bool(d.get("keep_aspect", True)),
            canvas=str(d.get("canvas") or "fit").lower(),
            background=str(d.get("background") or "#ffffff"),
            format=format_name(d.get("format")) or "JPEG",
            quality=as_int(d.get("quality", 85), "quality"),
            colour_mode=str(d.get("colour_mode") or "RGB").upper(),
            apply_orientation=as_bool(d.get("apply_orientation", True)),
            keep_metadata=as_bool(d.get("keep_metadata", False)),
        )
        s.validate()
        return s

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form, the inverse of `from_dict`."""
        return asdict(self)

    def validate(self) -> None:
        """Raise ValueError with a user-readable message if the settings cannot work."""
        for label, value in (("maximum width", self.max_width), ("maximum height", self.max_height)):
            if value is not None and (not isinstance(value, int) or not 1 <= value <= MAX_SIDE):
                raise ValueError(f"The {label} must be a whole number between 1 and {MAX_SIDE:,} pixels.")
        if self.canvas not in CANVASES:
            raise ValueError("The canvas must be fit, pad or crop.")
        if self.canvas in ("pad", "crop") and not (self.max_width and self.max_height):
            raise ValueError(f"To {self.canvas} the image, give both a width and a height.")
        check_format(self.format)
        check_quality(self.quality)
        if self.colour_mode not in ("RGB", "L"):
            raise ValueError("The colour mode must be RGB (colour) or L (greyscale).")
        check_colour(self.background, "background colour")


def as_int(value: Any, label: str, *, optional: bool = False) -> int | None:
    """Parse a whole number from params/forms; None/"" is allowed only when `optional`."""
    if value is None or value == "":
        if optional:
            return None
        raise ValueError(f"Enter the {label}.")
    try:
        number = float(value)
        if number != int(number):
            raise ValueError
        return int(number)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"The {label} must be a whole number.") from None


def as_bool(value: Any) -> bool:
    """Interpret checkbox-style values ("on", "true", "1", True) as booleans."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes")
    return bool(value)


def format_name(value: Any) -> str | None:
    """Normalise a format from a form ("jpg", "tif", "png"…) to Pillow's name; "" → None."""
    name = str(value or "").strip().upper()
    return {"JPG": "JPEG", "TIF": "TIFF"}.get(name, name) or None


def check_format(fmt: str) -> None:
    """Raise ValueError unless `fmt` is a format we write."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}: choose JPEG, PNG, WEBP or TIFF.")


def check_quality(quality: int) -> None:
    """Raise ValueError unless 1 <= quality <= 100."""
    if not isinstance(quality, int) or not 1 <= quality <= 100:
        raise ValueError("The quality must be between 1 and 100.")


def check_colour(colour: str, label: str) -> None:
    """Raise ValueError unless `colour` is "#rrggbb"."""
    if not (isinstance(colour, str) and len(colour) == 7 and colour[0] == "#"
            and all(c in "0123456789abcdefABCDEF" for c in colour[1:])):
        raise ValueError(f"The {label} must look like #rrggbb.")


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
            image = image.transpose(_ORIENT[orientation])
            exif.pop(_ORIENTATION_TAG, None)
        return Source(image, im.format or "", exif, info.get("icc_profile"), info.get("xmp"))


def normalise_mode(im: Image.Image, colour_mode: str, fmt: str, background: str) -> Image.Image:
    """Bring any decoded mode (palette, 16-bit, CMYK, alpha…) to RGB/L, keeping alpha only if
    `fmt` can store it; otherwise flatten it onto `background`."""
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


def make_preview(src: str | os.PathLike, dst: str | os.PathLike, kind: str | None = None,
                 size: int = 300) -> tuple[int, int]:
    """Write a JPEG preview no larger than `size` px: images scaled, PDFs page 1, videos a
    frame at 1 s (the middle if shorter than 2 s). `kind` is sniffed when None."""
    from . import video
    from .sniff import detect

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


# --- Image Editing Tool -------------------------------------------------------------------

_SAME_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "TIFF": "TIFF", "GIF": "PNG"}


class Crop(NamedTuple):
    """A crop box in pixels of the full-size original, as shown upright."""

    x: int
    y: int
    width: int
    height: int


class Resize(NamedTuple):
    """Target size; with `keep_aspect` a missing side follows and both sides form a box to fit."""

    width: int | None
    height: int | None
    keep_aspect: bool = True


class EditResult(NamedTuple):
    """What `apply_edit` wrote."""

    width: int
    height: int
    format: str


@dataclass(frozen=True)
class EditOps:
    """One edit, applied in this order: EXIF orientation, crop, rotate (degrees clockwise; 90°
    steps are lossless, other angles fill the corners with `fill`, `expand` keeps all of the
    picture), flips, resize, encode. `format` None keeps the original's (GIF becomes PNG)."""

    crop: Crop | None = None
    resize: Resize | None = None
    rotate: float = 0.0
    expand: bool = True
    fill: str = "#ffffff"
    flip_horizontal: bool = False
    flip_vertical: bool = False
    format: str | None = None
    quality: int = 90
    keep_metadata: bool = True

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EditOps:
        """Parse the editor's JSON: {"crop": {x, y, width, height}, "resize": {width, height,
        keep_aspect}, "rotate": degrees or {degrees, expand, fill}, "flip_horizontal", …}."""
        crop, resize_, rotate = d.get("crop"), d.get("resize"), d.get("rotate") or 0
        if not isinstance(rotate, dict):
            rotate = {"degrees": rotate}
        try:
            degrees = float(rotate.get("degrees") or 0)
        except (TypeError, ValueError):
            raise ValueError("The rotation must be a number of degrees.") from None
        return cls(
            crop=Crop(*(as_int(crop.get(k), f"crop {k}") for k in Crop._fields)) if crop else None,
            resize=Resize(as_int(resize_.get("width"), "resize width", optional=True),
                          as_int(resize_.get("height"), "resize height", optional=True),
                          as_bool(resize_.get("keep_aspect", True))) if resize_ else None,
            rotate=degrees,
            expand=as_bool(rotate.get("expand", True)),
            fill=str(rotate.get("fill") or d.get("fill") or "#ffffff"),
            flip_horizontal=as_bool(d.get("flip_horizontal")),
            flip_vertical=as_bool(d.get("flip_vertical")),
            format=format_name(d.get("format")),
            quality=as_int(d.get("quality", 90), "quality"),
            keep_metadata=as_bool(d.get("keep_metadata", True)),
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form, accepted back by `from_dict`."""
        return {
            "crop": self.crop._asdict() if self.crop else None,
            "resize": self.resize._asdict() if self.resize else None,
            "rotate": {"degrees": self.rotate, "expand": self.expand, "fill": self.fill},
            "flip_horizontal": self.flip_horizontal, "flip_vertical": self.flip_vertical,
            "format": self.format, "quality": self.quality, "keep_metadata": self.keep_metadata,
        }

    def validate(self, width: int, height: int) -> tuple[int, int]:
        """Check the ops against an upright `width`x`height` original; return the planned
        output size or raise ValueError with a message for the user."""
        if self.format is not None:
            check_format(self.format)
        check_quality(self.quality)
        check_colour(self.fill, "fill colour")
        w, h = width, height
        if self.crop:
            x, y, cw, ch = self.crop
            if cw < 1 or ch < 1:
                raise ValueError("The crop width and height must be at least 1 pixel.")
            if x < 0 or y < 0 or x + cw > width or y + ch > height:
                raise ValueError(f"The crop box ({cw}×{ch} at {x},{y}) lies outside the {width}×{height} image.")
            w, h = cw, ch
        if not (math.isfinite(self.rotate) and -360 <= self.rotate <= 360):
            raise ValueError("The rotation must be between -360 and 360 degrees.")
        angle = self.rotate % 360
        if angle in (90, 270):
            w, h = h, w
        elif angle % 180 and self.expand:
            rad = math.radians(angle)
            w, h = (math.ceil(abs(w * math.cos(rad)) + abs(h * math.sin(rad)) - 1e-6),
                    math.ceil(abs(w * math.sin(rad)) + abs(h * math.cos(rad)) - 1e-6))
        if self.resize:
            w, h = self._resized(w, h)
        if w > MAX_SIDE or h > MAX_SIDE:
            raise ValueError(f"The result would be {w:,}×{h:,} pixels, over the {MAX_SIDE:,} pixel limit per side.")
        return w, h

    def _resized(self, w: int, h: int) -> tuple[int, int]:
        rw, rh, keep = self.resize
        for label, value in (("width", rw), ("height", rh)):
            if value is not None and not 1 <= value <= MAX_SIDE:
                raise ValueError(f"The resize {label} must be between 1 and {MAX_SIDE:,} pixels.")
        if rw is None and rh is None:
            raise ValueError("Give a width or a height to resize to.")
        if not keep:
            if rw is None or rh is None:
                raise ValueError("To resize without keeping the aspect ratio, give both width and height.")
            return rw, rh
        scale = min(r for r in (rw and rw / w, rh and rh / h) if r)
        return max(1, round(w * scale)), max(1, round(h * scale))


def apply_edit(src: str | os.PathLike, dst: str | os.PathLike, ops: EditOps,
               *, max_pixels: int = DEFAULT_MAX_PIXELS) -> EditResult:
    """Apply `ops` to a copy of `src` (only read) and write `dst` atomically."""
    source = load_upright(src, max_pixels=max_pixels)
    fmt = ops.format or _SAME_FORMAT.get(source.format, "PNG")
    im = source.image
    ops.validate(*im.size)
    im = normalise_mode(im, "L" if im.mode in _GREY_MODES else "RGB", fmt, ops.fill)
    if ops.crop:
        x, y, w, h = ops.crop
        im = im.crop((x, y, x + w, y + h))
    angle = ops.rotate % 360
    if angle in (90, 180, 270):
        im = im.transpose({90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
                           270: Image.Transpose.ROTATE_90}[angle])
    elif angle:
        im = im.rotate(-angle, Image.Resampling.BICUBIC, expand=ops.expand,
                       fillcolor=ImageColor.getcolor(ops.fill, im.mode))
    if ops.flip_horizontal:
        im = im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if ops.flip_vertical:
        im = im.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    if ops.resize:
        im = resize(im, ops._resized(*im.size))  # from the real size: expand may differ by a pixel
    width, height = encode(im, dst, fmt, ops.quality, source if ops.keep_metadata else None)
    return EditResult(width, height, fmt)
