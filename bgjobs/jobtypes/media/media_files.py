"""Shared checks of the download jobs that act on one media file (the Image and Video Editing
Tools): the file row, of the right kind, whose content is in storage."""
from __future__ import annotations

from typing import TYPE_CHECKING
from pathlib import Path

from bgjobs.extensions import db
from bgjobs.host.media import MediaFile
from bgjobs.jobs import storage
from bgjobs.jobs.types import InvalidParams
from bgjobs.jobtypes.common import checks as p

if TYPE_CHECKING:  # the heavy libraries are imported inside the functions that use them
    from PIL import Image

# EXIF orientations that turn the picture a quarter: the upright size swaps width and height.
QUARTER_TURNS = {5, 6, 7, 8}


def media_file(params: dict, kind: str) -> tuple[MediaFile, Path]:
    """The chosen file (params["file_id"]) if it is a `kind` file present in storage."""
    row = db.session.get(MediaFile, p.as_int(params, "file_id", "file"))
    if row is None:
        raise InvalidParams("That file does not exist.")
    if row.kind != kind:
        raise InvalidParams(f"{row.name} is not {'an image' if kind == 'image' else 'a ' + kind} (it is a {row.kind} file).")
    try:
        path = storage.resolve(row.path)
    except storage.OutsideStorage:
        raise InvalidParams(f"{row.name} is not in storage.") from None
    if not path.is_file():
        raise InvalidParams(f"{row.name} is missing from storage; upload it again.")
    return row, path


def upright_size(path: Path) -> tuple[int, int]:
    """The image's size as shown (EXIF orientation applied), read from its header only."""
    from PIL import Image
    try:
        with Image.open(path) as im:
            width, height = im.size
            orientation = im.getexif().get(0x0112, 1)
    except OSError as exc:
        raise InvalidParams(f"The image cannot be read: {exc}.") from None
    return (height, width) if orientation in QUARTER_TURNS else (width, height)


def stem(name: str) -> str:
    return Path(name).stem or "file"
