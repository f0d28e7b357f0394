"""A motion's threshold follows the delegates present now (CNS: 20 % of them, or 200
signatures, whichever is fewer), not the count when it was proposed."""

from __future__ import annotations

from shared.core.cycle import preset
from shared.features.plenary.model import Motion
from shared.features.plenary.motions import refresh, standing

RULE = preset("health").motions


def motion(signatures: int, status: str = "collecting", needed: int = 1) -> Motion:
    return Motion(
        assembly_id="a", kind="support", title="t", text="x", status=status,
        signatures=signatures, needed=needed,
    )  # fmt: skip


def test_the_share_of_those_present_or_two_hundred_whichever_is_fewer() -> None:
    assert standing(motion(99), RULE, 500) == ("collecting", 100)
    assert standing(motion(100), RULE, 500) == ("qualified", 100)
    assert standing(motion(200), RULE, 4000) == ("qualified", 200)  # not 800
    assert standing(motion(199), RULE, 4000) == ("collecting", 200)


def test_a_qualified_motion_collects_again_when_the_room_fills() -> None:
    m = refresh(motion(150), RULE, 500)
    assert (m.status, m.needed) == ("qualified", 100)
    refresh(m, RULE, 1000)  # 20 % of 1,000 is 200
    assert (m.status, m.needed) == ("collecting", 200)


def test_a_motion_put_to_a_vote_keeps_its_status_and_threshold() -> None:
    for status in ("voting", "approved", "rejected"):
        assert standing(motion(3, status, needed=2), RULE, 1000) == (status, 2)
