"""Download from the Video Editing Tool: trim, resize to a maximum height, MP4 (H.264/AAC) or WebM
(VP9/Opus), mute; progress follows the encoder's time position, so the bar and the time left
are honest. The original is only read."""
from __future__ import annotations

from bgjobs.jobs import types
from bgjobs.jobs.context import JobContext
from bgjobs.jobs.types import HEAVY, InvalidParams, JobType, Param, Plan
from bgjobs.jobtypes.media.media_files import media_file, stem
from bgjobs.jobtypes.media.sniff import MediaError
from bgjobs.jobtypes.media.transcode import transcode, validate_edit
from bgjobs.jobtypes.media.video import probe

ICON = '<rect x="2" y="5" width="14" height="14" rx="2"/><path d="m16 10 6-4v12l-6-4z"/>'
MIMES = {"mp4": "video/mp4", "webm": "video/webm"}


def _seconds(value, label: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidParams(f"The {label} time must be a number of seconds.") from None


def _edit(params: dict) -> dict:
    height = params.get("max_height")
    if height in (None, ""):
        height = None
    elif isinstance(height, str) and height.strip().isdigit():
        height = int(height)
    return {"start": _seconds(params.get("start"), "start"), "end": _seconds(params.get("end"), "end"),
            "max_height": height, "format": str(params.get("format") or "mp4").lower(),
            "mute": params.get("mute") in (True, "1", "on", "true", "yes")}


def plan(params: dict, actor) -> Plan:
    row, path = media_file(params, "video")
    edit = _edit(params)
    try:
        info = probe(path)
        validate_edit(info, edit["start"], edit["end"], edit["max_height"], edit["format"])
    except (MediaError, ValueError) as exc:
        raise InvalidParams(str(exc)) from None
    clip = (edit["end"] or info.duration) - (edit["start"] or 0)
    return Plan(params={"file_id": row.id, **edit},
                description=f"{row.name}: {clip:.1f} s as {edit['format'].upper()}"
                            + (f", at most {edit['max_height']} px high" if edit["max_height"] else ""))


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def run(ctx: JobContext) -> None:
    row, path = media_file(ctx.params, "video")
    fmt = ctx.params["format"]
    dst = ctx.output(f"{stem(row.name)}-edited.{fmt}", MIMES[fmt])

    def progress(done: float, total: float) -> None:
        # Milliseconds, so the bar moves smoothly and "time left" is from the encoder's position.
        ctx.progress(int(done * 1000), int(total * 1000), f"Encoded {_clock(done)} of {_clock(total)}")

    try:
        result = transcode(path, dst, start=ctx.params["start"], end=ctx.params["end"],
                           max_height=ctx.params["max_height"], fmt=fmt, mute=ctx.params["mute"], progress=progress)
    except (MediaError, ValueError) as exc:
        raise InvalidParams(f"{row.name} could not be edited: {exc}") from None
    ctx.summary = {"duration": f"{result.duration:.1f} s", "size": f"{result.width}×{result.height}",
                   "audio": "yes" if result.has_audio else "none"}


TYPE = JobType(
    id="video_edit_download",
    label="Download from the Video Editing Tool",
    icon=ICON,
    download=True,
    queue=HEAVY,
    timeout=3600,
    preload=("av",),
    params=(
        Param("file_id", "int", "The video file to edit (the item's original)"),
        Param("start", "str", "Trim: start, in seconds", required=False),
        Param("end", "str", "Trim: end, in seconds", required=False),
        Param("max_height", "int", "Resize to at most this height, in pixels", required=False),
        Param("format", "choice", "Output format", required=False, choices=("mp4", "webm")),
        Param("mute", "str", "Drop the sound (true/false)", required=False),
    ),
    plan=plan,
    run=run,
)


def register() -> None:
    types.register(TYPE)
