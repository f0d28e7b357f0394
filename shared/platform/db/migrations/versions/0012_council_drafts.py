"""council: a rapporteur per item and the council's unpublished draft answer (one per item,
edited in place with a version counter)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
_ID = advanced_alchemy.types.guid.GUID(length=16)
_JSON = (
    sa.JSON()
    .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
    .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
    .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
)


def _audit() -> list[sa.Column[object]]:
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "council_rapporteur",
        sa.Column("id", _ID, nullable=False),
        sa.Column("item_id", _ID, nullable=False),
        sa.Column("council", sa.String(length=300), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.Column("assigned_at", _WHEN, nullable=False),
        *_audit(),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["consolidated_item.id"],
            name=op.f("fk_council_rapporteur_item_id_consolidated_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_rapporteur")),
        sa.UniqueConstraint("item_id", name=op.f("uq_council_rapporteur_item_id")),
    )
    op.create_index(
        op.f("ix_council_rapporteur_account_id"),
        "council_rapporteur",
        ["account_id"],
        unique=False,
    )
    op.create_table(
        "council_draft",
        sa.Column("id", _ID, nullable=False),
        sa.Column("item_id", _ID, nullable=False),
        sa.Column("council", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("justification", sa.Text(), server_default="", nullable=False),
        sa.Column("responsible_body", sa.String(length=300), server_default="", nullable=False),
        sa.Column("instrument", sa.String(length=300), server_default="", nullable=False),
        sa.Column("milestones", _JSON, nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["consolidated_item.id"],
            name=op.f("fk_council_draft_item_id_consolidated_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_draft")),
        sa.UniqueConstraint("item_id", name=op.f("uq_council_draft_item_id")),
    )


def downgrade() -> None:
    op.drop_table("council_draft")
    op.drop_index(op.f("ix_council_rapporteur_account_id"), table_name="council_rapporteur")
    op.drop_table("council_rapporteur")
