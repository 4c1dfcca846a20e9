"""monitoring: watchlists, alerts, decisions on matches, webhook endpoints, outbox and deliveries

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import service.kernel.db

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('watched_suppliers',
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=200), nullable=False),
    sa.Column('subject', JSON, nullable=False),
    sa.Column('contract_ref', sa.String(length=200), nullable=True),
    sa.Column('watch_until', sa.Date(), nullable=True),
    sa.Column('last_matches', JSON, nullable=False),
    sa.Column('last_revision', sa.BigInteger(), nullable=False),
    sa.Column('created_at', service.kernel.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', service.kernel.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_watched_suppliers_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('position', name=op.f('pk_watched_suppliers')),
    sa.UniqueConstraint('id', name=op.f('uq_watched_suppliers_id')),
    sa.UniqueConstraint('organisation_id', 'ref', name='uq_watched_suppliers_organisation_id_ref')
    )
    with op.batch_alter_table('watched_suppliers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watched_suppliers_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('monitoring_cursor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_cursor'))
    )
    # The one cursor row exists from the start, so racing instances only ever lock it, never insert it.
    op.bulk_insert(sa.table('monitoring_cursor', sa.column('id', sa.Integer()), sa.column('revision', sa.BigInteger())),
                   [{'id': 1, 'revision': 0}])
    op.create_table('alerts',
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('watch_id', sa.String(length=36), nullable=False),
    sa.Column('ref', sa.String(length=200), nullable=False),
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('changes', JSON, nullable=False),
    sa.Column('match', JSON, nullable=False),
    sa.Column('list_revision', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', service.kernel.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', service.kernel.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_alerts_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('position', name=op.f('pk_alerts')),
    sa.UniqueConstraint('id', name=op.f('uq_alerts_id'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_watch_id'), ['watch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_created_at'), ['created_at'], unique=False)

    op.create_table('match_decisions',
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('subject_key', sa.String(length=64), nullable=False),
    sa.Column('ref', sa.String(length=200), nullable=False),
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('entry_revision', sa.BigInteger(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('action', sa.String(length=500), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.String(length=36), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('decided_at', service.kernel.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reversed_at', service.kernel.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reversed_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_match_decisions_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('position', name=op.f('pk_match_decisions')),
    sa.UniqueConstraint('id', name=op.f('uq_match_decisions_id'))
    )
    with op.batch_alter_table('match_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_decisions_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_decisions_subject_key'), ['subject_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_decisions_entry_id'), ['entry_id'], unique=False)


def downgrade() -> None:
    op.drop_table('match_decisions')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_created_at'))
        batch_op.drop_index(batch_op.f('ix_alerts_status'))
        batch_op.drop_index(batch_op.f('ix_alerts_watch_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_organisation_id'))
    op.drop_table('alerts')
    op.drop_table('monitoring_cursor')
    with op.batch_alter_table('watched_suppliers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watched_suppliers_organisation_id'))
    op.drop_table('watched_suppliers')
