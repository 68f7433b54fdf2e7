"""Finding the seeded document items and writing input files, for the document job tests."""
from __future__ import annotations

import io

from openpyxl import Workbook

from bgjobs.extensions import db
from bgjobs.host.models import Item, Module
from bgjobs.host.studio import PrintRequest, inputs_of


def item_of(module_name: str) -> Item:
    module = db.session.scalar(db.select(Module).where(Module.name == module_name))
    return db.session.scalars(db.select(Item).where(Item.module_id == module.id)).first()


def print_request() -> Item:
    return item_of("Print requests")


def campaign() -> Item:
    return item_of("Campaigns")


def request_row(item_id: int) -> PrintRequest:
    db.session.expire_all()
    return db.session.get(PrintRequest, item_id)


def names(item_id: int) -> list[str]:
    db.session.expire_all()
    return [i.values.get("name") for i in inputs_of(item_id)]


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
