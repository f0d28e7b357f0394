"""Duplicate clustering of Portuguese proposals: offline, light, deterministic.

- **Similarity** ``score(a, b)`` in [0, 1]: word-level (weighted Dice and overlap of the
  normalised tokens: Snowball stems, acronyms and thesaurus synonyms folded to one token) and
  character-level (trigram Jaccard of the content tokens, for typos), with two vetoes: different
  actions ("ampliar" vs "reformar"), and different classes of a contrast ("litoral" vs
  "semiárido"). See ``text_normalise`` for the normalisation and ``pair_scores`` for the score.
- **Blocking**: an inverted index on each text's rarest tokens (tokens found in a single text
  cannot match anything and are skipped; very common ones are never used as keys), plus MinHash
  on trigrams, so a text is only compared with texts sharing one of its most specific words
  instead of with every other text.
- **Clustering** within axis: average-link agglomeration over the scored pairs (an unscored pair
  counts as 0), merging while the best average similarity between two clusters reaches the
  threshold. Average link does not chain: a decoy that resembles one member of a cluster is not
  pulled in unless it resembles the cluster as a whole.

The default threshold was chosen on the tuning splits of the hand-written paraphrase set
(``tests/data/decide/paraphrase_eval.csv``, ``scripts/eval_paraphrases.py``): the lowest, so the
best recall, at which each of tune, held and fresh reaches pairwise precision 0.95. Its *fresh2*
split, written after that vocabulary was frozen, measures it (paraphrase_eval.md has the
figures: far better on the tuning splits than on fresh2).
"""

from __future__ import annotations

import gc
import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from shared.core.decide.errors import ClusteringError
from shared.core.decide.pair_scores import incidence, score_pairs
from shared.core.decide.text_normalise import Analysed, analyse

DEFAULT_THRESHOLD = 0.36
BLOCKING_KEYS = 5  # rarest stems per text used as blocking keys...
MIN_SHARED_KEYS = 2  # ...of which a candidate must hold this many (one, if a text has only two)
MINHASH_BANDS = 10  # LSH on character trigrams (see _minhash_neighbours)
MINHASH_ROWS = 4
GENERIC_KEYS = 3
QUERY_GRAMS = 12  # DuplicateIndex: a new text's rarest trigrams looked up...
QUERY_GRAMS_SHARED = 4  # ...of which an existing text must hold this many  # a text with only common stems: a candidate must hold all of its 3 rarest
MAX_KEY_SHARE = 0.02  # stems in more than this share of an axis's texts are not keys...
MIN_KEY_CAP = 200  # ...unless the axis is small
MIN_PAIR_SCORE = 0.2  # candidate pairs scoring less are dropped (they count as 0, like unlisted)
_BATCH_CHUNK = 512  # DuplicateIndex.add_many: new texts looked up per sparse product


@dataclass(frozen=True, slots=True)
class ClusterItem:
    id: str
    text: str
    axis: str = ""


class ScoredPair(NamedTuple):
    """Two items' similarity (a tuple: a cluster of 19,000 texts returns most of a million)."""

    a: str
    b: str
    score: float


@dataclass(frozen=True, slots=True)
class ClusterResult:
    clusters: list[list[str]]  # every item once, singletons included, in input order
    pairs: list[ScoredPair]  # every scored candidate pair (a before b in input order)


def score(a: str, b: str) -> float:
    """Similarity of two texts in [0, 1] (1 = same normalised text)."""
    return _similarity(analyse(a), analyse(b))


def cluster(items: Sequence[ClusterItem], threshold: float = DEFAULT_THRESHOLD) -> ClusterResult:
    """Cluster ``items`` within each axis; see the module docstring."""
    _check_threshold(threshold)
    with _no_cyclic_gc():
        return _cluster(items, threshold)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: clustering 19,000 texts makes millions of small
    acyclic objects (links, pairs), and the collections they trigger, each walking every live
    container, cost a fifth of the time or more. Reference counting still frees everything; the
    collector is restored as it was (other threads only see a collection postponed)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cluster(items: Sequence[ClusterItem], threshold: float) -> ClusterResult:
    ids = [item.id for item in items]
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise ClusteringError(f"item id {item_id!r} appears twice")
        seen.add(item_id)
    analysed = [analyse(item.text) for item in items]
    by_axis: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        by_axis[item.axis].append(index)
    floor = min(MIN_PAIR_SCORE, threshold)
    firsts, seconds, values = [], [], []
    for members in by_axis.values():
        first, second, scores = _scored_candidates([analysed[i] for i in members])
        keep = scores >= floor
        positions = np.asarray(members, dtype=np.int64)
        firsts.append(positions[first[keep]])
        seconds.append(positions[second[keep]])
        values.append(scores[keep])
    first = np.concatenate(firsts) if firsts else np.zeros(0, dtype=np.int64)
    second = np.concatenate(seconds) if seconds else np.zeros(0, dtype=np.int64)
    scores = np.concatenate(values) if values else np.zeros(0)
    order = np.lexsort((second, first))
    first, second, scores = first[order], second[order], scores[order]
    groups = _average_link(len(items), first.tolist(), second.tolist(), scores.tolist(), threshold)
    rounded = np.round(scores, 4).tolist()
    names = np.asarray(ids, dtype=object)
    return ClusterResult(
        clusters=[[ids[i] for i in group] for group in groups],
        pairs=list(map(ScoredPair, names[first].tolist(), names[second].tolist(), rounded)),
    )


class DuplicateIndex:
    """Existing proposals kept ready for the cheap submit-time question "is this new text a
    near-duplicate of one we have?", scored like ``cluster``. Candidates are the texts holding one
    of the new text's rarest stems, or several of its rarest trigrams (a typo can hide a word).

    ``near_duplicates`` asks for one text; ``add_many`` asks for a whole batch, each text against
    the index as it stood just before it (earlier texts of the batch included), with the same
    answers as asking and adding one at a time but vectorised over the batch."""

    def __init__(self, items: Iterable[ClusterItem] = ()) -> None:
        self._items: list[ClusterItem] = []
        self._analysed: list[Analysed] = []
        self._stems: dict[str, list[int]] = defaultdict(list)  # postings, built lazily:
        self._grams: dict[str, list[int]] = defaultdict(list)  # they cover the first _posted
        self._posted = 0
        for item in items:
            self.add(item)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: ClusterItem) -> None:
        self._items.append(item)
        self._analysed.append(analyse(item.text))

    def _postings(self) -> None:
        for index in range(self._posted, len(self._items)):
            analysed = self._analysed[index]
            for key in analysed.features:
                self._stems[key].append(index)
            for gram in analysed.grams:
                self._grams[gram].append(index)
        self._posted = len(self._items)

    def near_duplicates(
        self,
        text: str,
        *,
        axis: str | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 10,
    ) -> list[ScoredPair]:
        """Existing items scoring at least ``threshold`` against ``text`` (``a`` is ``""``, the new
        text; ``b`` the existing id), best first; restricted to ``axis`` when given."""
        _check_threshold(threshold)
        self._postings()
        query = analyse(text)
        cap = max(MIN_KEY_CAP, int(MAX_KEY_SHARE * len(self._items)))
        candidates: set[int] = set()
        for key in _rarest(query.features, self._stems, cap, BLOCKING_KEYS):
            candidates.update(self._stems[key])
        hits: Counter[int] = Counter()
        for gram in _rarest(query.grams, self._grams, cap, QUERY_GRAMS):
            hits.update(self._grams[gram])
        candidates.update(i for i, n in hits.items() if n >= QUERY_GRAMS_SHARED)
        chosen = [i for i in sorted(candidates) if axis is None or self._items[i].axis == axis]
        values = score_pairs(
            [query, *(self._analysed[i] for i in chosen)],
            np.zeros(len(chosen), dtype=np.int64),
            np.arange(1, len(chosen) + 1, dtype=np.int64),
        )
        matches = [
            ScoredPair("", self._items[i].id, round(value, 4))
            for i, value in zip(chosen, values.tolist(), strict=True)
            if value >= threshold
        ]
        matches.sort(key=lambda m: (-m.score, m.b))
        return matches[:limit]

    def add_many(
        self,
        items: Sequence[ClusterItem],
        *,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 10,
        within_axis: bool = True,
    ) -> list[list[ScoredPair]]:
        """Add ``items`` in order; for each, what ``near_duplicates(item.text, axis=item.axis)``
        (``axis=None`` unless ``within_axis``) would have answered just before its ``add``.

        Vectorised: the posting counts a text would have seen are the counts among the texts
        before it, so its keys (rarest stems and trigrams under the cap) are chosen for the whole
        batch at once, candidates come from sparse products over the earlier texts, and the
        scores from row-wise products, as in ``cluster``."""
        _check_threshold(threshold)
        start = len(self._items)
        for item in items:
            self.add(item)
        if not items:
            return []
        analysed = self._analysed
        total = len(analysed)
        stems, stem_columns = incidence([a.features for a in analysed], ordered=True)
        grams = incidence([a.grams for a in analysed], ordered=True)[0]
        axes: dict[str, int] = {}
        axis_codes = np.asarray(
            [axes.setdefault(item.axis, len(axes)) for item in self._items], dtype=np.int64
        )
        position = np.arange(start, total, dtype=np.int64)  # each new text's index
        caps = np.maximum(MIN_KEY_CAP, (MAX_KEY_SHARE * position).astype(np.int64))
        stem_keys = _query_keys(stems, start, caps, BLOCKING_KEYS)
        gram_keys = _query_keys(grams, start, caps, QUERY_GRAMS)
        firsts: list[NDArray[np.int64]] = []
        seconds: list[NDArray[np.int64]] = []
        for low in range(0, total - start, _BATCH_CHUNK):
            high = min(low + _BATCH_CHUNK, total - start)
            earlier_stems = stems[: start + high]  # texts after the chunk cannot be candidates
            earlier_grams = grams[: start + high]
            by_stem = (stem_keys[low:high] @ earlier_stems.T).tocoo()
            by_gram = (gram_keys[low:high] @ earlier_grams.T).tocoo()
            enough = by_gram.data >= QUERY_GRAMS_SHARED
            row = np.concatenate([by_stem.row, by_gram.row[enough]]).astype(np.int64) + low
            col = np.concatenate([by_stem.col, by_gram.col[enough]]).astype(np.int64)
            keep = col < row + start  # only texts already in the index
            if within_axis:
                keep &= axis_codes[col] == axis_codes[row + start]
            pairs = np.unique(row[keep] * total + col[keep])  # each pair once, in order
            firsts.append(pairs // total + start)
            seconds.append(pairs % total)
        first, second = np.concatenate(firsts), np.concatenate(seconds)
        scores = score_pairs(analysed, first, second, words=(stems, stem_columns), grams=grams)
        found: list[list[ScoredPair]] = [[] for _ in items]
        hit = scores >= threshold
        for i, j, value in zip(
            first[hit].tolist(), second[hit].tolist(), scores[hit].tolist(), strict=True
        ):
            found[i - start].append(ScoredPair("", self._items[j].id, round(value, 4)))
        for matches in found:
            matches.sort(key=lambda m: (-m.score, m.b))
            del matches[limit:]
        return found


def _query_keys(
    matrix: sparse.csr_matrix, start: int, caps: NDArray[np.int64], keep: int
) -> sparse.csr_matrix:
    """For each row from ``start`` on, its ``keep`` rarest features (fewest earlier rows holding
    them, then smallest feature id) among those held by between 1 and ``caps[row - start]``
    earlier rows: ``_rarest`` for the whole batch, as a 0/1 (new rows × features) matrix."""
    count, features = matrix.shape
    before = np.bincount(matrix[:start].indices, minlength=features)
    new = matrix[start:].tocoo()
    rows, cols = new.row.astype(np.int64), new.col.astype(np.int64)
    order = np.lexsort((rows, cols))  # by feature, then by row: the earlier new rows first
    rows, cols = rows[order], cols[order]
    group_start = np.searchsorted(cols, cols, side="left")
    seen = before[cols] + (np.arange(len(cols)) - group_start)
    usable = (seen > 0) & (seen <= caps[rows])
    rows, cols, seen = rows[usable], cols[usable], seen[usable]
    order = np.lexsort((cols, seen, rows))
    rows, cols = rows[order], cols[order]
    firsts = np.searchsorted(rows, rows, side="left")
    chosen = (np.arange(len(rows)) - firsts) < keep
    return sparse.csr_matrix(
        (np.ones(int(chosen.sum()), dtype=np.int32), (rows[chosen], cols[chosen])),
        shape=(count - start, features),
    )


def _rarest(
    features: frozenset[str], postings: dict[str, list[int]], cap: int, keep: int
) -> list[str]:
    known = [f for f in features if 0 < len(postings.get(f, ())) <= cap]
    return sorted(known, key=lambda f: (len(postings[f]), f))[:keep]


def near_duplicates(
    text: str,
    existing: Sequence[ClusterItem],
    *,
    axis: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
) -> list[ScoredPair]:
    """One-off form of ``DuplicateIndex.near_duplicates`` (build the index once to ask often)."""
    return DuplicateIndex(existing).near_duplicates(
        text, axis=axis, threshold=threshold, limit=limit
    )


# --- internals ----------------------------------------------------------------------------------


def _similarity(x: Analysed, y: Analysed) -> float:
    value: float = score_pairs([x, y], np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.int64))[0]
    return value


def _scored_candidates(
    analysed: Sequence[Analysed],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Candidate pairs (i < j, positions in ``analysed``) and their scores, all vectorised.

    Blocking: each text queries its ``BLOCKING_KEYS`` rarest stems found in at least one other
    text (and in at most ``MAX_KEY_SHARE`` of them, unless it has no such stem); the product query × stemsᵀ counts how
    many of them every other text holds, and ``MIN_SHARED_KEYS`` make a candidate. Scoring: row-wise products of the sparse stem and trigram matrices
    give the intersections, hence both Jaccard similarities, without a Python loop per pair.
    """
    count = len(analysed)
    stems, stem_columns = incidence([a.features for a in analysed])
    empty = np.zeros(0, dtype=np.int64)
    if count < 2 or stems.shape[1] == 0:
        return empty, empty, np.zeros(0)
    frequency = np.asarray(stems.sum(axis=0)).ravel()
    cap = max(MIN_KEY_CAP, int(MAX_KEY_SHARE * count))
    rows = np.repeat(np.arange(count), np.diff(stems.indptr))
    cols = stems.indices.astype(np.int64)
    shared_stem = frequency[cols] > 1
    specific = shared_stem & (frequency[cols] <= cap)
    has_specific = np.bincount(rows[specific], minlength=count) > 0
    usable = specific | (shared_stem & ~has_specific[rows])  # generic texts use common stems
    rows, cols = rows[usable], cols[usable]
    order = np.lexsort((cols, frequency[cols], rows))
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, rows, side="left")
    limit = np.where(has_specific[rows], BLOCKING_KEYS, GENERIC_KEYS)
    keep = (np.arange(len(rows)) - starts) < limit
    query = sparse.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.int32), (rows[keep], cols[keep])), shape=stems.shape
    )
    keys_per_text = np.bincount(rows[keep], minlength=count)
    # a text with specific keys needs MIN_SHARED_KEYS of them; a generic one needs all its keys
    # (a short text, with at most MIN_SHARED_KEYS keys, needs only one: a typo can break the other)
    needed_per_text = np.where(
        has_specific, np.where(keys_per_text <= MIN_SHARED_KEYS, 1, MIN_SHARED_KEYS), keys_per_text
    )
    hits = (query @ stems.T).tocoo()
    enough = (hits.data >= needed_per_text[hits.row]) & (hits.row != hits.col)
    found = sparse.coo_matrix(
        (np.ones(int(enough.sum()), dtype=np.int8), (hits.row[enough], hits.col[enough])),
        shape=(count, count),
    ).tocsr()
    grams = incidence([a.grams for a in analysed])[0]
    similar = _minhash_neighbours(grams)
    pairs = sparse.triu(found + found.T + similar, k=1).tocoo()  # each unordered pair once, i < j
    order = np.lexsort((pairs.col, pairs.row))
    first = pairs.row[order].astype(np.int64)
    second = pairs.col[order].astype(np.int64)
    scores = score_pairs(analysed, first, second, words=(stems, stem_columns), grams=grams)
    return first, second, scores


def _minhash_neighbours(grams: sparse.csr_matrix) -> sparse.csr_matrix:
    """Texts whose trigram MinHash signatures agree on a whole band (LSH), as a 0/1 matrix.

    It complements the stem keys where a typo hides a rare word: ``MINHASH_BANDS`` bands of
    ``MINHASH_ROWS`` hashes make a pair with trigram Jaccard 0.8 a candidate with probability
    0.99, one with 0.3 with probability 0.08. Hash parameters are fixed, so runs are reproducible.
    """
    count = grams.shape[0]
    sizes = np.diff(grams.indptr)
    present = np.flatnonzero(sizes)
    if len(present) < 2:
        return sparse.csr_matrix((count, count), dtype=np.int8)
    prime = np.uint64(2**31 - 1)
    generator = np.random.default_rng(20260101)
    total = MINHASH_BANDS * MINHASH_ROWS
    multipliers = generator.integers(1, 2**31 - 1, size=total, dtype=np.uint64)
    offsets = generator.integers(0, 2**31 - 1, size=total, dtype=np.uint64)
    columns = grams.indices.astype(np.uint64)
    starts = grams.indptr[:-1][present]
    signature = np.empty((total, len(present)), dtype=np.uint64)
    for k in range(total):
        hashed = (multipliers[k] * columns + offsets[k]) % prime
        signature[k] = np.minimum.reduceat(hashed, starts)
    rows_out: list[NDArray[np.int64]] = []
    cols_out: list[NDArray[np.int64]] = []
    for band in range(MINHASH_BANDS):
        block = signature[band * MINHASH_ROWS : (band + 1) * MINHASH_ROWS]
        key = np.zeros(len(present), dtype=np.uint64)
        for row in block:  # order-dependent mix of the band's hashes into one 64-bit key
            key = key * np.uint64(0x9E3779B97F4A7C15) + row
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        run_starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        run_lengths = np.diff(np.r_[run_starts, len(sorted_key)])
        for start, length in zip(
            run_starts[run_lengths > 1], run_lengths[run_lengths > 1], strict=True
        ):
            group = present[order[start : start + length]]
            left, right = _upper_pairs(int(length))
            rows_out.append(group[left])
            cols_out.append(group[right])
    if not rows_out:
        return sparse.csr_matrix((count, count), dtype=np.int8)
    rows_all, cols_all = np.concatenate(rows_out), np.concatenate(cols_out)
    matrix = sparse.coo_matrix(
        (np.ones(len(rows_all), dtype=np.int8), (rows_all, cols_all)), shape=(count, count)
    ).tocsr()
    matrix.data[:] = 1  # a pair found in several bands counts once
    return matrix


def _average_link(
    count: int, first: list[int], second: list[int], scores: list[float], threshold: float
) -> list[list[int]]:
    """Average-link agglomeration, lazily: when two clusters merge, the average between the new
    cluster and a neighbour is a size-weighted mean of the two old averages, so the old entries
    stay upper bounds; an entry is re-evaluated when taken and merged only if still current.
    Links are folded small-into-large, so each merge costs the smaller side's degree.

    The entries are taken best first, as from one heap ordered by (-score, i, j), but the initial
    ones (hundreds of thousands in a dense axis) come from one sorted array, and only the
    re-evaluated ones go through a heap: most initial entries join two texts already together
    and cost one comparison."""
    root = list(range(count))
    size = [1] * count
    members: dict[int, list[int]] = {i: [i] for i in range(count)}
    values = np.asarray(scores, dtype=np.float64)
    links = _neighbour_dicts(count, first, second, values)
    above = np.flatnonzero(values >= threshold)
    lefts = np.asarray(first, dtype=np.int64)[above]
    rights = np.asarray(second, dtype=np.int64)[above]
    order = np.lexsort((rights, lefts, -values[above]))
    stream = list(
        zip(
            (-values[above][order]).tolist(),
            lefts[order].tolist(),
            rights[order].tolist(),
            strict=True,
        )
    )
    heap: list[tuple[float, int, int]] = []
    position, end = 0, len(stream)
    while position < end or heap:
        if heap and (position == end or heap[0] < stream[position]):
            negative, a, b = heapq.heappop(heap)
        else:
            negative, a, b = stream[position]
            position += 1
        while root[a] != a:  # find, with path halving (inlined: this loop is the hot spot)
            root[a] = root[root[a]]
            a = root[a]
        while root[b] != b:
            root[b] = root[root[b]]
            b = root[b]
        if a == b:
            continue
        current = links[a].get(b, 0.0) / (size[a] * size[b])
        if current < -negative - 1e-12:
            if current >= threshold:
                heapq.heappush(heap, (-current, a, b))
            continue
        large, small = (a, b) if size[a] >= size[b] else (b, a)
        root[small] = large
        size[large] += size[small]
        members[large].extend(members.pop(small))
        folded, links[small] = links[small], {}
        into = links[large]
        for other, total in folded.items():
            del links[other][small]
            if other == large:
                continue
            into[other] = into.get(other, 0.0) + total
            links[other][large] = into[other]
        into.pop(small, None)
    return sorted((sorted(group) for group in members.values()), key=lambda group: group[0])


def _neighbour_dicts(
    count: int, first: list[int], second: list[int], values: NDArray[np.float64]
) -> list[dict[int, float]]:
    """For each item, {neighbour: score} over the pairs (both directions), each dict built in
    one call from its slice of the pairs sorted by item rather than one insertion per pair."""
    rows = np.concatenate([np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)])
    cols = np.concatenate([np.asarray(second, dtype=np.int64), np.asarray(first, dtype=np.int64)])
    both = np.concatenate([values, values])
    order = np.argsort(rows, kind="stable")
    bounds = np.searchsorted(rows[order], np.arange(count + 1)).tolist()
    neighbours, scores = cols[order].tolist(), both[order].tolist()
    return [dict(zip(neighbours[a:b], scores[a:b], strict=True)) for a, b in pairwise(bounds)]


@lru_cache(maxsize=1024)
def _upper_pairs(size: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Every (i, j) with i < j < size; the same few band sizes come back thousands of times."""
    left, right = np.triu_indices(size, k=1)
    return left, right


def _check_threshold(threshold: float) -> None:
    if not 0.0 <= threshold <= 1.0:
        raise ClusteringError(f"the threshold must be within [0, 1], got {threshold}")
