"""late reports: the reason a received report is late, and a conference's addenda

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'received_report',
        sa.Column('late_reason', sa.String(length=300), server_default='', nullable=False),
    )
    op.add_column(
        'conference_report',
        sa.Column('addenda', sa.Integer(), server_default='0', nullable=False),
    )


def downgrade() -> None:
    op.drop_column('conference_report', 'addenda')
    op.drop_column('received_report', 'late_reason')
