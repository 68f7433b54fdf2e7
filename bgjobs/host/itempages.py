"""Pages of a module's items (all of them, or one batch): keyset pages on the item id in both
directions, with the position of the page ("Items 51–100 of 60,000").

The position travels in the page links (`start`), so a page costs the one count the page already
shows (the total) and no count of the items before it; a link without it (typed by hand) pays
one extra count of the items before the page."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bgjobs import defaults
from bgjobs.extensions import db
from bgjobs.host.models import Item, ItemBatch, Module

PER_PAGE = defaults.ITEMS_PER_PAGE


@dataclass
class ItemPage:
    items: list[Item]
    total: int  # items of the module (or batch)
    first: int  # 1-based position of the first item shown (0 when there are none)
    next_args: dict | None  # query args of the next page, None on the last
    prev_args: dict | None  # and of the previous page, None on the first

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def position(self) -> str:
        """"Items 51–100 of 60,000" ("No items." when empty)."""
        if not self.items:
            return "No items."
        return f"Items {self.first:,}–{self.last:,} of {self.total:,}"


def item_page(module: Module, batch: str | None, after: int = 0, before: int = 0, start: int | None = None) -> ItemPage:
    """The page after item id `after` (Next), or before item id `before` (Previous)."""
    where = [Item.module_id == module.id]
    if batch:
        where.append(Item.id.in_(select(ItemBatch.item_id).where(ItemBatch.batch_id == batch)))
    total = db.session.scalar(select(func.count()).select_from(Item).where(*where))
    if before:
        query = select(Item).where(*where, Item.id < before).order_by(Item.id.desc())
    else:
        query = select(Item).where(*where, Item.id > after).order_by(Item.id)
    items = list(db.session.scalars(query.limit(PER_PAGE + 1)))
    more = len(items) > PER_PAGE
    items = items[:PER_PAGE]
    if before:
        items.reverse()
    if not items:
        return ItemPage([], total, 0, None, None)
    if start is None or start < 1:  # a hand-made link: count what lies before the page
        start = 1 + db.session.scalar(select(func.count()).select_from(Item).where(*where, Item.id < items[0].id))
    has_prev = more if before else bool(after)
    has_next = True if before else more
    base = {"batch": batch} if batch else {}
    return ItemPage(
        items, total, start,
        next_args={**base, "after": items[-1].id, "start": start + len(items)} if has_next else None,
        prev_args={**base, "before": items[0].id, "start": max(1, start - PER_PAGE)} if has_prev else None,
    )
