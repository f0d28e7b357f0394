"""Normalisation of Portuguese proposal texts for duplicate detection.

Proposals from different municipalities rarely share their wording, so a text is reduced to what
its demand is made of: case and accents folded; stopwords and boilerplate dropped; each word cut to
its Snowball stem (``pystemmer``; accent-free endings such as ``-cao`` are re-accented first, so
typing without accents does not change the stem); then the thesaurus replaces acronyms' long forms
and interchangeable words or phrases by one token (``agentes comunitários de saúde`` → ``acs``,
``aumentar a quantidade`` → ``ampliar``). The vocabulary is packaged data (``vocabulary``).

``analyse`` gives what similarity looks at: the token set (word level, with the first letters of
long content tokens, for derivations Snowball leaves apart), the character trigrams
of each content token (robust to typos; actions and generic words, which say little about *what*
is asked for, are left out), the actions the text asks for, and the contrast classes it names
(words such as *litoral* / *semiárido* that change the demand).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from shared.core.decide.vocabulary import fold, vocabulary

PREFIX = 5  # content stems longer than this also give their first letters as a feature...
PREFIX_MARK = "^"  # ...marked so: "^vacin" is shared by "vacinal" and "vacin(a)", which Snowball
# leaves apart, as "hipertens(ão)" and "hipertens(o)"; such a feature weighs like a generic word


@dataclass(frozen=True, slots=True)
class Analysed:
    """A text reduced to what similarity looks at."""

    words: tuple[str, ...]  # canonical tokens, in order
    stems: frozenset[str]  # the same tokens as a set (stems and thesaurus tokens)
    features: frozenset[str]  # what the word level compares: stems, and prefixes of content stems
    grams: frozenset[str]  # character trigrams of each content token (not an action, not generic)
    actions: frozenset[str]  # actions asked for, and their families ("~mais")
    contrasts: frozenset[str]  # contrast classes named ("urbano e rural:rural")


def strip_accents(text: str) -> str:
    """Accents removed, everything else kept (case included)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """The key of one folded word (see ``vocabulary.word_key``)."""
    return vocabulary().lexicon.key(word)


def canonical_words(text: str) -> tuple[str, ...]:
    """The canonical tokens of ``text``: stems, with thesaurus phrases replaced by their token."""
    return vocabulary().canonical_words(text)


def normalise(text: str) -> str:
    """The canonical form as one string (what a convener sees as the 'normalised text')."""
    return " ".join(canonical_words(text))


@lru_cache(maxsize=65536)
def analyse(text: str) -> Analysed:
    v = vocabulary()
    words = canonical_words(text)
    content = [w for w in words if w not in v.actions and w not in v.weights]
    grams = frozenset(g for w in content for g in _trigrams(w))
    actions: set[str] = set()
    for word in words:
        if word in v.actions:
            actions.add(word)
            actions.update(v.families.get(word, ()))
    stems = frozenset(words)
    features = stems | {PREFIX_MARK + w[:PREFIX] for w in content if len(w) > PREFIX}
    return Analysed(words, stems, features, grams, frozenset(actions), _contrasts(words))


@lru_cache(maxsize=131072)
def _trigrams(word: str) -> frozenset[str]:
    padded = f" {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def _contrasts(words: tuple[str, ...]) -> frozenset[str]:
    v = vocabulary()
    found: set[str] = set()
    for start in range(len(words)):
        for length in range(1, min(v.contrast_longest, len(words) - start) + 1):
            labels = v.contrast_terms.get(words[start : start + length])
            if labels:
                found.update(labels)
    return frozenset(found)


__all__ = ["Analysed", "analyse", "canonical_words", "fold", "normalise", "stem", "strip_accents"]
