"""Print templates: a background PDF plus named text or image boxes (fields) that render() fills
in on a reportlab overlay (embedded Vera TrueType fonts) merged onto the background's pages, in
points from the media box's bottom-left corner. Text is top-aligned, wrapped to max_lines and
shrunk down to min_size; if even that cannot hold it, what fits is drawn with a warning."""
from __future__ import annotations

from typing import TYPE_CHECKING
import dataclasses
import functools
import io
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from .pdf import DocumentError, StrPath, open_pdf, save

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    import reportlab
    from pypdf import PdfReader, PdfWriter, Transformation
    from reportlab.lib.colors import HexColor
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

FONTS = {"Vera": "Vera.ttf", "VeraBd": "VeraBd.ttf", "VeraIt": "VeraIt.ttf", "VeraBI": "VeraBI.ttf"}
KINDS = ("text", "image")
ALIGNS = ("left", "center", "right")
LEADING = 1.2  # baseline-to-baseline distance, as a multiple of the font size
SIZE_STEP = 0.5  # points per shrinking step
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_EPSILON = 0.01  # points: rounding in stored coordinates is not "outside the page"


@functools.cache
def register_fonts() -> None:
    """Register the Vera fonts with reportlab, once per process (TTF fonts are embedded)."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in FONTS.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))


@dataclasses.dataclass(frozen=True)
class Field:
    """A named box on a template page: points, origin at the bottom-left of the page."""

    name: str
    page: int = 0
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    kind: str = "text"
    font: str = "Vera"
    size: float = 10.0
    min_size: float = 6.0
    colour: str = "#000000"
    align: str = "left"
    max_lines: int = 1
    required: bool = False

    @classmethod
    def from_dict(cls, data: Mapping) -> Field:
        """A field from its stored form; unknown keys are ignored, bad numbers raise DocumentError."""
        values: dict = {"name": str(data.get("name") or "").strip()}
        for f in (f for f in dataclasses.fields(cls)[1:] if f.name in data):
            convert = {"int": int, "float": float, "bool": _truthy}.get(str(f.type), str)  # types as names
            try:
                values[f.name] = convert(data[f.name])
            except (TypeError, ValueError):
                raise DocumentError(f"Field '{values['name']}': {f.name} must be a number") from None
        return cls(**values)

    def as_dict(self) -> dict:
        """The stored (JSON-ready) form; from_dict(as_dict()) gives the field back."""
        return dataclasses.asdict(self)


def _truthy(value: object) -> bool:  # form and CSV values are strings: bool("false") would be True
    return value.strip().lower() in ("1", "true", "yes", "on") if isinstance(value, str) else bool(value)


def check_fields(fields: Sequence[Field], page_sizes: Sequence[tuple[float, float]]) -> list[str]:
    """Problems with a template's fields on a background whose pages have these (width, height)."""
    errors: list[str] = []
    seen: set[str] = set()
    for f in fields:
        text = f.kind == "text"  # fonts, sizes and colours only matter for text
        on_page = 0 <= f.page < len(page_sizes)
        width, height = page_sizes[f.page] if on_page else (0.0, 0.0)
        problems = [  # (is it wrong, what follows "Field 'name'")
            (not f.name, " has no name"),
            (f.name in seen, " is defined more than once"),
            (f.kind not in KINDS, f": unknown kind '{f.kind}' (use text or image)"),
            (not all(map(math.isfinite, (f.x, f.y, f.width, f.height))), ": position and size must be numbers"),
            (not (f.width > 0 and f.height > 0), ": width and height must be positive"),
            (text and f.font not in FONTS, f": unknown font '{f.font}' (use {', '.join(FONTS)})"),
            (text and not (f.size > 0 and f.min_size > 0), ": size and min_size must be positive"),
            (text and f.min_size > f.size > 0, ": min_size is larger than size"),
            (text and f.max_lines < 1, ": max_lines must be at least 1"),
            (text and not _COLOUR.fullmatch(f.colour), f": colour '{f.colour}' is not of the form #rrggbb"),
            (text and f.align not in ALIGNS, f": unknown align '{f.align}' (use {', '.join(ALIGNS)})"),
            (not on_page, f": page {f.page + 1} is beyond the background's {len(page_sizes)} page(s)"),
            (on_page and (min(f.x, f.y) < -_EPSILON or f.x + f.width > width + _EPSILON
                          or f.y + f.height > height + _EPSILON),
             f" lies outside its page ({width:.0f} × {height:.0f} pt)"),
        ]
        errors += [f"Field '{f.name}'{why}" for wrong, why in problems if wrong]
        seen.add(f.name)
    return errors


@dataclasses.dataclass(frozen=True)
class FitResult:
    """The lines to draw at `size`; if fits is False, even min_size could not hold the whole text."""

    lines: tuple[str, ...]
    size: float
    fits: bool


def fit_text(text: str, field: Field) -> FitResult:
    """Wrap `text` into the field's box, shrinking from field.size down to field.min_size."""
    register_fonts()
    steps = max(0, min(400, int((field.size - field.min_size) / SIZE_STEP)))  # bounded even if unchecked
    for size in [field.size - i * SIZE_STEP for i in range(steps + 1)] + [field.min_size]:
        lines = _wrap(text, field.font, size, field.width, break_words=False)
        if lines is not None and len(lines) <= _room(field, size):
            return FitResult(tuple(lines), size, True)
    # Even min_size is too big: break over-long words and keep the lines the box can hold.
    lines = _wrap(text, field.font, field.min_size, field.width, break_words=True) or []
    return FitResult(tuple(lines[: _room(field, field.min_size)]), field.min_size, False)


def _room(field: Field, size: float) -> int:
    """How many lines of `size` fit the box: max_lines, fewer if the box is not tall enough."""
    from reportlab.pdfbase import pdfmetrics
    face = pdfmetrics.getFont(field.font).face
    line_height = (face.ascent - face.descent) / 1000 * size
    extra = int((field.height - line_height) / (size * LEADING) + 1e-9)  # lines after the first
    return 0 if line_height > field.height else min(field.max_lines, 1 + extra)


def _wrap(text: str, font: str, size: float, width: float, *, break_words: bool) -> list[str] | None:
    """Greedy word wrap keeping explicit line breaks; None if a word is wider than the box and
    break_words is False (otherwise it is split, at least one character a line)."""
    from reportlab.pdfbase import pdfmetrics
    def fits(s: str) -> bool:
        return pdfmetrics.stringWidth(s, font, size) <= width

    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            if fits(f"{line} {word}" if line else word):
                line = f"{line} {word}" if line else word
                continue
            lines += [line] if line else []
            if not fits(word) and not break_words:
                return None
            while not fits(word):
                cut = max((i for i in range(1, len(word)) if fits(word[:i])), default=1)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def missing_required(fields: Sequence[Field], values: Mapping[str, str],
                     images: Mapping[str, StrPath] | None = None) -> list[str]:
    """Names of required fields that have no value (text) or no existing file (image)."""
    images = images or {}
    return [f.name for f in fields if f.required and not (
        images.get(f.name) and Path(images[f.name]).is_file() if f.kind == "image"
        else str(values.get(f.name) or "").strip())]


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A template's background, opened, and its fields, checked against its pages: what every
    output of one job shares (the reader caches the parsed background for each clone)."""

    reader: "PdfReader"
    boxes: tuple
    fields: tuple[Field, ...]


def prepare(background: StrPath, fields: Sequence[Field]) -> Prepared:
    """Open the background and check the fields on its pages; DocumentError if either is unusable."""
    reader = open_pdf(background, "The template background")
    boxes = tuple(page.mediabox for page in reader.pages)
    errors = check_fields(fields, [(float(b.width), float(b.height)) for b in boxes])
    if errors:
        raise DocumentError("The template is not valid: " + "; ".join(errors))
    return Prepared(reader, boxes, tuple(fields))


def render(template: Prepared, values: Mapping[str, str], dst: StrPath,
           images: Mapping[str, StrPath] | None = None, *, durable: bool = True) -> list[str]:
    """Fill the template (as `prepare` returned it: a caller rendering many outputs prepares it
    once) into `dst`, written atomically, and return warnings for the caller to list: text that
    does not fit, characters the font lacks, missing or unreadable images. DocumentError if a
    required field is empty. durable=False leaves the fsync to a caller that writes many outputs
    (pdf.atomic_file)."""
    from pypdf import PdfReader, PdfWriter, Transformation
    from reportlab.pdfgen.canvas import Canvas
    register_fonts()
    reader, boxes, fields = template.reader, template.boxes, template.fields
    missing = missing_required(fields, values, images)
    if missing:
        raise DocumentError("Required fields without a value: " + ", ".join(f"'{m}'" for m in missing))

    warnings: list[str] = []
    # Vera as the initial font: no unembedded Helvetica left in the resources for preflight to flag.
    canvas = Canvas(buffer := io.BytesIO(), pageCompression=1, initialFontName="Vera")
    for index, box in enumerate(boxes):
        canvas.setPageSize((float(box.width), float(box.height)))
        for f in (f for f in fields if f.page == index):
            if f.kind == "image":
                warnings += _draw_image(canvas, f, (images or {}).get(f.name))
            else:
                warnings += _draw_text(canvas, f, str(values.get(f.name) or ""))
        canvas.showPage()
    canvas.save()

    overlay = PdfReader(buffer)
    writer = PdfWriter(clone_from=reader)
    for index in sorted({f.page for f in fields}):
        box = boxes[index]  # the overlay's origin is the media box's corner, which need not be (0, 0)
        writer.pages[index].merge_transformed_page(
            overlay.pages[index], Transformation().translate(float(box.left), float(box.bottom)))
    save(writer, dst, durable=durable)
    return warnings


def _start(field: Field, width: float) -> float:
    """Where something `width` wide starts in the field's box, by the field's alignment."""
    return field.x + (field.width - width) * {"center": 0.5, "right": 1.0}.get(field.align, 0.0)


def _draw_text(canvas: Canvas, field: Field, text: str) -> list[str]:
    from reportlab.lib.colors import HexColor
    from reportlab.pdfbase import pdfmetrics
    if not text.strip():
        return []
    face = pdfmetrics.getFont(field.font).face
    unknown = sorted({c for c in text if not c.isspace() and ord(c) not in face.charToGlyph})
    warnings = [f"Field '{field.name}': the font has no glyph for {' '.join(unknown[:10])}"] if unknown else []
    fit = fit_text(text, field)
    if not fit.fits:
        warnings.append(f"Field '{field.name}': text does not fit its box")
    canvas.setFillColor(HexColor(field.colour))
    canvas.setFont(field.font, fit.size)
    baseline = field.y + field.height - face.ascent / 1000 * fit.size
    for i, line in enumerate(fit.lines):
        x = _start(field, pdfmetrics.stringWidth(line, field.font, fit.size))
        canvas.drawString(x, baseline - i * fit.size * LEADING, line)
    return warnings


def _draw_image(canvas: Canvas, field: Field, path: StrPath | None) -> list[str]:
    """Fit the image inside the box keeping its aspect, placed by align and centred vertically."""
    from reportlab.lib.utils import ImageReader
    if not path or not Path(path).is_file():
        return [f"Field '{field.name}': {'the image file was not found' if path else 'no image was given'}"]
    try:
        image = ImageReader(str(path))
        image_width, image_height = image.getSize()
    except Exception:
        return [f"Field '{field.name}': the image could not be read"]
    scale = min(field.width / image_width, field.height / image_height)
    width, height = image_width * scale, image_height * scale
    y = field.y + (field.height - height) / 2
    canvas.drawImage(image, _start(field, width), y, width, height, mask="auto")
    return []
