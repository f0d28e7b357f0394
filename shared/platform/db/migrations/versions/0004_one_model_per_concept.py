"""one model per concept

Revision ID: 0004
Revises: 0003_consol
Create Date: 2026-12-01 19:53:41.711320
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003_consol'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """One table per concept: allocations (sent, received, entered) in ``seat_allocation``;
    council answers in ``received_response`` with ``response_attachment`` keyed by the local
    proposal they reach, at the local and the regional tier alike; consolidation rules live in
    the cycle. Rows of the tables folded in are carried over."""
    op.add_column('seat_allocation', sa.Column('source', sa.String(length=16), server_default='bus', nullable=False))
    op.add_column('seat_allocation', sa.Column('alternates_per_segment', sa.Integer(), server_default='0', nullable=False))
    op.create_index('ix_seat_allocation_unit', 'seat_allocation', ['cycle_id', 'direction', 'territory', 'assembly_id'], unique=False)
    # The local tier's allocations (received from above, or entered by a secretary).
    op.execute(
        "INSERT INTO seat_allocation (id, allocation_id, direction, source, cycle_id, territory,"
        " uf, assembly_id, seats, per_segment, method, basis, basis_value, superseded,"
        " created_at, updated_at)"
        " SELECT id, allocation_id, 'received', CASE WHEN source = 'bus' THEN 'bus' ELSE 'entered' END,"
        " cycle_id, territory, '', assembly_id, seats, per_segment, method, '', 0, false,"
        " created_at, updated_at FROM plenary_allocation"
        " ON CONFLICT (allocation_id) DO NOTHING"
    )
    # Only the newest allocation of each unit stays current, as the service now supersedes.
    op.execute(
        "UPDATE seat_allocation s SET superseded = true FROM seat_allocation newer"
        " WHERE newer.direction = s.direction AND newer.cycle_id = s.cycle_id"
        " AND newer.territory = s.territory AND newer.assembly_id = s.assembly_id"
        " AND newer.id > s.id AND NOT s.superseded"
    )
    op.drop_index(op.f('ix_plenary_allocation_assembly_id'), table_name='plenary_allocation')
    op.drop_index(op.f('ix_plenary_allocation_cycle_id'), table_name='plenary_allocation')
    op.drop_index(op.f('ix_plenary_allocation_territory'), table_name='plenary_allocation')
    op.drop_table('plenary_allocation')

    op.add_column('received_response', sa.Column('received_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), server_default=sa.text('now()'), nullable=False))
    op.create_table(
        'response_attachment_by_proposal',
        sa.Column('response_id', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.String(length=64), nullable=False),
        sa.Column('national_item_id', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('response_id', 'version', 'proposal_id', name=op.f('pk_response_attachment_by_proposal')),
    )
    # Regional attachments were per source item: now per local proposal the item carries.
    op.execute(
        "INSERT INTO response_attachment_by_proposal"
        " SELECT DISTINCT a.response_id, a.version, o.proposal_id, a.national_item_id"
        " FROM response_attachment a JOIN item_origin o ON o.source_item_id = a.source_item_id"
        " ON CONFLICT DO NOTHING"
    )
    # Local answers were stored whole per proposal: keep the answer once, attached to each.
    op.execute(
        "INSERT INTO received_response (response_id, version, national_item_id, decision,"
        " answered_at, body, received_at)"
        " SELECT DISTINCT ON (response_id, version) response_id, version, national_item_id,"
        " decision, (body->>'answered_at')::timestamptz, body, received_at FROM local_response"
        " ORDER BY response_id, version, received_at ON CONFLICT DO NOTHING"
    )
    op.execute(
        "INSERT INTO response_attachment_by_proposal"
        " SELECT response_id, version, proposal_id::text, national_item_id FROM local_response"
        " ON CONFLICT DO NOTHING"
    )
    op.drop_table('response_attachment')
    op.drop_index(op.f('ix_local_response_proposal_id'), table_name='local_response')
    op.drop_table('local_response')
    op.rename_table('response_attachment_by_proposal', 'response_attachment')
    op.execute(
        "ALTER TABLE response_attachment RENAME CONSTRAINT pk_response_attachment_by_proposal"
        " TO pk_response_attachment"
    )
    op.create_index(op.f('ix_response_attachment_proposal_id'), 'response_attachment', ['proposal_id'], unique=False)
    op.create_index(op.f('ix_response_attachment_national_item_id'), 'response_attachment', ['national_item_id'], unique=False)

    op.drop_table('cycle_consolidation_rules')


def downgrade() -> None:
    raise NotImplementedError(
        "0004 folds tables into one per concept; restore a backup taken before it instead"
    )
