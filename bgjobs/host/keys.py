"""Import keys: the module field an import template matches rows on (a SKU, say) must name one
item. Items keep their fields in a JSON column, so each key field gets an expression index on
(module_id, the field's text), and every lookup by key uses the very same expression, so it is an
index search on SQLite and PostgreSQL alike, whatever the module's size."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Index, String, func, literal, select
from sqlalchemy.schema import CreateIndex

from bgjobs.extensions import db
from bgjobs.host.models import ImportTemplate, Item, Module

# PostgreSQL's btree entries are limited (about 2,700 bytes); keys are short codes anyway.
MAX_KEY_LENGTH = 255
IN_CHUNK = 500  # keys per IN (...) lookup


def expression(field: str) -> ColumnElement:
    """The item's value of `field` as text, written with the field name inlined (an index on an
    expression is only used by a query that spells the same expression, not a bound parameter)."""
    if db.engine.dialect.name == "postgresql":
        return Item.data.op("->>", return_type=String)(literal(field, literal_execute=True))
    path = '$."' + field.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return func.json_extract(Item.data, literal(path, literal_execute=True), type_=String)


def index_name(field: str) -> str:
    """A valid index name for a field name of any spelling (stable, at most 63 characters)."""
    plain = re.sub(r"[^a-z0-9_]", "_", field.lower())[:30]
    digest = hashlib.sha1(field.encode()).hexdigest()[:8]
    return f"ix_items_key_{plain}_{digest}"


def ensure_index(field: str) -> None:
    """Create the key index of `field` unless it exists (idempotent; the first import or copy that
    uses a new key field builds it once)."""
    index = Index(index_name(field), Item.module_id, expression(field))
    with db.engine.begin() as conn:
        conn.execute(CreateIndex(index, if_not_exists=True))


def key_fields(module: Module) -> list[str]:
    """The module's fields that some import template of it uses as its key."""
    names = db.session.scalars(select(ImportTemplate.key_field).where(ImportTemplate.module_id == module.id))
    return [name for name in dict.fromkeys(names) if name in module.field_names]


def templates_keyed_on(module: Module, field: str) -> list[str]:
    """The names of the module's import templates whose key is `field`."""
    return list(db.session.scalars(
        select(ImportTemplate.name).where(ImportTemplate.module_id == module.id, ImportTemplate.key_field == field)
        .order_by(ImportTemplate.name)))


def as_key(value) -> str:
    """A field value as the text a key is compared by ("PRO-1", 7 -> "7")."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


def matches(module_id: int, field: str, keys: Iterable[str]) -> dict[str, list[int]]:
    """{key: ids of the module's items whose `field` is that key}, for the keys that match any;
    IN_CHUNK keys per indexed query."""
    keys, found = list(dict.fromkeys(keys)), {}
    expr = expression(field)
    for start in range(0, len(keys), IN_CHUNK):
        part = keys[start:start + IN_CHUNK]
        # No ORDER BY: sorting by id would make the planner walk the module's (module_id, id) index.
        rows = db.session.execute(select(Item.id, expr.label("key")).where(Item.module_id == module_id, expr.in_(part)))
        for item_id, key in rows:
            found.setdefault(as_key(key), []).append(item_id)
    return {key: sorted(ids) for key, ids in found.items()}
