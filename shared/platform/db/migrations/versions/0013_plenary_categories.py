"""plenary categories: ex officio members, guests and observers admitted to a state or the
national plenary without a mandate from below (``plenary_member``); proposals nested under a
diretriz (``consolidated_item.parent_id``)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
_ID = advanced_alchemy.types.guid.GUID(length=16)


def upgrade() -> None:
    op.create_table(
        "plenary_member",
        sa.Column("id", _ID, nullable=False),
        sa.Column("cycle_id", sa.String(length=64), nullable=False),
        sa.Column("uf", sa.String(length=2), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("entry", sa.String(length=32), server_default="", nullable=False),
        sa.Column("public_name", sa.String(length=300), nullable=False),
        sa.Column("segment", sa.String(length=64), server_default="", nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("claim_sha256", sa.String(length=64), nullable=False),
        sa.Column("device_token_sha256", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", _WHEN, nullable=True),
        sa.Column("revoked_at", _WHEN, nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plenary_member")),
        sa.UniqueConstraint("cycle_id", "uf", "holder", name="uq_plenary_member_holder"),
        sa.UniqueConstraint(
            "device_token_sha256", name=op.f("uq_plenary_member_device_token_sha256")
        ),
    )
    op.create_index(
        op.f("ix_plenary_member_cycle_id"), "plenary_member", ["cycle_id"], unique=False
    )
    op.create_index(op.f("ix_plenary_member_uf"), "plenary_member", ["uf"], unique=False)
    op.add_column("consolidated_item", sa.Column("parent_id", _ID, nullable=True))
    op.create_foreign_key(
        op.f("fk_consolidated_item_parent_id_consolidated_item"),
        "consolidated_item",
        "consolidated_item",
        ["parent_id"],
        ["id"],
    )
    op.create_index(
        op.f("ix_consolidated_item_parent_id"), "consolidated_item", ["parent_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_consolidated_item_parent_id"), table_name="consolidated_item")
    op.drop_constraint(
        op.f("fk_consolidated_item_parent_id_consolidated_item"),
        "consolidated_item",
        type_="foreignkey",
    )
    op.drop_column("consolidated_item", "parent_id")
    op.drop_index(op.f("ix_plenary_member_uf"), table_name="plenary_member")
    op.drop_index(op.f("ix_plenary_member_cycle_id"), table_name="plenary_member")
    op.drop_table("plenary_member")
