"""voting cards: credentials delivered to the participant's phone or printed badge, bound by
the desk through a pairing number (the desk never sees the credential); a second person of the
desk confirms counted polls and credentials given once voting began

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
_ID = advanced_alchemy.types.guid.GUID(length=16)


def upgrade() -> None:
    op.alter_column("participant", "token_hash", existing_type=sa.String(64), nullable=True)
    op.add_column("participant", sa.Column("awaiting_by", sa.String(length=64), nullable=True))
    op.add_column(
        "participant",
        sa.Column("voice_only", sa.Boolean(), server_default="false", nullable=False),
    )
    op.add_column(
        "participant", sa.Column("awaiting_token_hash", sa.String(length=64), nullable=True)
    )
    op.add_column("plenary_poll", sa.Column("counted_by", sa.String(length=64), nullable=True))
    op.add_column("plenary_poll", sa.Column("confirmed_by", sa.String(length=64), nullable=True))
    op.create_table(
        "voting_card",
        sa.Column("id", _ID, nullable=False),
        sa.Column("assembly_id", _ID, nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("pairing", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("printed_by", sa.String(length=64), nullable=True),
        sa.Column("expires_at", _WHEN, nullable=True),
        sa.Column("participant_id", _ID, nullable=True),
        sa.Column("bound_at", _WHEN, nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"], ["assembly.id"], name=op.f("fk_voting_card_assembly_id_assembly")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_voting_card_participant_id_participant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_card")),
        sa.UniqueConstraint(
            "assembly_id", "pairing", name=op.f("uq_voting_card_assembly_id")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_voting_card_token_hash")),
    )
    op.create_index(
        op.f("ix_voting_card_assembly_id"), "voting_card", ["assembly_id"], unique=False
    )


def downgrade() -> None:
    for table, column in (
        ("plenary_poll", "confirmed_by"),
        ("plenary_poll", "counted_by"),
        ("participant", "awaiting_token_hash"),
        ("participant", "awaiting_by"),
        ("participant", "voice_only"),
    ):
        op.drop_column(table, column)
    op.drop_index(op.f("ix_voting_card_assembly_id"), table_name="voting_card")
    op.drop_table("voting_card")
    op.execute("UPDATE participant SET token_hash = md5(id::text) WHERE token_hash IS NULL")
    op.alter_column("participant", "token_hash", existing_type=sa.String(64), nullable=False)
