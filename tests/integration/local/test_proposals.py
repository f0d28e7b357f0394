"""Proposals at an open assembly: near-copies flagged, withdrawal, amendment by the author or
the secretary only."""

from __future__ import annotations

from tests.support.assemblies import (
    AMENDMENT,
    Desk,
    Drafting,
    draft_and_amend,
    open_desk,
    submit_texts,
)
from tests.support.tiers import Federation


async def drafted(tier: Federation) -> tuple[Desk, Drafting]:
    desk = await open_desk(tier)
    await submit_texts(desk)
    return desk, await draft_and_amend(desk)


async def test_a_near_copy_is_flagged_as_a_possible_duplicate(local_tier: Federation) -> None:
    desk, drafting = await drafted(local_tier)
    flagged = [d["proposal_id"] for d in drafting.copy.json()["possible_duplicates"]]
    assert desk.ids[0] in flagged


async def test_the_secretary_withdraws_a_proposal(local_tier: Federation) -> None:
    desk, drafting = await drafted(local_tier)
    assert drafting.withdrawn.status_code == 201, drafting.withdrawn.text
    assert drafting.withdrawn.json()["status"] == "withdrawn"
    listed = {p["id"]: p["status"] for p in (await desk.get("/proposals/")).json()}
    assert listed[drafting.copy.json()["id"]] == "withdrawn"


async def test_the_author_amends_a_proposal_into_a_new_version(local_tier: Federation) -> None:
    desk, drafting = await drafted(local_tier)
    assert drafting.amended.status_code == 201, drafting.amended.text
    assert drafting.amended.json()["version"] == 2
    assert drafting.amended.json()["text"] == AMENDMENT
    assert drafting.amended.json()["id"] == desk.ids[1]


async def test_only_the_author_or_the_secretary_may_amend(local_tier: Federation) -> None:
    _, drafting = await drafted(local_tier)
    assert drafting.amended_by_another.status_code == 403, drafting.amended_by_another.text
