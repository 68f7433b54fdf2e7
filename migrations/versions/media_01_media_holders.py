"""media holders, converters, media files and converter-run chunks

Revision ID: media_01
Revises: docs_01
Create Date: 2026-11-30 00:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'media_01'
down_revision = 'docs_01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('media_holders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('is_original', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_media_holders_module_id_modules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_holders')),
    sa.UniqueConstraint('module_id', 'name', name=op.f('uq_media_holders_module_id'))
    )
    op.create_table('converters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source_holder_id', sa.Integer(), nullable=False),
    sa.Column('target_holder_id', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_converters_module_id_modules')),
    sa.ForeignKeyConstraint(['source_holder_id'], ['media_holders.id'], name=op.f('fk_converters_source_holder_id_media_holders')),
    sa.ForeignKeyConstraint(['target_holder_id'], ['media_holders.id'], name=op.f('fk_converters_target_holder_id_media_holders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_converters'))
    )
    op.create_table('media_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.Column('converter_id', sa.Integer(), nullable=True),
    sa.Column('converter_version', sa.Integer(), nullable=True),
    sa.Column('source_file_id', sa.Integer(), nullable=True),
    sa.Column('source_checksum', sa.String(length=64), nullable=True),
    sa.Column('preview_state', sa.String(length=16), nullable=True),
    sa.Column('preview_path', sa.String(length=500), nullable=True),
    sa.Column('preview_checksum', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_files')),
    sa.UniqueConstraint('item_id', 'holder_id', name=op.f('uq_media_files_item_id'))
    )
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.create_index('ix_media_files_holder', ['holder_id', 'item_id'], unique=False)
        batch_op.create_index('ix_media_files_preview', ['preview_state', 'id'], unique=False)
        batch_op.create_index('ix_media_files_converter', ['converter_id', 'id'], unique=False)
        batch_op.create_index('ix_media_files_source', ['source_file_id'], unique=False)
    op.create_table('media_chunks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('files', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=True),
    sa.Column('beat_at', sa.DateTime(), nullable=True),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_chunks'))
    )
    with op.batch_alter_table('media_chunks', schema=None) as batch_op:
        batch_op.create_index('ix_media_chunks_job', ['job_id', 'status', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('media_chunks', schema=None) as batch_op:
        batch_op.drop_index('ix_media_chunks_job')
    op.drop_table('media_chunks')
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.drop_index('ix_media_files_source')
        batch_op.drop_index('ix_media_files_converter')
        batch_op.drop_index('ix_media_files_preview')
        batch_op.drop_index('ix_media_files_holder')
    op.drop_table('media_files')
    op.drop_table('converters')
    op.drop_table('media_holders')
