"""An index on jobs.finished_at, for the workers page's charts over the last 24 hours.

Revision ID: ops_01
Revises: 7d4bb795915f
"""
from alembic import op

revision = "ops_01"
down_revision = "7d4bb795915f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_jobs_finished", "jobs", ["finished_at"])


def downgrade():
    op.drop_index("ix_jobs_finished", table_name="jobs")
