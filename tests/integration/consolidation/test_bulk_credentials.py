"""A credentialing desk imports its check-in list at once: the same rules as one by one, checked
in the list's order before anything is written, and nothing written if any entry is refused."""

from __future__ import annotations

from typing import Any

from tests.support.api import get_json
from tests.support.polling import eventually
from tests.support.reports import CYCLE, FakeAssembly, mandates
from tests.support.tiers import Federation

TEXTS = [("saude-1", "national", "Ampliar o número de leitos de UTI nos hospitais regionais")]
PLENARY = "/api/v1/plenary"

#: Two Bahia and two Sergipe municipalities, so one script runs on two identical state plenaries.
TOWNS = {"BA": ("2927408", "2910800"), "SE": ("2800308", "2803500")}


async def receive_mandates(fed: Federation, uf: str) -> None:
    """Two assemblies of ``uf`` report their mandates (``{uf}0-…`` and ``{uf}1-…``)."""
    for n, territory in enumerate(TOWNS[uf]):
        assembly = FakeAssembly(fed, territory, uf)
        await assembly.introduce()
        await assembly.send(assembly.report(TEXTS, mandates=mandates(f"{uf}{n}")))
    await eventually(
        lambda: get_json(fed.regional, "/api/v1/reports", cycle_id=CYCLE),
        done=lambda rows: sum(1 for r in rows if r.get("uf") == uf) == 2,
    )


def entry(uf: str, mandate_id: str, holder: str | None = None) -> dict[str, str]:
    return {
        "cycle_id": CYCLE,
        "uf": uf,
        "mandate_id": mandate_id,
        "holder": holder or f"doc-{mandate_id}",
    }


async def bulk(fed: Federation, entries: list[dict[str, str]]) -> Any:
    return await fed.regional.post(
        f"{PLENARY}/credentials/bulk", headers=fed.staff["regional"], json={"entries": entries}
    )


async def absent(fed: Federation, uf: str, mandate_id: str) -> None:
    response = await fed.regional.post(
        f"{PLENARY}/absences",
        headers=fed.staff["regional"],
        json={"cycle_id": CYCLE, "uf": uf, "mandate_id": mandate_id},
    )
    assert response.status_code == 201, response.text


async def listed(fed: Federation, uf: str) -> list[str]:
    rows = await get_json(fed.regional, f"{PLENARY}/credentials", cycle_id=CYCLE, uf=uf)
    return sorted(r["mandate_id"] for r in rows)


async def test_bulk_admits_all_or_nothing(regional_tier: Federation) -> None:
    fed = regional_tier
    await receive_mandates(fed, "BA")
    await absent(fed, "BA", "BA1-u2")

    # Success, in the list's order; the alternate takes the absent titular's seat.
    batch = [entry("BA", m) for m in ("BA0-w1", "BA0-u1", "BA1-a1", "BA0-u2")]
    admitted = await bulk(fed, batch)
    assert admitted.status_code == 201, admitted.text
    body = admitted.json()
    assert [c["mandate_id"] for c in body] == ["BA0-w1", "BA0-u1", "BA1-a1", "BA0-u2"]
    assert [c["replaces_mandate_id"] for c in body] == [None, None, "BA1-u2", None]
    assert all(c["credentialed_at"] for c in body)
    assert await listed(fed, "BA") == ["BA0-u1", "BA0-u2", "BA0-w1", "BA1-a1"]

    # One bad entry refuses the list, says which entry, and writes nothing.
    refusals: list[tuple[list[dict[str, str]], int, int]] = [
        ([entry("BA", "BA1-u1"), entry("BA", "forged-1")], 404, 1),
        ([entry("BA", "BA1-u1"), entry("BA", "BA1-w1"), entry("BA", "BA0-u1", "x")], 409, 2),
        ([entry("BA", "BA1-u1"), entry("BA", "BA1-w1", "doc-BA0-u1")], 409, 1),
        ([entry("BA", "BA1-u1"), entry("BA", "BA1-u2")], 409, 1),  # absent titular
        ([entry("BA", "BA1-u1"), entry("BA", "BA0-a1")], 409, 1),  # no seat to replace
        ([entry("BA", "BA1-u1"), entry("BA", "BA1-w1", "  ")], 422, 1),
        ([entry("BA", "BA1-u1"), entry("SE", "BA1-w1")], 422, 1),  # another state's plenary
        # Duplicates within the list: the same mandate twice, the same person twice.
        ([entry("BA", "BA1-u1"), entry("BA", "BA1-u1", "doc-other")], 409, 1),
        ([entry("BA", "BA1-u1", "doc-z"), entry("BA", "BA1-w1", "doc-z")], 409, 1),
    ]
    for entries, status, failed in refusals:
        refused = await bulk(fed, entries)
        assert refused.status_code == status, (entries, refused.text)
        problem = refused.json()
        assert problem["entry"] == failed, problem
        assert problem["detail"].startswith(f"entry {failed} ("), problem
        assert await listed(fed, "BA") == ["BA0-u1", "BA0-u2", "BA0-w1", "BA1-a1"]

    # The request itself is validated like the single one.
    assert (await bulk(fed, [])).status_code == 400
    anonymous = await fed.regional.post(
        f"{PLENARY}/credentials/bulk", json={"entries": [entry("BA", "BA1-u1")]}
    )
    assert anonymous.status_code == 401, anonymous.text  # no token at all
    assert (await bulk(fed, [entry("BA", "BA1-u1"), entry("BA", "BA1-w1")])).status_code == 201
    assert len(await listed(fed, "BA")) == 6


async def test_bulk_matches_one_by_one(regional_tier: Federation) -> None:
    """One script, one by one at Bahia's plenary and as lists at Sergipe's: same outcome."""
    fed = regional_tier
    for uf in ("BA", "SE"):
        await receive_mandates(fed, uf)
        await absent(fed, uf, f"{uf}0-u2")
    script = [
        ("0-u1", "p1"),
        ("0-a2", "p2"),  # refused: the first alternate comes first
        ("0-a1", "p3"),  # replaces 0-u2
        ("0-a2", "p4"),  # refused: no absent titular left
        ("1-u1", "p1"),  # refused: p1 already holds a mandate
        ("1-u1", "p5"),
        ("0-u1", "p6"),  # refused: already credentialed
        ("1-w1", "p7"),
        ("0-w1", "p8"),
    ]

    one_by_one: list[tuple[int, Any]] = []
    for suffix, holder in script:
        response = await fed.regional.post(
            f"{PLENARY}/credentials",
            headers=regional_tier.staff["regional"],
            json=entry("BA", f"BA{suffix}", holder),
        )
        one_by_one.append((response.status_code, response.json()))
    assert [s for s, _ in one_by_one] == [201, 409, 201, 409, 409, 201, 409, 201, 201]

    # The whole script as one list fails where one by one first failed, with the same error.
    whole = await bulk(fed, [entry("SE", f"SE{s}", h) for s, h in script])
    status, single = one_by_one[1]
    assert whole.status_code == status and whole.json()["entry"] == 1, whole.text
    assert whole.json()["detail"] == f"entry 1 (SE0-a2): {single['detail']}"
    assert await listed(fed, "SE") == []

    # The entries one by one admitted, as two lists, give the same credentials.
    kept = [(s, h) for (s, h), (code, _) in zip(script, one_by_one, strict=True) if code == 201]
    views: list[dict[str, Any]] = []
    for part in (kept[:2], kept[2:]):
        response = await bulk(fed, [entry("SE", f"SE{s}", h) for s, h in part])
        assert response.status_code == 201, response.text
        views.extend(response.json())

    def same(view: dict[str, Any], uf: str) -> dict[str, Any]:
        out = {k: v for k, v in view.items() if k not in ("credentialed_at", "assembly_id")}
        for key in ("mandate_id", "replaces_mandate_id", "public_name"):
            if isinstance(out.get(key), str):
                out[key] = out[key].replace(uf, "XX", 1)
        out["territory"] = TOWNS[uf].index(out["territory"])
        return out

    expected = [same(v, "BA") for code, v in one_by_one if code == 201]
    assert [same(v, "SE") for v in views] == expected
    assert [m.replace("SE", "BA") for m in await listed(fed, "SE")] == await listed(fed, "BA")
