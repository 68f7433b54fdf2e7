"""A partial index on job_recipients' unseen rows: "n new" and marking them seen read only the
few unseen rows of a user, not every notice they ever had.

Revision ID: panel_02
Revises: panel_01
"""
from alembic import op
import sqlalchemy as sa

revision = "panel_02"
down_revision = "panel_01"
branch_labels = None
depends_on = None


def upgrade():
    # job_recipients only: a batch alter of `jobs` on SQLite would drop panel_01's search triggers.
    op.create_index("ix_job_recipients_unseen", "job_recipients", ["user_id", "created_at"],
                    sqlite_where=sa.text("seen_at IS NULL"), postgresql_where=sa.text("seen_at IS NULL"))


def downgrade():
    op.drop_index("ix_job_recipients_unseen", table_name="job_recipients")
