"""Idempotent demo data: users alice, bob (users) and admin, two modules with items, and an
import template that notifies bob."""
from __future__ import annotations

from sqlalchemy import func, insert, select

from bgjobs.host.models import ImportTemplate, Item, Module
from bgjobs.extensions import db
from bgjobs.auth.models import ROLE_ADMIN, ROLE_USER, User

WORKFLOW = {
    "initial": "Draft",
    "transitions": {
        "Draft": ["In Review"],
        "In Review": ["Approved", "Draft"],
        "Approved": ["Published", "In Review"],
        "Published": ["Archived"],
    },
}
PRODUCT_FIELDS = [
    {"name": "sku", "label": "SKU", "type": "text"},
    {"name": "title", "label": "Title", "type": "text"},
    {"name": "price", "label": "Price", "type": "number"},
    {"name": "stock", "label": "Stock", "type": "number"},
]


def ensure_user(username: str, role: str, password: str, display_name: str = "") -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, role=role, display_name=display_name or username.title(),
                    email=f"{username}@example.com")
        db.session.add(user)
    user.set_password(password)
    return user


def ensure_module(name: str, fields: list[dict], items: int) -> Module:
    module = db.session.scalar(select(Module).where(Module.name == name))
    if module is None:
        module = Module(name=name, fields=fields, workflow=WORKFLOW)
        db.session.add(module)
        db.session.flush()
    have = db.session.scalar(select(func.count()).select_from(Item).where(Item.module_id == module.id))
    statuses = ["Draft", "In Review", "Approved", "Published"]
    rows = [
        {
            "module_id": module.id,
            "status": statuses[n % len(statuses)],
            "data": {"sku": f"{name[:3].upper()}-{n:05d}", "title": f"{name} item {n}",
                     "price": round(5 + n * 0.37, 2), "stock": n % 90},
        }
        for n in range(have + 1, items + 1)
    ]
    for start in range(0, len(rows), 5000):  # bulk inserts: a large demo module seeds in seconds
        db.session.execute(insert(Item), rows[start:start + 5000])
    return module


def seed(password: str, items: int = 500, archive_items: int = 0, media_files: int = 0) -> dict:
    """archive_items: a "Media Archive" module big enough that an export runs long enough to
    watch its progress and stop it (the run command seeds 60,000). media_files: a "Media
    Library" module with that many generated originals (bgjobs.host.media_seed)."""
    users = {
        "alice": ensure_user("alice", ROLE_USER, password, "Alice"),
        "bob": ensure_user("bob", ROLE_USER, password, "Bob"),
        "admin": ensure_user("admin", ROLE_ADMIN, password, "Site Administrator"),
    }
    products = ensure_module("Products", PRODUCT_FIELDS, items)
    ensure_module("Campaign Assets", PRODUCT_FIELDS, max(items // 5, 1))
    if archive_items:
        ensure_module("Media Archive", PRODUCT_FIELDS, archive_items)
    db.session.flush()
    if db.session.scalar(select(ImportTemplate).where(ImportTemplate.name == "Product price list")) is None:
        db.session.add(ImportTemplate(
            name="Product price list", module_id=products.id, key_field="sku",
            mapping={"SKU": "sku", "Title": "title", "Price": "price", "Stock": "stock"},
            notify_user_ids=[users["bob"].id],
        ))
    if db.session.scalar(select(ImportTemplate).where(ImportTemplate.name == "Quick stock update")) is None:
        db.session.add(ImportTemplate(
            name="Quick stock update", module_id=products.id, key_field="sku",
            mapping={"SKU": "sku", "Stock": "stock"}, notify_user_ids=[],
        ))
    from bgjobs.host.studio_seed import seed_documents  # print templates, a print request, a campaign

    seed_documents(WORKFLOW)
    db.session.commit()
    if media_files:
        from bgjobs.host.media_seed import ensure_media_module

        ensure_media_module(media_files, WORKFLOW)
    return {name: user.id for name, user in users.items()}
