"""Similarity of many pairs of analysed texts at once, in [0, 1].

The score is a weighted mean of two views of a text, then two vetoes:

- **word level**: weighted Dice and overlap of the token sets (stems and thesaurus tokens, plus
  the first letters of long content stems, weighing like generic words). Generic tokens
  (*garantir*, *município*, *saúde*…) weigh less than the words that say what is asked for, so
  two proposals are not alike merely because both want to "garantir o acesso da população".
  Dice, not Jaccard: a short and a long wording of one demand share most of the short one.
- **character level**: Jaccard of the tokens' character trigrams, which survives the typos and
  word splits that break a token ("inidgena", "agentes comunitarios").
- **action veto**: two texts that both ask for actions, none shared and none of the same family
  ("ampliar" vs "reformar" the UBS), are different demands: the score is multiplied by
  ``ACTION_MISMATCH``.
- **contrast veto**: two texts naming different classes of one contrast and none in common
  (*litoral* vs *semiárido*, *creche* vs *ensino médio*) are different demands even if every
  other word matches: the score is multiplied by ``CONTRAST_MISMATCH``.
- **substitution veto**: the same rule for a contrast the data does not know. Two texts whose
  specific tokens (neither generic nor an action) are shared but for exactly one on each side
  ("campanha de doação de *sangue*" / "… de *órgãos*") score × ``SUBSTITUTION_MISMATCH``: one
  word swapped is as often another demand as a synonym the thesaurus lacks.

Every count is an integer (weights are small integers), so a pair gets bitwise the same score
whichever batch it is computed in: ``cluster``, ``DuplicateIndex.near_duplicates`` and
``add_many`` agree exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from shared.core.decide.text_normalise import PREFIX_MARK, Analysed
from shared.core.decide.vocabulary import DEFAULT_WEIGHT, GENERIC_WEIGHT, vocabulary

WORD_SHARE = 4  # the score is (WORD_SHARE × word + GRAM_SHARE × character) / (sum of both)
GRAM_SHARE = 1
DICE_SHARE = 1  # word level: (DICE_SHARE × Dice + OVERLAP_SHARE × overlap) / (sum of both)
OVERLAP_SHARE = 1
ACTION_MISMATCH = 0.35
CONTRAST_MISMATCH = 0.2
SUBSTITUTION_MISMATCH = 0.7
_CHUNK = 200_000  # pairs per sparse product, to bound memory

Indices = NDArray[np.int64]


def incidence(
    sets: Sequence[frozenset[str]], *, ordered: bool = False
) -> tuple[sparse.csr_matrix, list[str]]:
    """Binary text × feature matrix and its columns' features: in order of first appearance, or
    in string order when ``ordered`` (the tie-break the submit-time index uses)."""
    if ordered:
        columns = sorted(set().union(*sets))
        vocabulary_ids = {f: i for i, f in enumerate(columns)}
    else:
        vocabulary_ids = {}
        for features in sets:
            for f in sorted(features):
                vocabulary_ids.setdefault(f, len(vocabulary_ids))
        columns = list(vocabulary_ids)
    lookup = vocabulary_ids.__getitem__
    indices = np.fromiter(
        itertools.chain.from_iterable(map(lookup, features) for features in sets),
        dtype=np.int32,
        count=sum(map(len, sets)),
    )
    pointers = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([len(features) for features in sets], out=pointers[1:])
    data = np.ones(len(indices), dtype=np.int32)
    matrix = sparse.csr_matrix((data, indices, pointers), shape=(len(sets), len(columns)))
    matrix.sort_indices()  # each row's columns in order, as products and row slices expect
    return matrix, columns


def score_pairs(
    analysed: Sequence[Analysed],
    first: Indices,
    second: Indices,
    *,
    words: tuple[sparse.csr_matrix, list[str]] | None = None,
    grams: sparse.csr_matrix | None = None,
) -> NDArray[np.float64]:
    """Score of each pair ``(analysed[first[k]], analysed[second[k]])``. ``words`` (the token
    incidence and its columns) and ``grams`` may be passed when the caller has built them."""
    if len(first) == 0:
        return np.zeros(0)
    word_matrix, columns = words if words is not None else incidence([a.features for a in analysed])
    gram_matrix = grams if grams is not None else incidence([a.grams for a in analysed])[0]
    weights = vocabulary().weights
    weight = np.asarray(
        [
            GENERIC_WEIGHT if c.startswith(PREFIX_MARK) else weights.get(c, DEFAULT_WEIGHT)
            for c in columns
        ],
        dtype=np.float64,
    )
    # the specific tokens: neither generic (actions included) nor a prefix feature
    specific = np.where(weight >= DEFAULT_WEIGHT, weight, 0.0)
    both = np.column_stack([weight, specific])
    totals, specific_totals = (word_matrix @ both).T
    shared, specific_shared = _shared_rows(word_matrix, first, second, both).T
    smaller = np.minimum(totals[first], totals[second])
    mass = totals[first] + totals[second]
    with np.errstate(invalid="ignore", divide="ignore"):
        dice = np.where(mass > 0, 2 * shared / mass, 0.0)
        overlap = np.where(smaller > 0, shared / smaller, 0.0)
    word = (DICE_SHARE * dice + OVERLAP_SHARE * overlap) / (DICE_SHARE + OVERLAP_SHARE)
    gram = _jaccard_rows(gram_matrix, first, second, word)
    scores: NDArray[np.float64] = (WORD_SHARE * word + GRAM_SHARE * gram) / (
        WORD_SHARE + GRAM_SHARE
    )
    actions = incidence([a.actions for a in analysed])[0]
    named = np.diff(actions.indptr) > 0
    action_conflict = named[first] & named[second]
    action_conflict &= _shared_rows(actions, first, second) == 0
    scores = np.where(action_conflict, scores * ACTION_MISMATCH, scores)
    # one specific token each that the other lacks, and the rest shared: "doação de sangue" /
    # "doação de órgãos", a contrast the data does not know
    lone = (specific_totals[first] - specific_shared == DEFAULT_WEIGHT) & (
        specific_totals[second] - specific_shared == DEFAULT_WEIGHT
    )
    lone &= specific_shared >= DEFAULT_WEIGHT
    scores = np.where(lone, scores * SUBSTITUTION_MISMATCH, scores)
    return np.where(_contrast_conflict(analysed, first, second), scores * CONTRAST_MISMATCH, scores)


def _contrast_conflict(
    analysed: Sequence[Analysed], first: Indices, second: Indices
) -> NDArray[np.bool_]:
    """Pairs that name classes of one contrast and share none of them."""
    labels, columns = incidence([a.contrasts for a in analysed])
    conflict = np.zeros(len(first), dtype=bool)
    if not columns:
        return conflict
    names = sorted({c.split(":", 1)[0] for c in columns})
    position = {name: i for i, name in enumerate(names)}
    group = sparse.csr_matrix(
        (
            np.ones(len(columns), dtype=np.int32),
            ([position[c.split(":", 1)[0]] for c in columns], np.arange(len(columns))),
        ),
        shape=(len(names), len(columns)),
    )
    per_contrast = (labels @ group.T).toarray() > 0  # text × contrast: names one of its classes
    for start in range(0, len(first), _CHUNK):
        a, b = first[start : start + _CHUNK], second[start : start + _CHUNK]
        shared = (labels[a].multiply(labels[b]) @ group.T).toarray()
        clash = per_contrast[a] & per_contrast[b] & (shared == 0)
        conflict[start : start + _CHUNK] = clash.any(axis=1)
    return conflict


def _shared_rows(
    matrix: sparse.csr_matrix,
    first: Indices,
    second: Indices,
    weight: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Features shared by rows ``first[k]`` and ``second[k]`` (their total ``weight``; a
    features × n ``weight`` gives n totals per pair)."""
    shape = (len(first),) if weight is None or weight.ndim == 1 else (len(first), weight.shape[1])
    shared = np.empty(shape, dtype=np.float64)
    for start in range(0, len(first), _CHUNK):
        stop = start + _CHUNK
        product = matrix[first[start:stop]].multiply(matrix[second[start:stop]])
        if weight is None:
            shared[start:stop] = np.asarray(product.sum(axis=1)).ravel()
        else:
            shared[start:stop] = sparse.csr_matrix(product) @ weight
    return shared


def _jaccard_rows(
    matrix: sparse.csr_matrix, first: Indices, second: Indices, empty: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Jaccard of rows ``first[k]`` and ``second[k]``; ``empty[k]`` where both rows are empty."""
    sizes = np.diff(matrix.indptr).astype(np.float64)
    shared = _shared_rows(matrix, first, second)
    union = sizes[first] + sizes[second] - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        result: NDArray[np.float64] = np.where(union > 0, shared / union, empty)
    return result
