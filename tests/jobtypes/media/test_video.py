"""Video probing, frames and the transcode (trim, scale, formats, progress, stop) on generated clips."""
from __future__ import annotations

import av
import pytest
from PIL import Image

from bgjobs.jobtypes.media import samples
from bgjobs.jobtypes.media.sniff import MediaError
from bgjobs.jobtypes.media.transcode import output_size, transcode, validate_edit
from bgjobs.jobtypes.media.video import Stopped, VideoInfo, frame_at, probe


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    return {
        "main": samples.make_video(folder / "main.mp4", seconds=2, width=320, height=240),
        "odd": samples.make_video(folder / "odd.mp4", seconds=1, width=321, height=241),
        "silent": samples.make_video(folder / "silent.webm", seconds=1, width=160, height=120, audio=False, fmt="webm"),
        "vfr": samples.make_video(folder / "vfr.mp4", seconds=1.5, width=160, height=120, vfr=True),
        "portrait": samples.make_video(folder / "phone.mp4", seconds=1, width=320, height=240, rotation=-90),
    }


def streams(path):
    with av.open(str(path)) as c:
        return {s.type: s.codec_context.name for s in c.streams}


def audio_seconds(path):
    with av.open(str(path)) as c:
        return sum(f.samples for f in c.decode(audio=0)) / c.streams.audio[0].codec_context.sample_rate


def test_probe(clips):
    info = probe(clips["main"])
    assert info == VideoInfo(2.0, 320, 240, 25.0, True, "h264", 0)
    assert probe(clips["silent"]).has_audio is False and probe(clips["silent"]).video_codec == "vp9"


@pytest.mark.parametrize("fmt, vcodec, acodec", [("mp4", "h264", "aac"), ("webm", "vp9", "opus")])
def test_trim_and_scale(clips, tmp_path, fmt, vcodec, acodec):
    dst = tmp_path / f"out.{fmt}"
    info = transcode(clips["main"], dst, start=0.5, end=1.7, max_height=120, fmt=fmt)
    assert abs(info.duration - 1.2) <= 0.15
    assert info.height == 120 and info.width % 2 == 0 and info.width == 160
    assert streams(dst) == {"video": vcodec, "audio": acodec}
    assert abs(audio_seconds(dst) - 1.2) <= 0.1  # audio trimmed to the same span


def test_mute_drops_audio(clips, tmp_path):
    assert transcode(clips["main"], tmp_path / "m.mp4", end=1.0, mute=True).has_audio is False
    assert "audio" not in streams(tmp_path / "m.mp4")


def test_odd_input_size(clips, tmp_path):
    info = transcode(clips["odd"], tmp_path / "o.mp4")
    assert (info.width, info.height) == (320, 240)
    info = transcode(clips["odd"], tmp_path / "o.webm", fmt="webm", max_height=121)
    assert info.width % 2 == 0 and info.height % 2 == 0


def test_no_audio_input(clips, tmp_path):
    info = transcode(clips["silent"], tmp_path / "s.mp4")
    assert info.has_audio is False and abs(info.duration - 1.0) <= 0.15


def test_variable_frame_rate(clips, tmp_path):
    src = probe(clips["vfr"])
    info = transcode(clips["vfr"], tmp_path / "v.mp4", start=0.2)
    assert abs(info.duration - (src.duration - 0.2)) <= 0.15


def test_rotated_phone_video_comes_out_upright(clips, tmp_path):
    src = probe(clips["portrait"])
    assert (src.width, src.height, src.rotation) == (240, 320, -90)
    info = transcode(clips["portrait"], tmp_path / "p.mp4", max_height=160)
    assert (info.width, info.height, info.rotation) == (120, 160, 0)
    assert frame_at(clips["portrait"], 0.5, tmp_path / "p.jpg", max_size=100) == (75, 100)


def test_progress_is_monotonic_and_ends_at_total(clips, tmp_path):
    seen = []
    transcode(clips["main"], tmp_path / "p.mp4", start=0.2, end=1.8,
              progress=lambda done, total: seen.append((done, total)))
    dones = [d for d, _ in seen]
    assert len(seen) > 5 and dones == sorted(dones)
    assert all(t == pytest.approx(1.6) for _, t in seen) and dones[-1] == pytest.approx(1.6)


def test_should_stop_leaves_nothing(clips, tmp_path):
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 5

    with pytest.raises(Stopped):
        transcode(clips["main"], tmp_path / "out.mp4", should_stop=should_stop)
    assert list(tmp_path.iterdir()) == []


def test_frame_at(clips, tmp_path):
    assert frame_at(clips["main"], 1.0, tmp_path / "f.jpg") == (300, 225)
    assert Image.open(tmp_path / "f.jpg").format == "JPEG"


def test_no_video_stream(tmp_path):
    src = samples.make_audio_only(tmp_path / "voice.m4a")
    with pytest.raises(MediaError, match="^the file has no video stream$"):
        probe(src)
    with pytest.raises(MediaError, match="no video stream"):
        transcode(src, tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()


@pytest.mark.parametrize("content", [b"", b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 8])
def test_corrupt_video(tmp_path, content):
    (tmp_path / "bad.mp4").write_bytes(content)
    with pytest.raises(MediaError, match="corrupt or unreadable video"):
        probe(tmp_path / "bad.mp4")


INFO = VideoInfo(10.0, 1920, 1080, 25.0, True, "h264")


@pytest.mark.parametrize("args, message", [
    ((None, None, None, "avi"), "Choose MP4 or WebM"),
    ((-1, None, None, "mp4"), "The start time cannot be negative."),
    ((10, None, None, "mp4"), "The start (10.00 s) is at or past the end of the video (10.00 s)."),
    ((5, 4, None, "mp4"), "The end time must be after the start time."),
    ((5, 5, None, "mp4"), "The end time must be after the start time."),
    ((0, 12, None, "mp4"), "The end (12.00 s) is past the end of the video (10.00 s)."),
    ((1, 1.05, None, "mp4"), "The clip must be at least 0.1 s long."),
    ((None, None, 8, "mp4"), "maximum height must be a whole number from 16 to 4,320"),
    ((None, None, 720.5, "webm"), "maximum height must be a whole number"),
    (("1", None, None, "mp4"), "The start time must be a number of seconds."),
    ((None, float("nan"), None, "mp4"), "The end time must be a number of seconds."),
])
def test_validate_edit_messages(args, message):
    with pytest.raises(ValueError) as err:
        validate_edit(INFO, *args)
    assert message in str(err.value)


def test_validate_edit_accepts_good_edits():
    validate_edit(INFO, None, None, None, "mp4")
    validate_edit(INFO, 2.5, 10.02, 720, "webm")  # a hair past the rounded duration is fine


def test_output_size_even_and_never_enlarged():
    assert output_size(INFO, 720) == (1280, 720)
    assert output_size(INFO, 2160) == (1920, 1080)
    assert output_size(VideoInfo(1, 321, 241, 25, False, "h264"), None) == (320, 240)
    assert output_size(VideoInfo(1, 333, 251, 25, False, "h264"), 103) == (136, 102)
