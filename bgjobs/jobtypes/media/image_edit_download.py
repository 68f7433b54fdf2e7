"""Download from the Image Editing Tool: crop, resize, rotate, flip, format and quality, applied by
a job to the item's original (the page edits on a preview, so a 50-megapixel original never goes
to the browser); the result is a download. The original is only read."""
from __future__ import annotations

from bgjobs.jobs import types
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import HEAVY, InvalidParams, JobType, Param, Plan
from bgjobs.jobtypes.media.editing import EditOps, apply_edit
from bgjobs.jobtypes.media.media_files import media_file, stem, upright_size
from bgjobs.jobtypes.media.settings import EXTENSIONS
from bgjobs.jobtypes.media.sniff import MediaError

ICON = '<rect x="3" y="3" width="18" height="18" rx="2"/><circle cx="9" cy="9" r="2"/><path d="m21 15-5-5L5 21"/>'
MIMES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "TIFF": "image/tiff"}


def plan(params: dict, actor) -> Plan:
    row, path = media_file(params, "image")
    ops_data = params.get("ops")
    if not isinstance(ops_data, dict):
        raise InvalidParams("Send the edit as {\"crop\": …, \"resize\": …, \"rotate\": …, \"format\": …}.")
    try:
        ops = EditOps.from_dict(ops_data)
        width, height = ops.validate(*upright_size(path))
    except ValueError as exc:
        raise InvalidParams(str(exc)) from None
    return Plan(params={"file_id": row.id, "ops": ops.as_dict()},
                description=f"{row.name} edited to {width:,}×{height:,}")


def run(ctx: JobContext) -> None:
    row, path = media_file(ctx.params, "image")
    ops = EditOps.from_dict(ctx.params["ops"])
    ctx.progress(0, 1, f"Editing {row.name}")
    fmt = ops.format or _format_of(row.mime)
    dst = ctx.output(f"{stem(row.name)}-edited{EXTENSIONS.get(fmt, '.png')}", MIMES.get(fmt))
    try:
        result = apply_edit(path, dst, ops)
    except (MediaError, ValueError) as exc:
        raise InvalidParams(f"{row.name} could not be edited: {exc}") from None
    ctx.progress(1, 1, f"{result.width:,}×{result.height:,} {result.format}")
    ctx.summary = {"size": f"{result.width:,}×{result.height:,} pixels", "format": result.format}


def read_form(form) -> dict:
    """The tool's flat form fields -> the edit (a crop only when its four fields are filled)."""
    crop = {k: form.get(f"crop_{k}") for k in ("x", "y", "width", "height")}
    ops = {"crop": crop if all(v not in (None, "") for v in crop.values()) else None,
           "rotate": form.get("rotate") or 0, "flip_horizontal": form.get("flip_horizontal") == "1",
           "flip_vertical": form.get("flip_vertical") == "1", "format": form.get("format") or None,
           "quality": form.get("quality") or 90}
    if form.get("resize_width") or form.get("resize_height"):
        ops["resize"] = {"width": form.get("resize_width") or None, "height": form.get("resize_height") or None,
                         "keep_aspect": form.get("keep_aspect") == "1"}
    return {"file_id": form.get("file_id"), "ops": ops}


def _format_of(mime: str) -> str:
    """The format apply_edit keeps when none was chosen (GIF becomes PNG)."""
    return {v: k for k, v in MIMES.items()}.get(mime, "PNG")


TYPE = JobType(
    id="image_edit_download",
    label="Download from the Image Editing Tool",
    icon=ICON,
    download=True,
    queue=HEAVY,
    timeout=1800,
    preload=("PIL.Image",),
    read_form=read_form,
    params=(
        Param("file_id", "int", "The image file to edit (the item's original)"),
        Param("ops", "dict", "The edit: crop {x, y, width, height} in the original's pixels, resize "
                             "{width, height, keep_aspect}, rotate degrees, flip_horizontal, flip_vertical, format, quality"),
    ),
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)
