"""Duplicate clusters of one conference's items, from their texts alone: pure, and light to
import, so a big axis is clustered in a worker process while the tier keeps answering (see
``shared.platform.offload``). ``duplicates`` reads the rows and keeps what this returns.

A common demand of a big state gathers hundreds of items (São Paulo: clusters of 600), so a
cluster's evidence is the pairs the matcher scored inside it, best first, at most
``EVIDENCE_KEPT`` of them — not every one of its hundred thousand pairs. Its mean score still
counts every pair of members (an unscored pair as 0), as average-link clustering does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from shared.contracts.http.consolidation import PairScore, SuggestedItem, Suggestion
from shared.core.decide.clustering import ClusterItem, ScoredPair, cluster
from shared.core.decide.text_normalise import analyse

#: Scored pairs kept as one cluster's evidence, best first.
EVIDENCE_KEPT = 200
#: Words every member shares, shown (and highlighted) on the card.
SHARED_WORDS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class Row:
    """One active consolidated item, as the clustering needs it."""

    id: uuid.UUID
    axis: str
    competence: str
    title: str
    text: str
    rank: int | None


@dataclass(frozen=True, slots=True)
class Group:
    """Items clustered together, the pairs scored among them (best first, capped) and the
    mean similarity over all their pairs."""

    rows: list[Row]
    pairs: list[ScoredPair]
    mean_score: float


def groups_of(rows: Sequence[Row], threshold: float, *, by_competence: bool) -> list[Group]:
    """Clusters of two or more of ``rows`` within each axis (and competence, when asked), in
    the clustering's order."""
    by_id = {str(r.id): r for r in rows}
    result = cluster(
        [
            ClusterItem(
                id=str(r.id),
                text=r.text,
                axis=f"{r.axis}\x1f{r.competence}" if by_competence else r.axis,
            )
            for r in rows
        ],
        threshold,
    )
    clusters = [members for members in result.clusters if len(members) > 1]
    group_of = {item: n for n, members in enumerate(clusters) for item in members}
    within: list[list[ScoredPair]] = [[] for _ in clusters]
    for pair in result.pairs:
        n = group_of.get(pair.a)
        if n is not None and group_of.get(pair.b) == n:
            within[n].append(pair)
    groups: list[Group] = []
    for members, pairs in zip(clusters, within, strict=True):
        possible = len(members) * (len(members) - 1) // 2
        mean = round(sum(p.score for p in pairs) / possible, 4)
        pairs.sort(key=lambda p: (-p.score, p.a, p.b))
        groups.append(Group([by_id[i] for i in members], pairs[:EVIDENCE_KEPT], mean))
    return groups


def suggested(rows: Sequence[Row], threshold: float) -> list[Suggestion]:
    """Clusters of likely duplicates within each axis, with the evidence: the best pair
    scores and the words every member shares; the most similar clusters first."""
    suggestions: list[Suggestion] = []
    for group in groups_of(rows, threshold, by_competence=False):
        stems = frozenset.intersection(*(analyse(r.text).stems for r in group.rows))
        suggestions.append(
            Suggestion(
                axis=group.rows[0].axis,
                items=[
                    SuggestedItem(
                        id=str(r.id),
                        competence=r.competence,
                        title=r.title,
                        text=r.text,
                        rank=r.rank,
                    )
                    for r in group.rows
                ],
                pairs=[PairScore(a=p.a, b=p.b, score=p.score) for p in group.pairs],
                mean_score=group.mean_score,
                shared_words=sorted(stems)[:SHARED_WORDS_SHOWN],
            )
        )
    suggestions.sort(key=lambda s: (-s.mean_score, s.axis))
    return suggestions
