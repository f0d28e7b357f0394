"""representation: an assembly's civic-lottery draw (commitment, closed pool, seed, answer),
its volunteers, mandates that say whether they were elected or drawn, and the participants'
anonymous evaluation (who answered; counts per answer)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
_ID = advanced_alchemy.types.guid.GUID(length=16)


def upgrade() -> None:
    op.alter_column("plenary_mandate", "candidacy_id", existing_type=_ID, nullable=True)
    op.add_column(
        "plenary_mandate",
        sa.Column("selection", sa.String(length=8), server_default="elected", nullable=False),
    )
    op.add_column("plenary_mandate", sa.Column("probability", sa.Float(), nullable=True))
    op.create_table(
        "lottery_draw",
        sa.Column("id", _ID, nullable=False),
        sa.Column("assembly_id", _ID, nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=True),
        sa.Column("committed_by", sa.String(length=64), nullable=True),
        sa.Column("committed_at", _WHEN, nullable=True),
        sa.Column("pool_digest", sa.String(length=64), nullable=True),
        sa.Column("pool_csv", sa.Text(), nullable=True),
        sa.Column("quotas_csv", sa.Text(), nullable=True),
        sa.Column("closed_at", _WHEN, nullable=True),
        sa.Column("secret", sa.String(length=200), nullable=True),
        sa.Column("public_value", sa.String(length=200), server_default="", nullable=False),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("revealed_at", _WHEN, nullable=True),
        sa.Column("started_at", _WHEN, nullable=True),
        sa.Column("finished_at", _WHEN, nullable=True),
        sa.Column("answer", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"], ["assembly.id"], name=op.f("fk_lottery_draw_assembly_id_assembly")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lottery_draw")),
        sa.UniqueConstraint("assembly_id", name=op.f("uq_lottery_draw_assembly_id")),
    )
    op.create_table(
        "lottery_volunteer",
        sa.Column("participant_id", _ID, nullable=False),
        sa.Column("assembly_id", _ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assembly.id"],
            name=op.f("fk_lottery_volunteer_assembly_id_assembly"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_lottery_volunteer_participant_id_participant"),
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_lottery_volunteer")),
        sa.UniqueConstraint(
            "assembly_id", "number", name=op.f("uq_lottery_volunteer_assembly_id")
        ),
    )
    op.create_index(
        op.f("ix_lottery_volunteer_assembly_id"),
        "lottery_volunteer",
        ["assembly_id"],
        unique=False,
    )


    op.create_table(
        "evaluation_responder",
        sa.Column("participant_id", _ID, nullable=False),
        sa.Column("assembly_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assembly.id"],
            name=op.f("fk_evaluation_responder_assembly_id_assembly"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_evaluation_responder_participant_id_participant"),
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_evaluation_responder")),
    )
    op.create_index(
        op.f("ix_evaluation_responder_assembly_id"),
        "evaluation_responder",
        ["assembly_id"],
        unique=False,
    )
    op.create_table(
        "evaluation_count",
        sa.Column("assembly_id", _ID, nullable=False),
        sa.Column("question", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assembly.id"],
            name=op.f("fk_evaluation_count_assembly_id_assembly"),
        ),
        sa.PrimaryKeyConstraint(
            "assembly_id", "question", "answer", name=op.f("pk_evaluation_count")
        ),
    )


def downgrade() -> None:
    op.drop_table("evaluation_count")
    op.drop_index(op.f("ix_evaluation_responder_assembly_id"), table_name="evaluation_responder")
    op.drop_table("evaluation_responder")
    op.drop_index(op.f("ix_lottery_volunteer_assembly_id"), table_name="lottery_volunteer")
    op.drop_table("lottery_volunteer")
    op.drop_table("lottery_draw")
    op.drop_column("plenary_mandate", "probability")
    op.drop_column("plenary_mandate", "selection")
    op.alter_column("plenary_mandate", "candidacy_id", existing_type=_ID, nullable=False)
