"""Media set-ups for the tests: a module's holders and converters, and originals made from real
generated files (including the hostile ones users upload by mistake)."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

from bgjobs.extensions import db
from bgjobs.host import mediastore
from bgjobs.host.media import Converter, MediaFile, MediaHolder
from bgjobs.host.models import Item
from bgjobs.jobs import storage
from bgjobs.jobtypes.media import samples

WEB = {"max_width": 200, "max_height": 200, "format": "JPEG", "quality": 85}


def holders(module_id: int = 1, *names: str) -> dict[str, MediaHolder]:
    """The Original holder and custom holders of these names."""
    found = {"Original": mediastore.original_holder(module_id)}
    for name in names or ("Web",):
        found[name] = MediaHolder(module_id=module_id, name=name)
        db.session.add(found[name])
    db.session.commit()
    return found


def converter(target: MediaHolder, kind: str = "image", settings: dict | None = None, name: str = "Web JPEG") -> Converter:
    source = mediastore.original_holder(target.module_id)
    row = Converter(module_id=target.module_id, name=name, kind=kind, source_holder_id=source.id,
                    target_holder_id=target.id, settings=settings if settings is not None else WEB, version=1)
    db.session.add(row)
    db.session.commit()
    return row


def original(item_id: int, path: Path, name: str | None = None) -> MediaFile:
    """Store a file as the item's original the way older systems hand them over (unchecked)."""
    item = db.session.get(Item, item_id)
    with open(path, "rb") as stream:
        row = mediastore.put_original(item, stream, name or path.name, strict=False)
    db.session.commit()
    return row


def images(tmp_path: Path, item_ids, width: int = 320, height: int = 240) -> list[MediaFile]:
    return [original(i, Path(samples.make_image(tmp_path / f"photo-{i}.jpg", width, height, seed=i))) for i in item_ids]


def hostile(tmp_path: Path) -> dict[str, Path]:
    """One of each bad input of issue 11, by a short name."""
    files = {
        "corrupt.jpg": samples.jpeg_bytes(64, 48)[:300],
        "empty.jpg": b"",
        "notes.jpg": b"just some text, not an image",
    }
    made = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        made[name] = tmp_path / name
    made["png-named.jpg"] = Path(samples.make_image(tmp_path / "png-named.jpg", 80, 60, fmt="PNG"))
    made["bomb.png"] = Path(samples.make_decompression_bomb_png(tmp_path / "bomb.png"))
    made["cmyk.jpg"] = Path(samples.make_image(tmp_path / "cmyk.jpg", 80, 60, mode="CMYK"))
    made["grey16.png"] = Path(samples.make_image(tmp_path / "grey16.png", 80, 60, fmt="PNG", mode="I;16"))
    made["animated.gif"] = Path(samples.make_image(tmp_path / "animated.gif", 80, 60, fmt="GIF", mode="P", frames=3))
    made["locked.pdf"] = Path(samples.make_encrypted_pdf(tmp_path / "locked.pdf", "secret"))
    made["sound.mp4"] = Path(samples.make_audio_only(tmp_path / "sound.mp4"))
    return made


def originals_checksums() -> dict[int, str]:
    """sha256 of every original on disk, by row id (to prove no job ever touches one)."""
    rows = db.session.scalars(db.select(MediaFile).where(MediaFile.preview_state.is_not(None))).all()
    return {r.id: hashlib.sha256(storage.resolve(r.path).read_bytes()).hexdigest() for r in rows}


def in_holder(holder: MediaHolder) -> dict[int, MediaFile]:
    db.session.expire_all()
    return {f.item_id: f for f in db.session.scalars(db.select(MediaFile).where(MediaFile.holder_id == holder.id))}


def upload_bytes(data: bytes, name: str) -> dict:
    return {"file": (io.BytesIO(data), name)}
