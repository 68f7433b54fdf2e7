"""What the host pages show of media, built in Python so templates never query: a module's
holders and converters (for the media job forms), thumbnails for a page of items, an item's
files per holder."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from bgjobs.extensions import db
from bgjobs.host.media import PREVIEW_OK, Converter, MediaFile, MediaHolder


@dataclass
class ModuleMedia:
    holders: list[MediaHolder]
    converters: list[Converter]
    thumbs: dict[int, int] = field(default_factory=dict)  # item id -> file id with a preview

    @property
    def custom_holders(self) -> list[MediaHolder]:
        return [h for h in self.holders if not h.is_original]

    @property
    def has_media(self) -> bool:
        return bool(self.holders)


@dataclass
class HolderFile:
    holder: MediaHolder
    file: MediaFile | None
    converter: str = ""  # the converter that made it, if any


def module_media(module_id: int, item_ids: list[int] = ()) -> ModuleMedia:
    holders = db.session.scalars(select(MediaHolder).where(MediaHolder.module_id == module_id)
                                 .order_by(MediaHolder.is_original.desc(), MediaHolder.id)).all()
    converters = db.session.scalars(select(Converter).where(Converter.module_id == module_id)
                                    .order_by(Converter.name)).all()
    media = ModuleMedia(list(holders), list(converters))
    original = next((h.id for h in holders if h.is_original), None)
    if original and item_ids:
        rows = db.session.execute(select(MediaFile.item_id, MediaFile.id).where(
            MediaFile.holder_id == original, MediaFile.item_id.in_(list(item_ids)),
            MediaFile.preview_state == PREVIEW_OK)).all()
        media.thumbs = {item_id: file_id for item_id, file_id in rows}
    return media


def item_media(module_id: int, item_id: int) -> list[HolderFile]:
    """Every holder of the item's module with the file it holds for this item (or None)."""
    media = module_media(module_id)
    files = {f.holder_id: f for f in db.session.scalars(select(MediaFile).where(MediaFile.item_id == item_id))}
    names = {c.id: c.name for c in media.converters}
    return [HolderFile(h, files.get(h.id), names.get(files[h.id].converter_id, "") if h.id in files else "")
            for h in media.holders]
