"""A local report that came the wrong way is refused by the state conference too: when the
cycle's ``[routing.reports_to]`` sends free conferences straight to the national stage, a free
conference's report on its state's subject is dead-lettered (``unrouted-report``), never counted
at the state (it would count twice, or where it has no seat); a municipal one still joins."""

from __future__ import annotations

from shared.core.cycle import preset_text
from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly
from tests.support.tiers import Federation, operator

FREE_TO_NATION = preset_text("health").replace(
    'regional = ["national"]\n',
    'regional = ["national"]\n\n[routing.reports_to]\nfree = "national"\n',
)


async def test_a_free_conference_routed_to_the_nation_is_refused_by_its_state(
    regional_tier: Federation,
) -> None:
    fed = regional_tier
    loaded = await fed.regional.post(
        "/api/v1/cycles/", headers=operator("regional"), json={"rules_toml": FREE_TO_NATION}
    )
    assert loaded.status_code == 201, loaded.text
    free = FakeAssembly(fed, territory="2927408", uf="BA", kind="free")
    municipal = FakeAssembly(fed, territory="2910800", uf="BA")
    for assembly in (free, municipal):
        await assembly.introduce()
    row = await free.send(free.report([("saude-1", "national", "Saúde no carnaval")]))
    await municipal.send(municipal.report([("saude-1", "national", "Saúde no sertão")]))
    letters = await eventually(
        lambda: get_json(fed.regional, "/api/v1/dead-letters/", headers=operator("regional")),
        done=lambda page: any(d["message_id"] == row["id"] for d in page["items"]),
    )
    letter = next(d for d in letters["items"] if d["message_id"] == row["id"])
    assert letter["reason"] == "unrouted-report"
    assert "straight to the national stage" in letter["detail"]
    reports = await eventually(
        lambda: get_json(fed.regional, "/api/v1/reports", cycle_id=CYCLE),
        done=lambda rows: len(rows) >= 1,
    )
    assert [r["assembly_id"] for r in reports] == [municipal.assembly_id]
