"""conference report: a tier conference reports once, with or without items

Revision ID: 0003_consol
Revises: 0002_consol
Create Date: 2026-11-22 04:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0003_consol"
down_revision: str | Sequence[str] | None = "0002_consol"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conference_report",
        sa.Column("cycle_id", sa.String(length=64), nullable=False),
        sa.Column("uf", sa.String(length=2), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column(
            "closed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("cycle_id", "uf", name=op.f("pk_conference_report")),
        sa.UniqueConstraint("report_id", name=op.f("uq_conference_report_report_id")),
    )
    # Conferences that reported before this table existed.
    op.execute(
        """
        INSERT INTO conference_report (cycle_id, uf, report_id, items, closed_at)
        SELECT cycle_id, uf, min(report_id), count(*), now()
        FROM consolidated_item WHERE report_id IS NOT NULL
        GROUP BY cycle_id, uf
        """
    )


def downgrade() -> None:
    op.drop_table("conference_report")
