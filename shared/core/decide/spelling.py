"""Typo repair against the thesaurus' own words, so that one slip does not break a phrase.

"agentes comunitarois de saude" must still become ``acs``: a word the thesaurus does not know is
compared with the words it does know (its terms, folded), and replaced when exactly one of them is
one slip away: two neighbouring letters swapped, or one letter of a double letter dropped or
added. Only long words are repaired (``MIN_LENGTH``): short ones are too often another real word.
Lookups use a deletion index (every known word with one letter deleted), so a query costs a few
dictionary probes rather than a scan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

MIN_LENGTH = 7


class Speller:
    def __init__(self, known: Iterable[str], *, stem: Callable[[str], str]) -> None:
        words = {w for w in known if len(w) >= MIN_LENGTH - 1}
        # plurals too, so that a typo in a plural is one edit from a known word
        words |= {w + "s" for w in words if w[-1] in "aeiou"}
        self._known = frozenset(words)
        #: stems of the known words: a word with one of these is an inflection, not a typo
        self.stems = frozenset(stem(w) for w in words)
        index: dict[str, set[str]] = defaultdict(set)
        for word in self._known:
            for variant in _deletions(word):
                index[variant].add(word)
        self._index = dict(index)
        self._cache: dict[str, str | None] = {}

    def correct(self, word: str) -> str | None:
        """The one known word a single edit away from ``word``, if there is exactly one (``None``
        for a known word, a short one, or an ambiguous or unknown one)."""
        if word in self._cache:
            return self._cache[word]
        found: str | None = None
        if len(word) >= MIN_LENGTH and word not in self._known and not word.isdigit():
            candidates = {
                known
                for variant in _deletions(word)
                for known in self._index.get(variant, ())
                if _one_edit(word, known)
            }
            if len(candidates) == 1:
                found = candidates.pop()
        self._cache[word] = found
        return found


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by two neighbours swapped ("comunitarois") or by one
    letter of a double letter ("psicosocial"). Other single edits are as often another real
    word as a typo ("doentes"/"docentes", "mediacao"/"medicacao", "fluvial"/"pluvial"), and
    without a dictionary of the language they cannot be told apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(
        long[:i] + long[i + 1 :] == short
        and long[i] in long[max(i - 1, 0) : i] + long[i + 1 : i + 2]
        for i in range(len(long))
    )
