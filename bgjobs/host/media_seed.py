"""Demo media: a "Media Library" module whose items hold generated originals (photo-like JPEGs
of realistic sizes, two camera-sized 6000x4000, PNG/TIFF/WebP, some PDFs and three short
videos), made at seed time by the same libraries the jobs use (a pool of distinct files shared
by the items), plus custom holders and converters. Idempotent: the files are made only once."""
from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import func, insert, select

from bgjobs.extensions import db
from bgjobs.host import mediastore
from bgjobs.host.media import Converter, MediaFile, MediaHolder
from bgjobs.host.models import Item, Module
from bgjobs.jobtypes.media import samples

MODULE = "Media Library"
FIELDS = [{"name": "title", "label": "Title", "type": "text"}, {"name": "credit", "label": "Credit", "type": "text"}]
# Most photos are web or phone sized; one in a hundred is a full camera frame.
SIZES = [(1600, 1067), (2400, 1600), (1200, 1600), (3000, 2000), (1024, 768), (2048, 1365)]
LARGE = (6000, 4000)
POOL = 40  # distinct files (after the 3 videos); the items share them
HOLDERS = ("Web 1200 px JPEG", "Thumbnail 300 px", "Print TIFF", "PDF page 1 JPEG", "Video 480p MP4")
CONVERTERS = [
    ("Web 1200 px JPEG", "image", "Web 1200 px JPEG", {"max_width": 1200, "max_height": 1200, "format": "JPEG", "quality": 85}),
    ("Thumbnail 300 px", "image", "Thumbnail 300 px", {"max_width": 300, "max_height": 300, "canvas": "crop", "format": "WEBP", "quality": 80}),
    ("Print TIFF (greyscale)", "image", "Print TIFF", {"max_width": 2400, "max_height": 2400, "format": "TIFF", "colour_mode": "L"}),
    ("PDF page 1 to JPEG", "pdf", "PDF page 1 JPEG", {"max_width": 1200, "max_height": 1200, "format": "JPEG", "quality": 85}),
    ("Video to MP4 H.264 480p", "video", "Video 480p MP4", {"max_height": 480}),
]


def ensure_media_module(files: int, workflow: dict) -> Module:
    """The Media Library with `files` originals (about 90% images, then PDFs, then 3 videos)."""
    module = db.session.scalar(select(Module).where(Module.name == MODULE))
    if module is None:
        module = Module(name=MODULE, fields=FIELDS, workflow=workflow)
        db.session.add(module)
        db.session.flush()
    original = mediastore.original_holder(module.id)
    holders = {h.name: h for h in db.session.scalars(select(MediaHolder).where(MediaHolder.module_id == module.id))}
    for name in HOLDERS:
        if name not in holders:
            holders[name] = MediaHolder(module_id=module.id, name=name)
            db.session.add(holders[name])
    db.session.flush()
    for name, kind, target, settings in CONVERTERS:
        if db.session.scalar(select(Converter).where(Converter.module_id == module.id, Converter.name == name)) is None:
            db.session.add(Converter(module_id=module.id, name=name, kind=kind, source_holder_id=original.id,
                                     target_holder_id=holders[target].id, settings=settings, version=1))
    have = db.session.scalar(select(func.count()).select_from(MediaFile).where(MediaFile.holder_id == original.id))
    if have >= files:
        db.session.commit()
        return module
    items = db.session.scalars(select(Item).where(Item.module_id == module.id).order_by(Item.id)).all()
    missing = files - len(items)
    if missing > 0:
        db.session.execute(insert(Item), [{"module_id": module.id, "status": workflow["initial"],
                                           "data": {"title": f"Asset {n}", "credit": "Demo Studio"}}
                                          for n in range(len(items) + 1, files + 1)])
        items = db.session.scalars(select(Item).where(Item.module_id == module.id).order_by(Item.id)).all()
    done = set(db.session.scalars(select(MediaFile.item_id).where(MediaFile.holder_id == original.id)))
    pool: dict[int, Path] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, item in enumerate(items[:files]):
            if item.id not in done:
                # A pool of distinct files, each made once and shared by several items: making
                # hundreds of camera-sized pictures would take minutes.
                slot = n if n < 3 else 3 + (n - 3) % POOL
                if slot not in pool:
                    pool[slot] = make_file(Path(tmp), slot)
                path = pool[slot]
                name = f"{path.stem}-{n:04d}{path.suffix}"
                with open(path, "rb") as stream:
                    mediastore.put_original(item, stream, name, strict=False)
                if n % 20 == 0:
                    db.session.commit()  # an interrupted seed keeps what it made and goes on next time
    db.session.commit()
    return module


def make_file(folder: Path, n: int) -> Path:
    """The n-th distinct demo original: 3 videos, then about 5% PDFs, the rest images of varied
    formats and sizes (one in twenty a full 6000x4000 camera frame)."""
    if n < 3:
        return Path(samples.make_video(folder / f"clip-{n}.mp4", seconds=2, width=640, height=360, fmt="mp4"))
    if n % 20 == 3:
        return Path(samples.make_pdf(folder / f"brochure-{n}.pdf", pages=2, text=f"Brochure {n}"))
    width, height = LARGE if n % 20 == 10 else SIZES[n % len(SIZES)]
    fmt, ext = {7: ("PNG", "png"), 8: ("TIFF", "tif"), 9: ("WEBP", "webp")}.get(n % 10, ("JPEG", "jpg"))
    path = folder / f"photo-{n:04d}.{ext}"
    samples.make_image(path, width, height, fmt=fmt, seed=n, exif_orientation=6 if n % 17 == 0 else None)
    return path
