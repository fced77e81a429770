"""Walking tours: tours, their texts and stops; revisions of kind "tour"

Revision ID: c9d4e1a7f352
Revises: d85e5f4795c3
Create Date: 2026-11-30 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9d4e1a7f352'
down_revision = 'b7e2f0c4a913'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source_hash', sa.String(length=64), nullable=True),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.Column('publish_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_revision_id', sa.Integer(), nullable=True),
    sa.Column('head_revision_id', sa.Integer(), nullable=True),
    sa.Column('imported_revision_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['head_revision_id'], ['revisions.id'], name=op.f('fk_tours_head_revision_id_revisions')),
    sa.ForeignKeyConstraint(['imported_revision_id'], ['revisions.id'], name=op.f('fk_tours_imported_revision_id_revisions')),
    sa.ForeignKeyConstraint(['published_revision_id'], ['revisions.id'], name=op.f('fk_tours_published_revision_id_revisions')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_tours_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tours')),
    sa.UniqueConstraint('slug', name=op.f('uq_tours_slug'))
    )
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tours_live'), ['live'], unique=False)
        batch_op.create_index(batch_op.f('ix_tours_site_id'), ['site_id'], unique=False)

    op.create_table('tour_texts',
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_tour_texts_tour_id_tours'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tour_id', 'lang', name=op.f('pk_tour_texts'))
    )
    op.create_table('tour_stops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('monument_id', sa.Integer(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['monument_id'], ['monuments.id'], name=op.f('fk_tour_stops_monument_id_monuments')),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_tour_stops_tour_id_tours'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tour_stops'))
    )
    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tour_stops_monument_id'), ['monument_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tour_stops_tour_id'), ['tour_id'], unique=False)

    # Tours have revisions like sites and monuments.
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_revisions_kind'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_revisions_kind'), "kind IN ('site', 'monument', 'code', 'tour')")


def downgrade():
    op.execute("DELETE FROM revisions WHERE kind = 'tour'")
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_revisions_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_revisions_kind'), "kind IN ('site', 'monument', 'code')")

    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tour_stops_tour_id'))
        batch_op.drop_index(batch_op.f('ix_tour_stops_monument_id'))
    op.drop_table('tour_stops')
    op.drop_table('tour_texts')
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tours_site_id'))
        batch_op.drop_index(batch_op.f('ix_tours_live'))
    op.drop_table('tours')
