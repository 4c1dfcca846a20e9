"""due process: four-eyes reviews, appeals, recognitions, appeal and publication fields on entries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import service.kernel.db

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade() -> None:
    # Existing entries were published before review existed: the server default says so.
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appeal_lodged_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('appeal_decided_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('appeal_decision_ref', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('publication', sa.String(length=16), server_default='published',
                                      nullable=False))

    op.create_table('reviews',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposed', JSON, nullable=True),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('authors', JSON, nullable=False),
    sa.Column('batch_ref', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', service.kernel.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', service.kernel.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_reviews_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_batch_ref'), ['batch_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_status'), ['status'], unique=False)

    op.create_table('appeals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('lodged_on', sa.Date(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_ref', sa.String(length=200), nullable=True),
    sa.Column('documents', JSON, nullable=False),
    sa.Column('steps', JSON, nullable=False),
    sa.Column('created_at', service.kernel.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('updated_at', service.kernel.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_appeals_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals'))
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeals_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeals_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeals_status'), ['status'], unique=False)

    op.create_table('recognitions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('decision_ref', sa.String(length=200), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('origin', sa.String(length=32), nullable=False),
    sa.Column('origin_entry_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', service.kernel.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_revision', sa.BigInteger(), nullable=False),
    sa.Column('withdrawn_at', service.kernel.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=64), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.Column('withdrawn_revision', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_recognitions_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognitions'))
    )
    with op.batch_alter_table('recognitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognitions_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recognitions_organisation_id'), ['organisation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('recognitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recognitions_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_recognitions_entry_id'))
    op.drop_table('recognitions')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeals_status'))
        batch_op.drop_index(batch_op.f('ix_appeals_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_appeals_entry_id'))
    op.drop_table('appeals')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_status'))
        batch_op.drop_index(batch_op.f('ix_reviews_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_entry_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_batch_ref'))
    op.drop_table('reviews')
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_column('publication')
        batch_op.drop_column('appeal_decision_ref')
        batch_op.drop_column('appeal_decided_on')
        batch_op.drop_column('appeal_lodged_on')
