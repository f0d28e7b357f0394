"""a revoked plenary member may be registered again: the holder is unique per plenary only among
registrations that stand (a partial unique index), so the revoked row stays as the audit trail;
a member's self-declared gender and quota groups, so the equity tables count ex officio members;
local working groups with places per segment (``working_group_member``)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 18:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
_ID = advanced_alchemy.types.guid.GUID(length=16)


def upgrade() -> None:
    op.create_table(
        "working_group_member",
        sa.Column("participant_id", _ID, nullable=False),
        sa.Column("assembly_id", _ID, nullable=False),
        sa.Column("axis", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("placed_at", _WHEN, server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assembly.id"],
            name=op.f("fk_working_group_member_assembly_id_assembly"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_working_group_member_participant_id_participant"),
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_working_group_member")),
    )
    op.create_index(
        op.f("ix_working_group_member_assembly_id"),
        "working_group_member",
        ["assembly_id"],
        unique=False,
    )
    op.add_column(
        "plenary_member",
        sa.Column("gender", sa.String(length=16), server_default="", nullable=False),
    )
    op.add_column(
        "plenary_member",
        sa.Column(
            "quota_groups",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
    )
    op.drop_constraint("uq_plenary_member_holder", "plenary_member", type_="unique")
    op.create_index(
        "uq_plenary_member_holder",
        "plenary_member",
        ["cycle_id", "uf", "holder"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_plenary_member_holder", table_name="plenary_member")
    op.create_unique_constraint(
        "uq_plenary_member_holder", "plenary_member", ["cycle_id", "uf", "holder"]
    )
    op.drop_column("plenary_member", "quota_groups")
    op.drop_column("plenary_member", "gender")
    op.drop_index(op.f("ix_working_group_member_assembly_id"), table_name="working_group_member")
    op.drop_table("working_group_member")
