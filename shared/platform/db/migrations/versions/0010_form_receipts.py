"""form receipts: the idempotency keys of once-only forms (check-in, proposals, counts), so a
form the offline outbox sends again takes effect once

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
_ID = advanced_alchemy.types.guid.GUID(length=16)


def upgrade() -> None:
    op.create_table(
        "form_receipt",
        sa.Column("key", _ID, nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=2000), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_form_receipt")),
    )
    op.create_index(
        op.f("ix_form_receipt_created_at"), "form_receipt", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_form_receipt_created_at"), table_name="form_receipt")
    op.drop_table("form_receipt")
