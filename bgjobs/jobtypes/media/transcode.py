"""The Video Editing Tool's and the video converter's transcode with PyAV: trim, scale, MP4 =
H.264 + AAC or WebM = VP9 + Opus, with honest progress and clean stopping."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math
import os
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from .sniff import MediaError, atomic_output
from .video import _ROTATIONS, VideoInfo, Stopped, _open, _origin, probe

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    import av

FORMATS = ("mp4", "webm")
MIN_CLIP = 0.1  # seconds
MAX_HEIGHT_RANGE = (16, 4320)
_END_SLACK = 0.05  # container durations are rounded; accept an end this far past them
_AAC_RATES = {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000}


def validate_edit(info: VideoInfo, start: float | None, end: float | None,
                  max_height: int | None, fmt: str) -> None:
    """Raise ValueError with a message for the user if the edit cannot be done on `info`."""
    if fmt not in FORMATS:
        raise ValueError("Choose MP4 or WebM as the output format.")
    for label, value in (("start", start), ("end", end)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not math.isfinite(value)):
            raise ValueError(f"The {label} time must be a number of seconds.")
    s = float(start or 0.0)
    e = float(end) if end is not None else info.duration
    if s < 0:
        raise ValueError("The start time cannot be negative.")
    if s >= info.duration:
        raise ValueError(f"The start ({s:.2f} s) is at or past the end of the video ({info.duration:.2f} s).")
    if e <= s:
        raise ValueError("The end time must be after the start time.")
    if e > info.duration + _END_SLACK:
        raise ValueError(f"The end ({e:.2f} s) is past the end of the video ({info.duration:.2f} s).")
    if min(e, info.duration) - s < MIN_CLIP:
        raise ValueError(f"The clip must be at least {MIN_CLIP} s long.")
    if max_height is not None:
        lo, hi = MAX_HEIGHT_RANGE
        if isinstance(max_height, bool) or not isinstance(max_height, int) or not lo <= max_height <= hi:
            raise ValueError(f"The maximum height must be a whole number from {lo} to {hi:,} pixels.")


def output_size(info: VideoInfo, max_height: int | None) -> tuple[int, int]:
    """Displayed size capped at `max_height` (never enlarged), both sides rounded down to even
    as 4:2:0 chroma needs (rounding down keeps the height within the cap)."""
    scale = min(1.0, max_height / info.height) if max_height else 1.0
    return 2 * max(1, int(info.width * scale + 1e-6) // 2), 2 * max(1, int(info.height * scale + 1e-6) // 2)


def transcode(src: str | os.PathLike, dst: str | os.PathLike, *, start: float | None = None,
              end: float | None = None, max_height: int | None = None, fmt: str = "mp4",
              mute: bool = False, progress: Callable[[float, float], None] | None = None,
              should_stop: Callable[[], bool] | None = None) -> VideoInfo:
    """Cut [start, end) out of `src`, scale to `max_height`, encode as `fmt` into `dst`
    (atomically) and return the probe of the result. `progress(done_s, total_s)` follows
    the encoder; `should_stop()` is polled between frames and raises Stopped."""
    info = probe(src)
    validate_edit(info, start, end, max_height, fmt)
    t0 = float(start or 0.0)
    t1 = min(float(end), info.duration) if end is not None else info.duration
    with atomic_output(dst) as tmp:
        _Transcoder(info, t0, t1, output_size(info, max_height), fmt, mute, progress, should_stop).run(src, tmp)
    return probe(dst)


class _Transcoder:
    """One transcode run. Frames are re-timed from their own timestamps (so variable frame
    rate survives), audio is resampled to the encoder's format and re-framed through a FIFO
    (which also trims it to the sample)."""

    def __init__(self, info: VideoInfo, t0: float, t1: float, size: tuple[int, int], fmt: str, mute: bool,
                 progress: Callable[[float, float], None] | None, should_stop: Callable[[], bool] | None):
        self.info, self.t0, self.t1, self.size, self.fmt, self.mute = info, t0, t1, size, fmt, mute
        self.total = t1 - t0
        self.progress, self.should_stop = progress, should_stop
        self.reported = -1.0
        self.video_done, self.audio_done = False, True
        self.pending = None  # last frame before t0: it is what shows at t0
        self.last_pts = -1
        self.graph = None
        self.astream = None

    def run(self, src: str | os.PathLike, tmp: Path) -> None:
        """Decode `src`, encode into `tmp`; the caller owns renaming or deleting `tmp`."""
        import av
        options = {"movflags": "+faststart"} if self.fmt == "mp4" else {}
        with _open(src) as inp, av.open(os.fspath(tmp), "w", format=self.fmt, container_options=options) as out:
            self.out, self.origin = out, _origin(inp)
            vin = inp.streams.video[0]
            vin.thread_type = "AUTO"
            ain = inp.streams.audio[0] if inp.streams.audio and not self.mute else None
            self._setup_video(vin)
            if ain is not None:
                self._setup_audio(ain)
            out.start_encoding()
            if self.astream is not None:
                self._start_audio()
            if self.t0 > 0:
                inp.seek(int((self.origin + self.t0) * av.time_base), backward=True)
            try:
                for packet in inp.demux([s for s in (vin, ain) if s is not None]):
                    if self.should_stop and self.should_stop():
                        raise Stopped("the transcode was stopped")
                    if packet.stream.type == "video" and not self.video_done:
                        for frame in packet.decode():
                            self._video(frame)
                    elif packet.stream.type == "audio" and not self.audio_done:
                        for frame in packet.decode():
                            self._audio(frame)
                    if self.video_done and self.audio_done:
                        break
                self._finish()
            except av.FFmpegError as exc:
                raise MediaError("the video could not be decoded or encoded (corrupt data?)") from exc
        self._report(self.total, force=True)

    def _setup_video(self, vin: av.VideoStream) -> None:
        rate = vin.average_rate or vin.guessed_rate or Fraction(25)
        rate = Fraction(rate).limit_denominator(1001) if 1 <= rate <= 240 else Fraction(30)
        # A fine time base keeps irregular (VFR) timestamps distinct; WebM stores milliseconds.
        self.vtb = Fraction(1, 90000) if self.fmt == "mp4" else Fraction(1, 1000)
        codec = "libx264" if self.fmt == "mp4" else "libvpx-vp9"
        self.vstream = self.out.add_stream(codec, rate=rate, time_base=self.vtb, width=self.size[0], height=self.size[1])
        self.vstream.pix_fmt = "yuv420p"
        self.vstream.options = ({"preset": "fast", "crf": "23"} if codec == "libx264" else
                                # realtime + high cpu-used: several times faster than "good"
                                {"deadline": "realtime", "cpu-used": "8", "row-mt": "1", "crf": "32"})
        self.frame_ticks = max(1, round(1 / rate / self.vtb))
        if self.info.rotation in _ROTATIONS:
            self.graph = _rotation_graph(vin, self.info.rotation)

    def _setup_audio(self, ain: av.AudioStream) -> None:
        stereo = ain.codec_context.channels != 1
        if self.fmt == "mp4":
            codec, rate = "aac", ain.codec_context.sample_rate if ain.codec_context.sample_rate in _AAC_RATES else 48000
        else:
            codec, rate = "libopus", 48000  # Opus only runs at 48 kHz (and a few lower rates)
        self.astream = self.out.add_stream(codec, rate=rate)
        self.astream.codec_context.layout = "stereo" if stereo else "mono"
        self.astream.codec_context.bit_rate = 128_000 if stereo else 96_000
        self.audio_done = False

    def _start_audio(self) -> None:
        import av
        ctx = self.astream.codec_context
        self.rate, self.frame_size = ctx.sample_rate, ctx.frame_size or 1024
        self.resampler = av.AudioResampler(format=ctx.format, layout=ctx.layout, rate=ctx.sample_rate)
        self.fifo = av.AudioFifo()
        self.remaining = round(self.total * self.rate)
        self.apts: int | None = None
        self.skip = 0

    def _video(self, frame: av.VideoFrame) -> None:
        if frame.time is None:
            return  # no timestamp: cannot be placed on the timeline
        t = frame.time - self.origin
        if t < self.t0 - 1e-3:
            self.pending = frame
            return
        if t >= self.t1 - 1e-3:
            self.video_done = True
            return
        if self.pending is not None and t > self.t0 + 1e-3:
            self._emit(self.pending, self.t0)
        self.pending = None
        self._emit(frame, t)

    def _emit(self, frame: av.VideoFrame, t: float) -> None:
        if self.graph is not None:
            self.graph.vpush(frame)
            frame = self.graph.vpull()
        out = frame.reformat(width=self.size[0], height=self.size[1], format="yuv420p", interpolation="AREA")
        self.last_pts = max(round(max(0.0, t - self.t0) / self.vtb), self.last_pts + 1)
        out.pts, out.time_base, out.duration = self.last_pts, self.vtb, self.frame_ticks
        self._mux_video(self.vstream.encode(out))

    def _mux_video(self, packets: list[av.Packet]) -> None:
        for packet in packets:
            if packet.pts is not None:  # read before mux(), which rebases the packet
                self._report(float((packet.pts + (packet.duration or 0)) * packet.time_base))
            self.out.mux(packet)

    def _audio(self, frame: av.AudioFrame) -> None:
        if self.apts is None:  # first audio: line it up with t0, by skipping or delaying
            t = frame.time - self.origin if frame.time is not None else self.t0
            offset = round((t - self.t0) * self.rate)
            self.apts, self.skip = max(0, offset), max(0, -offset)
            self.remaining -= self.apts
        for piece in self.resampler.resample(frame):
            piece.pts = None  # the FIFO insists on contiguous timestamps; we re-time on the way out
            self.fifo.write(piece)
        self._drain(final=False)

    def _drain(self, final: bool) -> None:
        if self.skip:
            n = min(self.skip, self.fifo.samples)
            if n:
                self.fifo.read(n)
                self.skip -= n
        while self.remaining > 0 and self.fifo.samples and (final or self.fifo.samples >= self.frame_size):
            chunk = self.fifo.read(min(self.frame_size, self.remaining, self.fifo.samples))
            chunk.pts, chunk.time_base = self.apts, Fraction(1, self.rate)
            self.apts += chunk.samples
            self.remaining -= chunk.samples
            for packet in self.astream.encode(chunk):
                self.out.mux(packet)
        if self.remaining <= 0:
            self.audio_done = True

    def _finish(self) -> None:
        if self.pending is not None:  # nothing at/after t0 came: the held frame is the clip
            self._emit(self.pending, self.t0)
        self._mux_video(self.vstream.encode(None))
        if self.astream is not None:
            if not self.audio_done and self.apts is not None:
                for piece in self.resampler.resample(None):
                    piece.pts = None
                    self.fifo.write(piece)
                self._drain(final=True)
            self.out.mux(self.astream.encode(None))

    def _report(self, done: float, force: bool = False) -> None:
        done = min(max(done, 0.0), self.total)
        if self.progress and (force or done - self.reported >= self.total / 100):
            if done > self.reported or force:
                self.reported = max(done, self.reported)
                self.progress(self.reported, self.total)


def _rotation_graph(vin: av.VideoStream, rotation: int) -> av.filter.Graph:
    """A filter graph that turns frames upright (`rotation` is counter-clockwise)."""
    import av
    graph = av.filter.Graph()
    node = graph.add_buffer(template=vin)
    for name, args in _ROTATIONS[rotation]:
        step = graph.add(name, args)
        node.link_to(step)
        node = step
    node.link_to(graph.add("buffersink"))
    graph.configure()
    return graph
