"""schedules, scheduler actions, drop files, origin labels and notices

Revision ID: sched_01
Revises: media_01

"""
from alembic import op
import sqlalchemy as sa


revision = 'sched_01'
down_revision = 'media_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('email_notices', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_label', sa.String(length=255), nullable=True))
    with op.batch_alter_table('job_recipients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('import_templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('formats', sa.JSON(), nullable=False, server_default='["csv", "xlsx"]'))
        batch_op.add_column(sa.Column('drop_folder', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('backup_folder', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('error_folder', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('schedule', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('schedule_enabled', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('last_run_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_message', sa.Text(), nullable=True))
    op.create_table('scheduled_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('schedule', sa.String(length=120), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('notify_user_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_run_at', sa.DateTime(), nullable=True),
    sa.Column('last_message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_actions')),
    sa.UniqueConstraint('name', name=op.f('uq_scheduled_actions_name'))
    )
    op.create_table('drop_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('folder', sa.String(length=500), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('mtime_ns', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('moved_to', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['template_id'], ['import_templates.id'], name=op.f('fk_drop_files_template_id_import_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drop_files')),
    sa.UniqueConstraint('source', 'name', 'size', 'mtime_ns', name='uq_drop_files_source_file')
    )
    with op.batch_alter_table('drop_files', schema=None) as batch_op:
        batch_op.create_index('ix_drop_files_state', ['state', 'id'], unique=False)
        batch_op.create_index('ix_drop_files_source_hash', ['source', 'sha256'], unique=False)


def downgrade():
    op.drop_table('drop_files')
    op.drop_table('scheduled_actions')
    with op.batch_alter_table('import_templates', schema=None) as batch_op:
        for name in ('last_message', 'last_run_at', 'schedule_enabled', 'schedule', 'error_folder',
                     'backup_folder', 'drop_folder', 'formats'):
            batch_op.drop_column(name)
    with op.batch_alter_table('job_recipients', schema=None) as batch_op:
        batch_op.drop_column('seen_at')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('origin_label')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_notices')
        batch_op.drop_column('email')
