"""jobs.summary_line: the outcome of a finished job in words, shown in its row

Revision ID: ux_01
Revises: import_01
Create Date: 2026-11-30 00:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'ux_01'
down_revision = 'import_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_line', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('summary_line')
