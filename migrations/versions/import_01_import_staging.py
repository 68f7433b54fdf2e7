"""import staging rows: an import is checked and written in short transactions and can be undone

Revision ID: import_01
Revises: web_01
Create Date: 2026-11-30 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'import_01'
down_revision = 'web_01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_rows',
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('row', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('key', sa.String(length=255), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('action', sa.String(length=8), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('previous', sa.JSON(), nullable=True),
    sa.Column('previous_updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('job_id', 'row', name=op.f('pk_import_rows'))
    )
    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        batch_op.create_index('ix_import_rows_key', ['job_id', 'key', 'row'], unique=False)


def downgrade():
    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_import_rows_key')
    op.drop_table('import_rows')
