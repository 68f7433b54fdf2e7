"""The Image Editing Tool's operations: crop, rotate, flip, resize and format, on an upright image."""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from .imaging import GREY_MODES, DEFAULT_MAX_PIXELS, encode, load_upright, normalise_mode, resize
from .settings import MAX_SIDE, as_bool, as_int, check_colour, check_format, check_quality, format_name

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    from PIL import Image, ImageColor

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
    from PIL import Image, ImageColor
    source = load_upright(src, max_pixels=max_pixels)
    fmt = ops.format or _SAME_FORMAT.get(source.format, "PNG")
    im = source.image
    ops.validate(*im.size)
    im = normalise_mode(im, "L" if im.mode in GREY_MODES else "RGB", fmt, ops.fill)
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
