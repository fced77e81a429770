"""Drop content_state: per-site content_versions replace the one global version

Revision ID: 3c8f2a6e1d47
Revises: 5b1e0c7d9a24
Create Date: 2026-11-30 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c8f2a6e1d47'
down_revision = '5b1e0c7d9a24'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('content_state')


def downgrade():
    op.create_table(
        'content_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_state')),
    )
