"""credentials: API keys, client-secret rotation with an overlap

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.kernel.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_secret_hash', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('previous_secret_expires_at', service.kernel.db.UTCDateTime(timezone=True),
                                      nullable=True))
    op.create_table('api_keys',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('secret_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', service.kernel.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('revoked_at', service.kernel.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'], name=op.f('fk_api_keys_client_id_api_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_client_id'), ['client_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_client_id'))
    op.drop_table('api_keys')
    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.drop_column('previous_secret_expires_at')
        batch_op.drop_column('previous_secret_hash')
