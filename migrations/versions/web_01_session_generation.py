"""users.session_generation: logging out ends every session cookie issued before

Revision ID: web_01
Revises: ops_01
"""
from alembic import op
import sqlalchemy as sa

revision = "web_01"
down_revision = "ops_01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
