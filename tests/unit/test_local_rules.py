"""Pure rules of the local tier: cycle presets, decisions, routing, exports, ballot secrecy."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

import shared.features.plenary.model  # noqa: F401 - registers the tables
from shared.core.cycle import Bands, Decision, load_rules, preset, preset_text
from shared.core.errors import Invalid
from shared.core.forwarding import forward
from shared.core.polls import DecisionCount, decide, export_preflib, recount, sha256_hex
from shared.platform.db.base import metadata


def test_presets_decode_with_the_cns_rules() -> None:
    health = preset("health")
    assert [s.share for s in health.delegates.segments] == [0.5, 0.25, 0.25]
    assert health.caps["municipal"].state == 10 and health.caps["municipal"].national == 12
    assert health.late.max_per_axis == 4 and not health.late.elects_delegates
    assert health.routing.local == ["state", "national"]
    environment = preset("environment")
    assert environment.priority.method == "approval"
    assert environment.decision.bands is not None


def test_invalid_rules_are_refused() -> None:
    broken = preset_text("health").replace('parity_segment = "users"', 'parity_segment = "x"')
    with pytest.raises(Invalid):
        load_rules(broken)
    with pytest.raises(Invalid):
        load_rules("cycle_id = 3")


def test_decision_threshold_and_bands() -> None:
    plain = Decision(threshold=0.5)
    assert decide(DecisionCount(6, 4, 50), plain) == "approved"  # abstentions excluded
    assert decide(DecisionCount(5, 5, 0), plain) == "rejected"  # must exceed the threshold
    assert decide(DecisionCount(6, 4, 0), plain, amended=True) == "approved_in_part"
    assert decide(DecisionCount(0, 0, 9), plain) == "rejected"
    banded = Decision(bands=Bands(upper=0.7, lower=0.3))
    assert decide(DecisionCount(7, 3, 0), banded) == "approved"
    assert decide(DecisionCount(5, 5, 0), banded) == "plenary"
    assert decide(DecisionCount(2, 8, 0), banded) == "rejected"


@dataclass(frozen=True)
class Ranked:
    id: str
    axis: str
    competence: str
    rank: int


def test_routing_applies_competence_caps_and_late_policy() -> None:
    rules = preset("health")
    items = [
        Ranked(f"{axis}-{c}-{r}", axis, c, r)
        for axis in ("saude-1", "saude-2", "saude-3")
        for c in ("municipal", "state", "national")
        for r in range(1, 8)
    ]
    chosen = forward(items, rules, tier="local", assembly_kind="municipal", late=False)
    assert not [i for i in chosen if i.competence == "municipal"]
    assert len([i for i in chosen if i.competence == "state"]) == 10
    assert len([i for i in chosen if i.competence == "national"]) == 12
    # Round-robin by rank: every axis's first four national items before any fifth.
    national = [i for i in chosen if i.competence == "national"]
    assert max(i.rank for i in national) == 4
    late = forward(items, rules, tier="local", assembly_kind="municipal", late=True)
    for axis in ("saude-1", "saude-2", "saude-3"):
        assert len([i for i in late if i.axis == axis]) <= 4


rankings = st.lists(
    st.tuples(st.permutations(["a", "b", "c", "d"]), st.integers(1, 5)), max_size=20
)


@given(rankings)
def test_export_is_canonical_and_recounts(ballots: list[tuple[list[str], int]]) -> None:
    content = [(tuple((c,) for c in order), n) for order, n in ballots]
    text = export_preflib(["a", "b", "c", "d"], content, title="t")
    again = export_preflib(["a", "b", "c", "d"], list(reversed(content)), title="t")
    assert sha256_hex(text) == sha256_hex(again)
    result = recount(text, "borda")
    assert sorted(c for group in result.ranking for c in group) == ["a", "b", "c", "d"]


def test_no_table_links_a_ballot_to_a_participant() -> None:
    ballot = metadata.tables["plenary_ballot"]
    names = set(ballot.columns.keys())
    assert names == {"id", "poll_id", "ranking", "count"}
    assert [fk.column.table.name for fk in ballot.foreign_keys] == ["plenary_poll"]
    assert not any(
        "time" in str(c.type).lower() or "date" in str(c.type).lower() for c in ballot.columns
    )
    assert ballot.columns["id"].default is not None  # random UUID4, not a sequence
    voter = metadata.tables["plenary_voter"]
    assert set(voter.columns.keys()) == {"poll_id", "voter_id"}
    # Nothing else references the ballot table, and the roll has no ballot column.
    for table in metadata.tables.values():
        for fk in table.foreign_keys:
            assert fk.column.table.name != "plenary_ballot"
