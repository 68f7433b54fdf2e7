"""Video with PyAV: probing and poster frames (transcoding is in transcode.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING
import os
from dataclasses import dataclass

from .sniff import MediaError, atomic_output

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    import av

# Filters that undo a display rotation (degrees counter-clockwise, as FFmpeg reports it).
_ROTATIONS = {90: [("transpose", "cclock")], -270: [("transpose", "cclock")], -90: [("transpose", "clock")],
              270: [("transpose", "clock")], 180: [("hflip", ""), ("vflip", "")], -180: [("hflip", ""), ("vflip", "")]}


class Stopped(Exception):
    """The transcode was asked to stop; no output file was left behind."""


@dataclass(frozen=True)
class VideoInfo:
    """What a user sees: duration (s), displayed size (after sample aspect and rotation), frame
    rate, whether there is sound, the video codec and the rotation applied for display
    (degrees counter-clockwise, as in the file's display matrix)."""

    duration: float
    width: int
    height: int
    fps: float
    has_audio: bool
    video_codec: str
    rotation: int = 0


def _open(path: str | os.PathLike) -> av.container.InputContainer:
    import av
    try:
        return av.open(os.fspath(path), metadata_errors="replace")
    except FileNotFoundError:
        raise MediaError("the file is missing from storage") from None
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise MediaError("corrupt or unreadable video") from exc


def probe(path: str | os.PathLike) -> VideoInfo:
    """Read the header and decode the first frame (which proves the stream is decodable and
    carries the rotation); MediaError if there is no video stream or it is corrupt."""
    import av
    with _open(path) as container:
        if not container.streams.video:
            raise MediaError("the file has no video stream")
        stream = container.streams.video[0]
        try:
            first = next(container.decode(stream), None)
        except av.FFmpegError as exc:
            raise MediaError("corrupt or unreadable video") from exc
        if first is None or not stream.codec_context.width:
            raise MediaError("corrupt or unreadable video (no picture could be decoded)")
        duration = _duration(container, stream)
        sar = stream.sample_aspect_ratio or 1
        width, height = round(first.width * sar), first.height
        rotation = first.rotation if first.rotation in _ROTATIONS else 0
        if rotation in (90, -90, 270, -270):
            width, height = height, width
        rate = stream.average_rate or stream.guessed_rate or 0
        return VideoInfo(round(duration, 3), width, height, round(float(rate), 3),
                         bool(container.streams.audio), stream.codec_context.name, rotation)


def _duration(container: av.container.InputContainer, stream: av.VideoStream) -> float:
    import av
    if container.duration:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    # No header duration (some live-recorded WebM): scan packet timestamps, cheap without decoding.
    container.seek(0)
    end = 0.0
    for packet in container.demux(stream):
        if packet.pts is not None and packet.time_base:
            end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    if end <= 0:
        raise MediaError("could not tell how long the video is")
    return end - _origin(container)


def _origin(container: av.container.InputContainer) -> float:
    """Timestamp of the file's first sample: user times are relative to it."""
    import av
    return (container.start_time or 0) / av.time_base


def frame_at(path: str | os.PathLike, seconds: float, dst_jpeg: str | os.PathLike,
             max_size: int = 300) -> tuple[int, int]:
    """Write the frame shown at `seconds` as a JPEG no larger than `max_size` px, upright and
    with square pixels; returns its (width, height)."""
    import av
    with _open(path) as container:
        if not container.streams.video:
            raise MediaError("the file has no video stream")
        stream = container.streams.video[0]
        origin, target = _origin(container), max(0.0, seconds)
        chosen = None
        try:
            if target > 0:
                container.seek(int((origin + target) * av.time_base), backward=True)
            for frame in container.decode(stream):
                chosen = frame
                if frame.time is not None and frame.time - origin >= target - 0.02:
                    break
        except av.FFmpegError as exc:
            raise MediaError("could not decode the video") from exc
        if chosen is None:
            raise MediaError("could not decode a frame from the video")
        image = chosen.to_image()
        sar = stream.sample_aspect_ratio or 1
    if sar != 1:
        image = image.resize((round(image.width * sar), image.height))
    if chosen.rotation in _ROTATIONS:
        image = image.rotate(chosen.rotation, expand=True)  # both counter-clockwise
    image.thumbnail((max_size, max_size))
    with atomic_output(dst_jpeg) as tmp:
        image.save(tmp, format="JPEG", quality=82)
    return image.size
