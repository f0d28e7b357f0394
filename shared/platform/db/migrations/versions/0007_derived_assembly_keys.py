"""derived assembly keys: no signing seed in the database

Each assembly's key is now derived (HKDF-SHA256) from the local instance's seed and the key's
id, so the ``assembly.signing_seed`` column — a signing secret in the clear — is dropped, and the
seeds it held are gone with it. ``assembly.public_key`` remembers the public key last
introduced; assemblies that existed before have none, so their derived key is introduced
(replacing the stored one) when they close. A downgrade restores the column empty; it cannot
bring the seeds back.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('assembly', sa.Column('public_key', sa.String(length=64), nullable=True))
    op.drop_column('assembly', 'signing_seed')


def downgrade() -> None:
    op.add_column('assembly', sa.Column('signing_seed', sa.Text(), nullable=True))
    op.drop_column('assembly', 'public_key')
