"""Part of a delegation drawn by civic lottery: volunteers, a seed nobody can choose, quotas met,
the draw re-run by anyone from what was published, and the drawn mandates travelling up with
their probabilities and seed (issue 20)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from shared.features.consolidation.model import ReceivedReport
from tests.support.api import assert_problem
from tests.support.assemblies import create, register
from tests.support.lottery import LOTTERY_CYCLE, SECRET, load_lottery_cycle
from tests.support.polling import eventually
from tests.support.tiers import Federation
from tests.support.web import accessibility_violations, chromium, screenshot_at_360, served


def cli_lottery(tmp: Path, shown: dict[str, Any]) -> dict[str, Any]:
    """``plenaria lottery`` run by an outsider on the files the assembly published."""
    (tmp / "pool.csv").write_text(shown["pool_csv"])
    (tmp / "quotas.csv").write_text(shown["quotas_csv"])
    args = shown["rerun"].split()[1:]
    done = subprocess.run(
        [sys.executable, "-c", "from shared.tools.cli import main; main()", *args],
        cwd=tmp,
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


async def test_a_drawn_delegation_meets_its_quotas_and_travels_up_reproducibly(
    federation: Federation, tmp_path: Path
) -> None:
    fed = federation
    await load_lottery_cycle(fed, "local", "regional")
    created = await create(fed, cycle_id=LOTTERY_CYCLE)
    aid = created["id"]
    sec = {"Authorization": f"Bearer {created['secretary_token']}"}
    base = f"/api/v1/assemblies/{aid}"
    assert (await fed.local.post(f"{base}/open", headers=sec)).status_code == 201
    people = {p["public_name"]: p for p in await register(fed.local, aid, sec)}
    token = {n: {"Authorization": f"Bearer {p['badge_code']}"} for n, p in people.items()}
    alloc = await fed.local.put(f"{base}/allocation", headers=sec, json={"seats": 8})
    assert alloc.status_code == 200, alloc.text

    async def volunteer(name: str, headers: dict[str, str]) -> Any:
        return await fed.local.post(
            f"{base}/lottery/volunteers",
            headers=headers,
            json={"participant_id": people[name]["id"]},
        )

    # Who may join the pool: the desk, or a participant for themselves; users only.
    assert_problem(await volunteer("Ana", token["Bruno"]), 403)
    assert_problem(await volunteer("Elisa", sec), 422)  # a health worker, not a user
    men = [(await volunteer(n, token[n])).json()["pseudonym"] for n in ("Bruno", "Diego")]
    assert men == ["V001", "V002"]
    assert (await volunteer("Bruno", sec)).json()["pseudonym"] == "V001"  # asked again

    # Order and authority of the steps.
    assert_problem(await fed.local.post(f"{base}/lottery/close-pool", headers=sec), 409)
    commitment = hashlib.sha256(SECRET.encode()).hexdigest()
    as_participant = await fed.local.post(
        f"{base}/lottery/commitment", headers=token["Ana"], json={"commitment": commitment}
    )
    assert_problem(as_participant, 403)
    committed = await fed.local.post(
        f"{base}/lottery/commitment", headers=sec, json={"commitment": commitment}
    )
    assert committed.status_code == 201, committed.text
    assert committed.json()["commitment_sha256"] == commitment
    other = hashlib.sha256(b"another secret entirely").hexdigest()
    again = await fed.local.post(
        f"{base}/lottery/commitment", headers=fed.staff["local"], json={"commitment": other}
    )
    assert_problem(again, 409)  # the seed cannot change once committed
    early = await fed.local.post(f"{base}/lottery/reveal", headers=sec, json={"secret": SECRET})
    assert_problem(early, 409)

    # Quotas impossible from this pool are refused before any draw, naming the feature.
    impossible = await fed.local.post(f"{base}/lottery/close-pool", headers=sec)
    assert_problem(impossible, 422)
    assert impossible.json()["feature"] == "gender" and "woman" in impossible.text
    women = [(await volunteer(n, sec)).json()["pseudonym"] for n in ("Ana", "Carla")]
    assert women == ["V003", "V004"]
    closed = await fed.local.post(f"{base}/lottery/close-pool", headers=sec)
    assert closed.status_code == 201, closed.text
    shown = closed.json()
    assert shown["status"] == "closed" and shown["seats"] == 2
    assert shown["secret"] is None and shown["seed"] is None
    assert shown["pool_sha256"] == hashlib.sha256(shown["pool_csv"].encode()).hexdigest()
    pool = list(csv.DictReader(io.StringIO(shown["pool_csv"])))
    assert {r["id"]: r["gender"] for r in pool} == {
        "V001": "man",
        "V002": "man",
        "V003": "woman",
        "V004": "woman",
    }
    assert "Ana" not in shown["pool_csv"]  # pseudonymous
    assert_problem(await volunteer("Carla", sec), 409)  # the pool is frozen

    wrong = await fed.local.post(
        f"{base}/lottery/reveal", headers=sec, json={"secret": "not-the-committed-secret"}
    )
    assert_problem(wrong, 422)
    revealed = await fed.local.post(f"{base}/lottery/reveal", headers=sec, json={"secret": SECRET})
    assert revealed.status_code == 202, revealed.text
    material = f"{SECRET}|{shown['pool_sha256']}|".encode()
    expected_seed = int.from_bytes(hashlib.sha256(material).digest()[:8], "big") % (2**31 - 1) + 1
    assert revealed.json()["seed"] == expected_seed

    async def state() -> dict[str, Any]:
        answer: dict[str, Any] = (await fed.local.get(f"{base}/lottery")).json()
        return answer

    drawn = await eventually(state, lambda s: s["status"] in ("drawn", "failed"), timeout=120)
    assert drawn["status"] == "drawn", drawn
    assert drawn["secret"] == SECRET and drawn["method"] in ("maximin", "leximin")
    selected = drawn["selected"]
    genders = {r["id"]: r["gender"] for r in pool}
    assert sorted(genders[s] for s in selected) == ["man", "woman"]
    assert set(drawn["probabilities"]) == {"V001", "V002", "V003", "V004"}
    assert abs(sum(drawn["probabilities"].values()) - 2) < 1e-6

    # Anyone re-runs it from the published files and gets the same panel.
    rerun = cli_lottery(tmp_path, drawn)
    assert rerun["selected"] == selected and rerun["seed"] == expected_seed
    assert rerun["probabilities"] == drawn["probabilities"]

    # The drawn seats are the election's no more: it fills the other users' seats.
    election = (await fed.local.get(f"{base}/election")).json()
    assert election["seats"]["users"] == 2  # four users' seats, two drawn
    by_pseudonym = {"V001": "Bruno", "V002": "Diego", "V003": "Ana", "V004": "Carla"}
    drawn_names = sorted(by_pseudonym[s] for s in selected)
    mandates = [m for m in election["mandates"] if m["selection"] == "drawn"]
    assert sorted(m["public_name"] for m in mandates) == drawn_names
    assert all(m["role"] == "titular" and m["probability"] is not None for m in mandates)

    for name in ("Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio"):
        said = await fed.local.post(
            f"{base}/evaluation", headers=token[name], json={"spoke": "yes"}
        )
        assert said.status_code == 201, said.text
    assert (await fed.local.post(f"{base}/voting", headers=sec)).status_code == 201
    closing = await fed.local.post(f"{base}/close", headers=sec)
    assert closing.status_code == 202, closing.text
    claims = closing.json()["delegate_claims"]
    assert sorted(c["public_name"] for c in claims) == drawn_names

    async def arrived() -> list[ReceivedReport]:
        async with fed.nodes["regional"].sessions() as session:
            return list((await session.scalars(select(ReceivedReport))).all())

    [report] = await eventually(arrived)
    record = report.body["lottery"]
    assert record["seed"] == expected_seed and record["secret"] == SECRET
    assert record["commitment_sha256"] == commitment
    assert record["selected"] == selected and record["pool_csv"] == drawn["pool_csv"]
    sent = [m for m in report.body["mandates"] if m["selection"] == "drawn"]
    assert sorted(m["public_name"] for m in sent) == drawn_names
    assert all(
        m["probability"] == drawn["probabilities"][s]
        for m, s in zip(sorted(sent, key=lambda m: m["rank"]), selected, strict=True)
    )

    # Who took part and who was sent up: exact between tiers, small cells withheld in public.
    tables = {(t["population"], t["tier"]): t for t in report.body["equity"]}
    assert tables[("participants", "local")]["total"] == 8
    assert tables[("participants", "local")]["cells"]["segment"] == {
        "users": 4,
        "workers": 2,
        "managers": 2,
    }
    assert tables[("delegates", "local")]["total"] == 2
    public = (await fed.local.get(f"{base}/equity")).json()
    shown = {(t["population"], t["tier"]): t for t in public["tables"]}
    assert shown[("participants", "local")]["total"] == 8
    assert shown[("delegates", "local")]["total"] is None  # two people: withheld whole
    numbers = [
        n for t in public["tables"] for values in t["cells"].values() for n in values.values() if n
    ]
    assert all(n >= public["min_cell"] for n in numbers)
    state = (
        await fed.regional.get("/api/v1/equity", params={"cycle_id": LOTTERY_CYCLE, "uf": "SP"})
    ).json()
    assert {(t["population"], t["tier"]): t["total"] for t in state["tables"]}[
        ("participants", "local")
    ] == 8
    for client in (fed.local, fed.regional):
        exported = await client.get(
            "/api/v1/open-data/equity", params={"format": "csv", "cycle_id": LOTTERY_CYCLE}
        )
        assert exported.status_code == 200, exported.text
        lines = list(csv.DictReader(io.StringIO(exported.text)))
        assert any(
            r["population"] == "participants" and r["dimension"] == "total" and r["count"] == "8"
            for r in lines
        )
        small = [r for r in lines if r["count"] and 0 < int(r["count"]) < public["min_cell"]]
        assert small == [], small
    evaluated = await fed.regional.get(
        "/api/v1/evaluation", params={"cycle_id": LOTTERY_CYCLE, "uf": "SP"}
    )
    assert evaluated.json()["responses"] == 6
    assert evaluated.json()["answers"]["spoke"]["yes"] == 6

    # The same figures as pictures, for anyone: a bar per cell with its share in words.
    async with (
        served(fed, "local") as local,
        served(fed, "regional") as regional,
        chromium() as browser,
    ):
        page = await browser.new_page(locale="pt-BR")
        await page.goto(f"{local}/acompanhamento/assembleias/{aid}/representacao")
        text = await page.inner_text("main")
        assert "Participantes credenciados nas assembleias" in text and "Total: 8" in text
        assert "menos de 5" in text and "Avaliação dos participantes" in text
        assert "Sorteio cívico" in text and str(expected_seed) in text and SECRET in text
        assert (
            "na população" in text and "(51,5 %)" in text and "IBGE, Censo Demográfico 2022" in text
        )
        assert drawn["rerun"] in text
        pool_link = page.get_by_role("link", name="a lista de voluntários")
        assert await pool_link.get_attribute("href") == f"/api/v1/assemblies/{aid}/lottery/pool.csv"
        assert await accessibility_violations(page) == []
        shot = await screenshot_at_360(page, "representation-assembly", tmp_path)
        assert shot.exists()
        await page.goto(f"{regional}/representacao?cycle_id={LOTTERY_CYCLE}&uf=SP&lang=en")
        text = await page.inner_text("main")
        assert "Participants credentialed at the assemblies" in text and "Responses: 6" in text
        assert await accessibility_violations(page) == []
        await screenshot_at_360(page, "representation-state", tmp_path)
