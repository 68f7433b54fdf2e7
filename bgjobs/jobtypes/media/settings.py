"""Converter settings: what a DAM converter offers (size box, canvas, format and quality, colour
mode, orientation and metadata), validated with messages users can act on."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

FORMATS = ("JPEG", "PNG", "WEBP", "TIFF")
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif"}
CANVASES = ("fit", "pad", "crop")
MAX_SIDE = 20_000

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

