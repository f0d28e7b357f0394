"""Normalisation of Portuguese proposal texts for duplicate detection.

Steps, each cheap and offline: lowercase; strip accents; keep letters and digits; drop stopwords;
put words in the singular; replace long forms by their acronym (``unidades básicas de saúde`` →
``ubs``) and interchangeable words by one synonym (greedy longest phrase first); then a light
stemmer (suffix stripping plus truncation, in the spirit of prefix stemming, which does well for
Portuguese retrieval) gives the token set, and the canonical words give character trigrams.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from shared.core.decide.vocabulary_pt import ACRONYMS, ACTIONS, STOPWORDS, SYNONYMS

_NON_WORD = re.compile(r"[^a-z0-9]+")
_STEM_LENGTH = 6
_SUFFIXES = (
    "amentos", "imentos", "amento", "imento", "acoes", "icoes", "ucoes", "acao", "icao", "ucao",
    "mente", "idades", "idade", "adores", "adora", "ador", "ando", "endo", "indo",
    "ados", "idos", "adas", "idas", "ado", "ido", "ada", "ida", "ar", "er", "ir", "ao", "o", "a", "e",
)  # fmt: skip
_PROTECTED = frozenset(ACRONYMS) | frozenset(
    form for forms in ACRONYMS.values() for form in forms if " " not in form
)


@dataclass(frozen=True, slots=True)
class Analysed:
    """A text reduced to what similarity looks at."""

    words: tuple[str, ...]  # canonical words, in order
    stems: frozenset[str]
    grams: frozenset[str]
    actions: frozenset[str]  # what the proposal asks to do (see vocabulary_pt.ACTIONS)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=131072)
def singular(word: str) -> str:
    """Portuguese plural to singular by the regular endings (ões/ães → ão, ais → al, …)."""
    if len(word) <= 3 or word in _PROTECTED:
        return word
    for plural, single in (
        ("oes", "ao"),
        ("aes", "ao"),
        ("ais", "al"),
        ("eis", "el"),
        ("ois", "ol"),
    ):
        if word.endswith(plural):
            return word[: -len(plural)] + single
    if word.endswith("ns"):
        return word[:-2] + "m"
    if word.endswith(("res", "zes", "ses")) and len(word) > 5:
        return word[:-2]
    if word.endswith("s") and not word.endswith(("us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """Light stem: drop one derivational or verbal ending, then keep at most six letters."""
    if word in _PROTECTED or word.isdigit() or len(word) <= 4:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:_STEM_LENGTH]


def canonical_words(text: str) -> tuple[str, ...]:
    """Lowercase, accent-free, singular content words with acronyms and synonyms applied."""
    plain = _NON_WORD.sub(" ", strip_accents(text.lower()))
    words = [singular(w) for w in plain.split() if w not in STOPWORDS]
    out: list[str] = []
    index = 0
    while index < len(words):
        if words[index] not in _PHRASE_STARTS:
            out.append(words[index])
            index += 1
            continue
        for length in range(min(_LONGEST, len(words) - index), 0, -1):
            replacement = _PHRASES.get(tuple(words[index : index + length]))
            if replacement is not None:
                out.extend(replacement)
                index += length
                break
        else:
            out.append(words[index])
            index += 1
    return tuple(w for w in out if len(w) > 1 or w.isdigit())


def normalise(text: str) -> str:
    """The canonical form as one string (what a convener sees as the 'normalised text')."""
    return " ".join(canonical_words(text))


@lru_cache(maxsize=65536)
def analyse(text: str) -> Analysed:
    words = canonical_words(text)
    joined = f" {' '.join(words)} "
    grams = frozenset(joined[i : i + 3] for i in range(len(joined) - 2))
    actions = frozenset(w for w in words if w in ACTIONS)
    return Analysed(words, frozenset(stem(w) for w in words), grams, actions)


def _phrase_key(phrase: str) -> tuple[str, ...]:
    plain = _NON_WORD.sub(" ", strip_accents(phrase.lower()))
    return tuple(singular(w) for w in plain.split() if w not in STOPWORDS)


def _build_phrases() -> dict[tuple[str, ...], tuple[str, ...]]:
    phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
    for source, target in SYNONYMS.items():
        key = _phrase_key(source)
        if key:
            phrases[key] = tuple(target.split())
    for acronym, forms in ACRONYMS.items():
        for form in forms:
            key = _phrase_key(form)
            if key:
                phrases[key] = (acronym,)
    return phrases


_PHRASES = _build_phrases()
_LONGEST = max(len(key) for key in _PHRASES)
_PHRASE_STARTS = frozenset(key[0] for key in _PHRASES)
