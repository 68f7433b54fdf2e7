"""panel: find any job (type indexes, text search), run again, stalls, duplicate guard, time zones

Revision ID: panel_01
Revises: sched_01

Text search is per database: on PostgreSQL trigram GIN indexes (pg_trgm) serve ILIKE '%…%' on the
description and file name; on SQLite an external-content FTS5 table with the trigram tokenizer,
kept in sync with `jobs` by triggers, serves substring MATCH queries.
"""
from alembic import op
import sqlalchemy as sa

revision = "panel_01"
down_revision = "sched_01"
branch_labels = None
depends_on = None

FTS_TRIGGERS = {
    "jobs_fts_insert": "AFTER INSERT ON jobs BEGIN "
    "INSERT INTO jobs_fts(rowid, description, result_name) VALUES (new.rowid, new.description, new.result_name); END",
    "jobs_fts_delete": "AFTER DELETE ON jobs BEGIN "
    "INSERT INTO jobs_fts(jobs_fts, rowid, description, result_name) VALUES ('delete', old.rowid, old.description, old.result_name); END",
    # Only when a searched column changes: progress writes (the most frequent UPDATE) skip it.
    "jobs_fts_update": "AFTER UPDATE OF description, result_name ON jobs BEGIN "
    "INSERT INTO jobs_fts(jobs_fts, rowid, description, result_name) VALUES ('delete', old.rowid, old.description, old.result_name); "
    "INSERT INTO jobs_fts(rowid, description, result_name) VALUES (new.rowid, new.description, new.result_name); END",
}


def upgrade():
    with op.batch_alter_table("jobs") as batch:
        # Plain columns (no foreign key): SQLite adds them in place, without copying the table.
        batch.add_column(sa.Column("rerun_of", sa.String(length=32), nullable=True))  # "Run again of …"
        batch.add_column(sa.Column("progress_at", sa.DateTime(), nullable=True))  # the last progress write
        batch.add_column(sa.Column("params_hash", sa.String(length=32), nullable=True))  # duplicate guard
        batch.create_index("ix_jobs_rerun_of", ["rerun_of"])
        batch.create_index("ix_jobs_owner_params_hash", ["owner_id", "params_hash", "status"])
        batch.create_index("ix_jobs_owner_type_page", ["owner_id", "origin", "type", "created_at", "id"])
        batch.create_index("ix_jobs_origin_type_page", ["origin", "type", "created_at", "id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))  # the browser's IANA zone
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_jobs_description_trgm ON jobs USING gin (description gin_trgm_ops)")
        op.execute("CREATE INDEX ix_jobs_result_name_trgm ON jobs USING gin (result_name gin_trgm_ops)")
    elif bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE jobs_fts USING fts5(description, result_name, "
                   "content='jobs', content_rowid='rowid', tokenize='trigram')")
        for name, body in FTS_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        op.execute("INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild')")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_jobs_result_name_trgm")
        op.execute("DROP INDEX IF EXISTS ix_jobs_description_trgm")
    elif bind.dialect.name == "sqlite":
        for name in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS jobs_fts")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("timezone")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_origin_type_page")
        batch.drop_index("ix_jobs_owner_type_page")
        batch.drop_index("ix_jobs_owner_params_hash")
        batch.drop_index("ix_jobs_rerun_of")
        batch.drop_column("params_hash")
        batch.drop_column("progress_at")
        batch.drop_column("rerun_of")
