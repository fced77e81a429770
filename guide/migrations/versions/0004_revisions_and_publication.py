"""Revisions, publication state, per-scope content versions

Revision ID: 5b1e0c7d9a24
Revises: da04606bfda7
Create Date: 2026-11-30 09:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c7d9a24'
down_revision = 'da04606bfda7'
branch_labels = None
depends_on = None


def _revision_columns(batch_op, table):
    for column in ('head_revision_id', 'imported_revision_id'):
        batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
        batch_op.create_foreign_key(f'fk_{table}_{column}_revisions', 'revisions', [column], ['id'])


def upgrade():
    op.create_table(
        'revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('record_key', sa.String(length=80), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('base_id', sa.Integer(), nullable=True),
        sa.Column('author', sa.String(length=320), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('site', 'monument', 'code')", name=op.f('ck_revisions_kind')),
        sa.ForeignKeyConstraint(['base_id'], ['revisions.id'], name=op.f('fk_revisions_base_id_revisions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_revisions')),
        sa.UniqueConstraint('kind', 'record_key', 'number', name=op.f('uq_revisions_kind_record_key_number')),
    )
    op.create_index(op.f('ix_revisions_record_key'), 'revisions', ['record_key'], unique=False)
    op.create_table(
        'content_versions',
        sa.Column('scope', sa.String(length=80), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('scope', name=op.f('pk_content_versions')),
    )
    for table in ('sites', 'monuments'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            # Records that existed before publication was tracked are what visitors saw: published.
            batch_op.add_column(sa.Column('state', sa.String(length=16), nullable=False,
                                          server_default='published'))
            batch_op.add_column(sa.Column('live', sa.Boolean(), nullable=False, server_default=sa.true()))
            batch_op.add_column(sa.Column('publish_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('published_revision_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(f'fk_{table}_published_revision_id_revisions', 'revisions',
                                        ['published_revision_id'], ['id'])
            _revision_columns(batch_op, table)
            batch_op.create_index(f'ix_{table}_live', ['live'], unique=False)
    with op.batch_alter_table('codes', schema=None) as batch_op:
        _revision_columns(batch_op, 'codes')


def downgrade():
    with op.batch_alter_table('codes', schema=None) as batch_op:
        for column in ('imported_revision_id', 'head_revision_id'):
            batch_op.drop_constraint(f'fk_codes_{column}_revisions', type_='foreignkey')
            batch_op.drop_column(column)
    for table in ('monuments', 'sites'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_live')
            for column in ('imported_revision_id', 'head_revision_id', 'published_revision_id'):
                batch_op.drop_constraint(f'fk_{table}_{column}_revisions', type_='foreignkey')
                batch_op.drop_column(column)
            batch_op.drop_column('publish_at')
            batch_op.drop_column('live')
            batch_op.drop_column('state')
    op.drop_table('content_versions')
    op.drop_index(op.f('ix_revisions_record_key'), table_name='revisions')
    op.drop_table('revisions')
