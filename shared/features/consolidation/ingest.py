"""Apply a verified report from the tier below: keep it whole, its items, and lineage edges.

Each source item first becomes its own consolidated item; merging duplicates later only adds
edges and items, so nothing that arrived is ever lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import msgspec
from sqlalchemy import String, Table, any_, bindparam, func, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from shared.contracts.envelope import MessageError
from shared.contracts.messages import AssemblyReport
from shared.contracts.subjects import is_direct_subject
from shared.core.cycle import CycleRules, LatePolicy
from shared.core.errors import NotFound
from shared.core.vocabulary import Tier
from shared.features.consolidation.model import (
    ConferenceReport,
    ConsolidatedItem,
    ItemOrigin,
    ItemSource,
    ItemVersion,
    ReceivedMandate,
    ReceivedReport,
    SourceItem,
)
from shared.features.consolidation.profile import ConsolidationProfile
from shared.features.cycles.store import rules_for
from shared.platform.bus.inbox import Delivery
from shared.platform.bus.models import TrustedKey
from shared.platform.db.base import DefaultBase, UUIDv7AuditBase


# Core tables: ORM bulk inserts build per-row state and objects that a report never needs.
def _table(model: type[DefaultBase] | type[UUIDv7AuditBase]) -> Table:
    return cast(Table, model.__table__)


_REPORTS = _table(ReceivedReport)
_MANDATES = _table(ReceivedMandate)
_SOURCE_ITEMS = _table(SourceItem)
_ITEMS = _table(ConsolidatedItem)
_ITEM_SOURCES = _table(ItemSource)
_VERSIONS = _table(ItemVersion)
_ORIGINS = _table(ItemOrigin)
_TRUSTED_KEYS = _table(TrustedKey)
#: The id column's own default (advanced-alchemy's uuid7), so ids are known without RETURNING.
_new_item_id = uuid7

_IDS = postgresql.ARRAY(String)


def _found(table: Table, column: str, parameter: str) -> Any:
    """The values of ``table.column`` among the ``parameter`` array (NULL when none)."""
    col = table.c[column]
    return (
        select(func.array_agg(col))
        .where(col == any_(bindparam(parameter, type_=_IDS)))
        .scalar_subquery()
    )


#: Every check that needs the database, for a whole batch, in one round trip.
_CHECKS = select(
    _found(_REPORTS, "report_id", "report_ids").label("seen"),
    select(
        func.json_object_agg(
            _TRUSTED_KEYS.c.key_id, _TRUSTED_KEYS.c.assembly_id, type_=postgresql.JSON
        )
    )
    .where(_TRUSTED_KEYS.c.key_id == any_(bindparam("senders", type_=_IDS)))
    .scalar_subquery()
    .label("bound"),
    _found(_SOURCE_ITEMS, "item_id", "item_ids").label("items_taken"),
    _found(_MANDATES, "mandate_id", "mandate_ids").label("mandates_taken"),
)


@dataclass
class _Taken:
    """Ids already in the database or claimed by an earlier report of the batch."""

    reports: set[str]
    items: set[str]
    mandates: set[str]
    bound: dict[str, str | None]


async def apply_report(
    session: AsyncSession, delivery: Delivery, *, profile: ConsolidationProfile
) -> str:
    """Store a report and one consolidated item per incoming item, with lineage edges.

    Returns the report id. Refusals (checked in this order): wrong body or tier, a report
    already applied, a key bound to another assembly, ids repeated within the report, then
    items or mandates that arrived in another report.
    """
    return (await apply_reports(session, [delivery], profile=profile))[0]


async def apply_reports(
    session: AsyncSession, deliveries: Sequence[Delivery], *, profile: ConsolidationProfile
) -> list[str]:
    """:func:`apply_report` for many reports at once: one round trip of checks, then one
    multi-row insert per table. Any refusal raises before anything is written."""
    reports = [_report_of(delivery, profile) for delivery in deliveries]
    cycles = await _cycle_rules(session, {r.cycle_id for r in reports})
    for delivery, report in zip(deliveries, reports, strict=True):
        _check_route(report, cycles.get(report.cycle_id), profile, delivery.subject)
    params = {
        "report_ids": [r.report_id for r in reports],
        "senders": sorted({d.envelope.sender for d in deliveries}),
        "item_ids": [item.item_id for r in reports for item in r.items],
        "mandate_ids": [m.mandate_id for r in reports for m in r.mandates],
    }
    checked = (await session.execute(_CHECKS, params)).one()
    taken = _Taken(
        reports=set(checked.seen or ()),
        items=set(checked.items_taken or ()),
        mandates=set(checked.mandates_taken or ()),
        bound=dict(checked.bound or {}),
    )
    for delivery, report in zip(deliveries, reports, strict=True):
        _check(report, delivery.envelope.sender, taken)
    closed = await _closed_conferences(session, reports, profile)
    policies = {cycle_id: rules.late for cycle_id, rules in cycles.items()}
    rows = _Rows()
    for delivery, report in zip(deliveries, reports, strict=True):
        scope = profile.scope(report.uf)
        lateness = _lateness(
            report,
            policies.get(report.cycle_id, LatePolicy()),
            closed.get((report.cycle_id, scope)),
            profile.assembly_kind,
        )
        rows.add(delivery, report, scope, lateness)
    await rows.insert(session)
    return [r.report_id for r in reports]


@dataclass(frozen=True, slots=True)
class _Lateness:
    """Whether a report is late, why, and which of its items stay active (the rest are kept
    as ``rejected``: nothing that arrived is lost)."""

    late: bool = False
    reason: str = ""
    active: frozenset[str] | None = None  # None: every item


_ON_TIME = _Lateness()


async def _closed_conferences(
    session: AsyncSession, reports: Sequence[AssemblyReport], profile: ConsolidationProfile
) -> dict[tuple[str, str], datetime]:
    """When the conferences these reports join closed, for those that already reported."""
    cycles = sorted({r.cycle_id for r in reports})
    scopes = sorted({profile.scope(r.uf) for r in reports})
    rows = await session.execute(
        select(ConferenceReport.cycle_id, ConferenceReport.uf, ConferenceReport.closed_at).where(
            ConferenceReport.cycle_id.in_(cycles), ConferenceReport.uf.in_(scopes)
        )
    )
    return {(cycle_id, uf): closed_at for cycle_id, uf, closed_at in rows}


async def _cycle_rules(session: AsyncSession, cycles: set[str]) -> dict[str, CycleRules]:
    found = {}
    for cycle_id in sorted(cycles):
        try:
            found[cycle_id] = await rules_for(session, cycle_id)
        except NotFound:
            continue  # a cycle this tier has not heard of: nothing to apply but the flag
    return found


def _check_route(
    report: AssemblyReport, rules: CycleRules | None, profile: ConsolidationProfile, subject: str
) -> None:
    """Refuse a local report that came the wrong way: straight here though the cycle sends its
    kind of assembly to the state conference, or to the state though the cycle sends it
    straight to the national stage (it would otherwise count at both, or where it has no seat)."""
    if report.tier != "local":
        return
    direct = is_direct_subject(subject)
    if rules is None:
        if direct:
            raise MessageError(
                "unrouted-report",
                f"{report.assembly_kind} assembly {report.assembly_id} reported straight to the "
                f"national stage for cycle {report.cycle_id}, which this tier does not know",
            )
        return
    stage = rules.reports_to(report.assembly_kind)
    if direct and stage != "national":
        raise MessageError(
            "unrouted-report",
            f"{report.assembly_kind} assembly {report.assembly_id} ({report.territory}) reported "
            f"straight to the national stage, but cycle {report.cycle_id} sends "
            f"{report.assembly_kind} assemblies to their state conference",
        )
    if not direct and stage == "national" and profile.tier != "national":
        raise MessageError(
            "unrouted-report",
            f"{report.assembly_kind} assembly {report.assembly_id} ({report.territory}) reported "
            f"to the state conference, but cycle {report.cycle_id} sends "
            f"{report.assembly_kind} assemblies straight to the national stage",
        )


def _lateness(
    report: AssemblyReport, policy: LatePolicy, closed_at: datetime | None, kind: str
) -> _Lateness:
    """The late policy applied to one arriving report (docs/spec.md §4 "Calendar")."""
    reasons = []
    if report.late:
        reasons.append("closed after its deadline")
    if closed_at is not None:
        when = f"{closed_at:%Y-%m-%d %H:%M} UTC"
        if policy.after_close == "refuse":
            reasons.append(
                f"arrived after the {kind} conference closed ({when}): the cycle refuses reports "
                "after the conference closed, so its items are kept but not forwarded"
            )
            return _Lateness(True, "; ".join(reversed(reasons)), frozenset())
        reasons.insert(
            0,
            f"arrived after the {kind} conference closed ({when}): its items go up in an "
            "addendum when the convener closes again",
        )
    if not reasons:
        return _ON_TIME
    per_axis: dict[str, int] = {}
    active = set()
    for item in sorted(report.items, key=lambda i: (i.rank, i.item_id)):
        if per_axis.get(item.axis, 0) < policy.max_per_axis:
            per_axis[item.axis] = per_axis.get(item.axis, 0) + 1
            active.add(item.item_id)
    if len(active) < len(report.items):
        reasons.append(f"at most {policy.max_per_axis} items per axis are kept active")
    return _Lateness(True, "; ".join(reasons), frozenset(active))


def _report_of(delivery: Delivery, profile: ConsolidationProfile) -> AssemblyReport:
    report = delivery.body
    if not isinstance(report, AssemblyReport):
        raise MessageError("unexpected-body", type(report).__name__)
    expected_from: Tier | None = profile.below
    if is_direct_subject(delivery.subject):
        expected_from = profile.direct
        if expected_from is None:
            raise MessageError(
                "wrong-tier", f"a report on {delivery.subject} reached the {profile.tier} inbox"
            )
    if report.tier != expected_from:
        raise MessageError(
            "wrong-tier", f"a {report.tier} report reached the {expected_from} inbox"
        )
    return report


def _check(report: AssemblyReport, sender: str, taken: _Taken) -> None:
    """Refuse ``report`` (see :func:`apply_report`) or claim its ids in ``taken``."""
    if report.report_id in taken.reports:
        raise MessageError("duplicate-report", f"report {report.report_id} was already applied")
    bound = taken.bound.get(sender)
    if bound and bound != report.assembly_id:
        raise MessageError(
            "wrong-signer", f"key {sender} belongs to assembly {bound}, not {report.assembly_id}"
        )
    item_ids = [item.item_id for item in report.items]
    mandate_ids = [m.mandate_id for m in report.mandates]
    # Item and mandate ids are global: a second report reusing one is refused, not merged.
    if len(set(item_ids)) != len(item_ids) or len(set(mandate_ids)) != len(mandate_ids):
        raise MessageError("duplicate-id", "an item or mandate id appears twice in the report")
    if taken.items.intersection(item_ids):
        raise MessageError("duplicate-item", "an item of this report arrived in another report")
    if taken.mandates.intersection(mandate_ids):
        raise MessageError("duplicate-mandate", "a mandate of this report arrived in another one")
    taken.reports.add(report.report_id)
    taken.items.update(item_ids)
    taken.mandates.update(mandate_ids)


@dataclass
class _Rows:
    """The rows of a batch of reports, table by table."""

    reports: list[dict[str, Any]] = field(default_factory=list)
    mandates: list[dict[str, Any]] = field(default_factory=list)
    source_items: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    item_sources: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    origins: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def add(
        self,
        delivery: Delivery,
        report: AssemblyReport,
        scope: str,
        lateness: _Lateness = _ON_TIME,
    ) -> None:
        """The rows of one report; its items join the conference of ``scope`` here (those the
        late policy does not keep active are kept as ``rejected``)."""
        body = msgspec.to_builtins(report)
        self.reports.append(
            {
                "report_id": report.report_id,
                "message_id": delivery.envelope.id,
                "sender": delivery.envelope.sender,
                "signature": delivery.signature,
                "cycle_id": report.cycle_id,
                "tier": report.tier,
                "assembly_id": report.assembly_id,
                "assembly_kind": report.assembly_kind,
                "territory": report.territory,
                "uf": report.uf,
                "title": report.title,
                "late": report.late or lateness.late,
                "late_reason": lateness.reason,
                "participants": report.participants,
                "population": report.population,
                "closed_at": report.closed_at,
                "received_at": datetime.now(UTC),
                "raw": delivery.data,
                "body": body,
            }
        )
        self.mandates.extend(
            {
                "mandate_id": m.mandate_id,
                "report_id": report.report_id,
                "cycle_id": report.cycle_id,
                "uf": report.uf,
                "assembly_id": report.assembly_id,
                "territory": report.territory,
                "public_name": m.public_name,
                "segment": m.segment,
                "role": m.role,
                "rank": m.rank,
                "gender": m.gender,
                "quota_groups": list(m.quota_groups),
                "claim_sha256": m.claim_sha256,
            }
            for m in report.mandates
        )
        # This tier's item for each item of the report, so a proposal stays under its diretriz.
        made = {item.item_id: _new_item_id() for item in report.items}
        # The builtins of each item's origins come from the body encoded above.
        for item, item_body in zip(report.items, body["items"], strict=True):
            item_origins = item_body["origins"] or [
                {
                    "proposal_id": item.item_id,
                    "assembly_id": report.assembly_id,
                    "territory": report.territory,
                }
            ]
            self.source_items.append(
                {
                    "item_id": item.item_id,
                    "report_id": report.report_id,
                    "assembly_id": report.assembly_id,
                    "territory": report.territory,
                    "uf": report.uf,
                    "axis": item.axis,
                    "competence": item.competence,
                    "title": item.title,
                    "text": item.text,
                    "rank": item.rank,
                    "support": item.support,
                    "origins": item_origins,
                }
            )
            consolidated_id = made[item.item_id]
            self.items.append(
                {
                    "id": consolidated_id,
                    "cycle_id": report.cycle_id,
                    "uf": scope,
                    "axis": item.axis,
                    "competence": item.competence,
                    "title": item.title,
                    "text": item.text,
                    "status": (
                        "active"
                        if lateness.active is None or item.item_id in lateness.active
                        else "rejected"
                    ),
                    "parent_id": made.get(item.parent_item_id),
                }
            )
            self.item_sources.append({"item_id": consolidated_id, "source_item_id": item.item_id})
            self.versions.append(
                {"item_id": consolidated_id, "version": 1, "title": item.title, "text": item.text}
            )
            for origin in item_origins:
                self.origins[(item.item_id, origin["proposal_id"])] = {
                    "source_item_id": item.item_id,
                    "proposal_id": origin["proposal_id"],
                    "assembly_id": origin["assembly_id"],
                    "territory": origin["territory"],
                }

    async def insert(self, session: AsyncSession) -> None:
        """One multi-row insert per table, parents before children."""
        for table, rows in (
            (_REPORTS, self.reports),
            (_MANDATES, self.mandates),
            (_SOURCE_ITEMS, self.source_items),
            (_ITEMS, self.items),
            (_ITEM_SOURCES, self.item_sources),
            (_VERSIONS, self.versions),
            (_ORIGINS, list(self.origins.values())),
        ):
            if rows:
                await session.execute(insert(table), rows)
