"""intermunicipal conferences over several municipalities: the IBGE codes an assembly covers
(``assembly.covers``)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 18:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "assembly",
        sa.Column(
            "covers", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
    )


def downgrade() -> None:
    op.drop_column("assembly", "covers")
