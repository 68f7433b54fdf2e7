"""Generated sample media for tests and the demo-data seed (no binary files are committed).

Images look photo-like enough (gradients, shapes, grain) that JPEG sizes are realistic, and
stay fast at camera sizes such as 6000x4000 without numpy. The hostile makers produce the
files users really upload by mistake: bombs, encrypted PDFs, audio-only MP4s."""
from __future__ import annotations

from typing import TYPE_CHECKING
import array
import io
import math
import os
import random
import struct
import zlib
from fractions import Fraction

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    from PIL import Image, ImageChops, ImageCms, ImageDraw

_TILE = 256  # noise tile edge; tiling keeps big images cheap and the output deterministic


def make_image(
    path: str | os.PathLike, width: int, height: int, fmt: str = "JPEG", mode: str = "RGB",
    seed: int = 0, exif_orientation: int | None = None, *, frames: int = 1,
    quality: int = 90, icc: bool = False,
) -> str:
    """Write a photo-like `width`x`height` image. `mode` is RGB, RGBA, L, CMYK, P or I;16
    (16-bit grey); `frames` > 1 makes an animated GIF. Camera-style EXIF (Make, Model and
    `exif_orientation` if given) and optionally an sRGB ICC profile are embedded."""
    from PIL import Image, ImageCms
    images = [_scene(width, height, seed + i) for i in range(max(1, frames))]
    images = [_to_mode(im, mode) for im in images]
    exif = Image.Exif()
    exif[0x010F] = "Sample Camera Co."  # Make
    exif[0x0110] = f"Model {seed}"  # Model
    if exif_orientation:
        exif[0x0112] = exif_orientation
    options: dict = {}
    if fmt in ("JPEG", "PNG", "WEBP", "TIFF"):
        options["exif"] = exif.tobytes()
    if icc and mode in ("RGB", "RGBA"):
        options["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = quality
    if fmt == "TIFF":
        options["compression"] = "tiff_lzw"
    if len(images) > 1:
        options.update(save_all=True, append_images=images[1:], duration=100, loop=0)
    images[0].save(path, format=fmt, **options)
    return str(path)


def _scene(width: int, height: int, seed: int) -> Image.Image:
    from PIL import Image, ImageChops, ImageDraw
    rng = random.Random(seed)
    grad = Image.linear_gradient("L")
    red = grad.rotate(90).resize((width, height), Image.Resampling.BILINEAR)
    green = grad.resize((width, height), Image.Resampling.BILINEAR)
    blue = Image.radial_gradient("L").resize((width, height), Image.Resampling.BILINEAR)
    im = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(im)
    for _ in range(12):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        w, h = rng.randint(1, max(1, width // 3)), rng.randint(1, max(1, height // 3))
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x0, y0, x0 + w, y0 + h), fill=colour)
    # Uniform grain from a seeded tile, softened to +-16 levels.
    tile = Image.frombytes("L", (_TILE, _TILE), rng.randbytes(_TILE * _TILE)).point(lambda v: 112 + v // 8)
    grain = Image.new("L", (width, height))
    for y in range(0, height, _TILE):
        for x in range(0, width, _TILE):
            grain.paste(tile, (x, y))
    grain_rgb = Image.merge("RGB", (grain, grain, grain))
    return ImageChops.add(im, grain_rgb, scale=1.0, offset=-128)


def _to_mode(im: Image.Image, mode: str) -> Image.Image:
    from PIL import Image
    if mode == "RGBA":
        alpha = Image.linear_gradient("L").resize(im.size)
        im.putalpha(alpha)
        return im
    if mode == "P":
        return im.quantize(64)
    if mode == "I;16":
        # Spread 8 bits over the 16-bit range so it is really 16-bit data.
        return im.convert("L").convert("I").point(lambda v: v * 257).convert("I;16")
    return im.convert(mode)


def make_pdf(path: str | os.PathLike, pages: int = 1, text: str = "Sample document",
             size: tuple[float, float] | None = None) -> str:
    """Write a `pages`-page PDF (A4 unless `size` in points) with a title, shapes and text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=size or A4)
    _draw_pages(c, pages, text, size or A4)
    c.save()
    return str(path)


def make_encrypted_pdf(path: str | os.PathLike, password: str) -> str:
    """Write a one-page PDF that cannot be opened without the user `password`."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, encrypt=password)
    _draw_pages(c, 1, "Confidential", A4)
    c.save()
    return str(path)


def _draw_pages(c, pages: int, text: str, size: tuple[float, float]) -> None:
    width, height = size
    for number in range(1, pages + 1):
        c.setFillColorRGB(0.2, 0.4, 0.8)
        c.rect(40, height - 140, width - 80, 80, fill=1, stroke=0)
        c.setFillColorRGB(1, 1, 1)
        c.setFont("Helvetica-Bold", 24)
        c.drawString(60, height - 110, text)
        c.setFillColorRGB(0, 0, 0)
        c.setFont("Helvetica", 11)
        for line in range(30):
            c.drawString(60, height - 180 - line * 16, f"Line {line + 1} of page {number}: lorem ipsum dolor sit amet.")
        c.setFillColorRGB(0.9, 0.3, 0.2)
        c.circle(width - 120, 120, 60, fill=1, stroke=0)
        c.showPage()


def make_video(path: str | os.PathLike, seconds: float = 1, width: int = 320, height: int = 240,
               fps: int = 25, audio: bool = True, fmt: str = "mp4", *, vfr: bool = False,
               rotation: int = 0) -> str:
    """Write a video ("mp4", "mov" or "webm") of a moving shape, with a sine tone if `audio`.
    Odd sizes are allowed (H.264 then uses 4:4:4); `vfr` gives irregular frame timestamps;
    `rotation` (degrees counter-clockwise) is stored as display metadata, like phones do."""
    import av

    codec = "libvpx-vp9" if fmt == "webm" else "libx264"
    out_tb = Fraction(1, 1000)
    with av.open(str(path), "w", format=fmt) as out:
        video = out.add_stream(codec, rate=fps, time_base=out_tb, width=width, height=height)
        odd = width % 2 or height % 2
        video.pix_fmt = "yuv444p" if odd and codec == "libx264" else "yuv420p"
        video.options = {"preset": "ultrafast"} if codec == "libx264" else {"deadline": "realtime", "cpu-used": "8"}
        if rotation:
            video.set_display_rotation(rotation)
        sound = out.add_stream("libopus" if fmt == "webm" else "aac", rate=48000) if audio else None
        base = _scene(width, height, 7)
        rng = random.Random(1)
        t = 0.0
        while t < seconds - 1e-9:
            frame = av.VideoFrame.from_image(_video_frame(base, t, seconds))
            frame.pts, frame.time_base = round(t * 1000), out_tb
            out.mux(video.encode(frame))
            # VFR: alternate short and long gaps around the nominal frame duration.
            t += (1 / fps) * (rng.uniform(0.5, 1.5) if vfr else 1)
        out.mux(video.encode(None))
        if sound:
            _write_tone(out, sound, seconds)
    return str(path)


def _video_frame(base: Image.Image, t: float, seconds: float) -> Image.Image:
    from PIL import ImageDraw
    im = base.copy()
    w, h = im.size
    x = int((w - w // 4) * (t / max(seconds, 1e-6)))
    ImageDraw.Draw(im).rectangle((x, h // 3, x + w // 4, h // 3 + h // 4), fill=(250, 250, 40))
    return im


def _write_tone(out, stream, seconds: float, rate: int = 48000) -> None:
    import av

    resampler = av.AudioResampler(format=stream.codec_context.format, layout=stream.codec_context.layout,
                                  rate=stream.codec_context.sample_rate, frame_size=stream.codec_context.frame_size or 1024)
    chunk = 4800
    done = 0
    total = int(seconds * rate)
    while done < total:
        n = min(chunk, total - done)
        samples = array.array("h", (int(8000 * math.sin(2 * math.pi * 440 * (done + i) / rate)) for i in range(n)))
        frame = av.AudioFrame(format="s16", layout="mono", samples=n)
        frame.planes[0].update(samples.tobytes())
        frame.sample_rate, frame.pts, frame.time_base = rate, done, Fraction(1, rate)
        for piece in resampler.resample(frame):
            out.mux(stream.encode(piece))
        done += n
    for piece in resampler.resample(None):
        out.mux(stream.encode(piece))
    out.mux(stream.encode(None))


def make_audio_only(path: str | os.PathLike, seconds: float = 1) -> str:
    """Write an MP4 (use .mp4 or .m4a) holding only an AAC stream, i.e. no video."""
    import av

    with av.open(str(path), "w", format="mp4") as out:
        _write_tone(out, out.add_stream("aac", rate=48000), seconds)
    return str(path)


def make_decompression_bomb_png(path: str | os.PathLike, width: int = 20000, height: int = 20000) -> str:
    """Write a tiny PNG whose header claims `width`x`height` pixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    idat = zlib.compress(b"\x00" * (width // 8 + 1) * 16, 9)  # a few rows: truncated on purpose
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return str(path)


def jpeg_bytes(width: int = 64, height: int = 48, seed: int = 0) -> bytes:
    """A small JPEG in memory, handy for corrupting or truncating in tests."""
    buf = io.BytesIO()
    _scene(width, height, seed).save(buf, format="JPEG", quality=85)
    return buf.getvalue()
