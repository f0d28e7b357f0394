"""sealed ballots, frozen rolls, signed opening/closing records, the desk's audit chain

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("plenary_poll", sa.Column("electorate", sa.Integer(), nullable=True))
    op.add_column("plenary_poll", sa.Column("roll_sha256", sa.String(length=64), nullable=True))
    op.add_column(
        "plenary_poll", sa.Column("key_fingerprint", sa.String(length=64), nullable=True)
    )
    op.add_column(
        "plenary_poll",
        sa.Column("opening", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column(
        "plenary_poll",
        sa.Column("closing", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.create_table(
        "plenary_eligible",
        sa.Column("poll_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("voter_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["plenary_poll.id"],
            name=op.f("fk_plenary_eligible_poll_id_plenary_poll"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", "voter_id", name=op.f("pk_plenary_eligible")),
    )
    op.create_table(
        "plenary_sealed_ballot",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("poll_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("box", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["plenary_poll.id"],
            name=op.f("fk_plenary_sealed_ballot_poll_id_plenary_poll"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plenary_sealed_ballot")),
    )
    op.create_index(
        op.f("ix_plenary_sealed_ballot_poll_id"), "plenary_sealed_ballot", ["poll_id"]
    )
    op.create_table(
        "plenary_ballot_key",
        sa.Column("assembly_id", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("assembly_id", name=op.f("pk_plenary_ballot_key")),
    )
    op.create_table(
        "audit_event",
        sa.Column("assembly_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("assembly_id", "seq", name=op.f("pk_audit_event")),
    )
    # Append-only: the application may add events, never change or remove one.
    op.execute(
        "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event"
        " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
    op.execute("DROP FUNCTION audit_event_append_only()")
    op.drop_table("audit_event")
    op.drop_table("plenary_ballot_key")
    op.drop_index(op.f("ix_plenary_sealed_ballot_poll_id"), table_name="plenary_sealed_ballot")
    op.drop_table("plenary_sealed_ballot")
    op.drop_table("plenary_eligible")
    for column in ("closing", "opening", "key_fingerprint", "roll_sha256", "electorate"):
        op.drop_column("plenary_poll", column)
