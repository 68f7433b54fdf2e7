"""Import keys are looked up through their expression index on both databases (a lookup that
walked the module would make an import's cost grow with the module, chunk after chunk)."""
from sqlalchemy import event, text

from bgjobs.extensions import db
from bgjobs.host import keys


def test_a_key_lookup_searches_the_key_index(app):
    keys.ensure_index("sku")
    keys.ensure_index("sku")  # idempotent
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert keys.matches(1, "sku", ["PRO-00001", "PRO-00002", "NOPE"]) == {"PRO-00001": [1], "PRO-00002": [2]}
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    statement, parameters = seen[-1]
    conn = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # 40 items: a scan would be cheaper
        plan = " ".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
    else:
        plan = " ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
    db.session.rollback()
    assert keys.index_name("sku") in plan, plan


def test_index_names_are_valid_for_any_field_name():
    assert keys.index_name("sku").startswith("ix_items_key_sku_")
    odd = keys.index_name('Ärtikel "Nr" / ' + "x" * 100)
    assert len(odd) <= 63 and odd.replace("_", "").isalnum() and odd.isascii()
