"""The Portuguese policy vocabulary the matcher uses, read from packaged data.

The words themselves live in ``shared/core/data/thesaurus_pt.toml`` (stopwords, acronyms,
synonyms, actions, generic words) and ``contrasts_pt.toml`` (words that change the demand), so a
convener or a reviewer can read and extend them without touching code; each file's header says
where its groups come from. This module turns them into lookup tables keyed by *word keys* (the
folded, stemmed form ``word_key`` gives), which is what ``text_normalise`` sees, so "Agentes
Comunitários de Saúde", "agente comunitario de saude" and "ACS" all land on one token.

Reading happens once, on first use, through ``importlib.resources`` (no other I/O).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import Stemmer

from shared.core.decide.spelling import Speller

GENERIC_WEIGHT = 1  # word-level weights are small integers so that sums are exact
DEFAULT_WEIGHT = 2
FAMILY_PREFIX = "~"  # action family labels live beside the actions: "~mais"

_NON_WORD = re.compile(r"[^a-z0-9]+")
_COMBINING = re.compile("[\u0300-\u036f]")  # the combining accents NFKD splits off (á = a + ´)
# Endings whose accent Snowball needs to recognise the suffix, restored on accent-free (and
# singular) input so that "contratacao" and "contratação" get one stem.
_REACCENT = (
    ("cao", "ção"),
    ("ao", "ão"),
    ("ancia", "ância"),
    ("encia", "ência"),
    ("avel", "ável"),
    ("ivel", "ível"),
)
_PLURALS = (("oes", "ao"), ("aes", "ao"), ("ais", "al"), ("eis", "el"), ("ois", "ol"), ("ns", "m"))
_STEMMER = Stemmer.Stemmer("portuguese")
_KEY_CACHE = 262144  # words whose key a lexicon remembers


class VocabularyError(ValueError):
    """The packaged vocabulary is inconsistent (a term claimed by two groups, an empty term)."""


def fold(text: str) -> str:
    """Lowercase, accents stripped, anything but letters and digits turned into spaces."""
    lowered = text.lower()
    if not lowered.isascii():
        lowered = _COMBINING.sub("", unicodedata.normalize("NFKD", lowered))
    return _NON_WORD.sub(" ", lowered)


@dataclass(frozen=True, slots=True)
class Contrast:
    """One contrast: labels ``name:class`` of the classes a text names."""

    name: str
    labels: frozenset[str]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """How a folded word becomes its key: stopwords dropped, acronyms kept, the data's stem
    exceptions applied, else Snowball."""

    stopwords: frozenset[str]
    protected: frozenset[str]  # acronyms: never stemmed
    exceptions: dict[str, str]  # word -> key where Snowball over-reduces
    speller: Speller | None = None  # repairs one-letter typos in the thesaurus' own words
    # word -> key, filled as words are seen (a lexicon made by ``replace`` starts empty)
    _keys: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def key(self, word: str) -> str:
        """A folded word's key: itself for digits and acronyms (``ubs``, and ``ubs`` for the
        plural ``ubss``); else, a one-letter typo of a thesaurus word repaired, the data's key
        where Snowball over-reduces, or its Snowball stem (telling accents restored first)."""
        known = self._keys.get(word)
        if known is None:
            if len(self._keys) >= _KEY_CACHE:
                self._keys.clear()
            known = self._keys[word] = self._key(word)
        return known

    def _key(self, word: str) -> str:
        if word.isdigit() or word in self.protected:
            return word
        if len(word) > 3 and word.endswith("s") and word[:-1] in self.protected:
            return word[:-1]
        if self.speller is not None and _stem(word) not in self.speller.stems:
            word = self.speller.correct(word) or word
        exception = self.exceptions.get(word)
        if exception is None and word.endswith("s"):
            exception = self.exceptions.get(word[:-1])
        return exception or _stem(word)

    def keys(self, text: str) -> tuple[str, ...]:
        key, stopwords = self.key, self.stopwords
        return tuple([key(w) for w in fold(text).split() if w not in stopwords])


@dataclass(frozen=True, slots=True)
class Vocabulary:
    lexicon: Lexicon
    phrases: dict[tuple[str, ...], str]  # word keys -> canonical token
    longest: int
    compounds: dict[tuple[str, ...], str]  # tokens of a form after ``phrases`` -> its token
    phrase_starts: frozenset[str]
    compound_starts: frozenset[str]
    actions: frozenset[str]  # canonical tokens
    families: dict[str, frozenset[str]]  # action -> family labels ("~mais")
    weights: dict[str, int]  # canonical token -> weight, when not DEFAULT_WEIGHT
    contrast_terms: dict[tuple[str, ...], frozenset[str]]  # canonical tokens -> labels
    contrast_longest: int
    contrasts: tuple[Contrast, ...]

    def canonical_words(self, text: str) -> tuple[str, ...]:
        """Word keys of ``text`` with every thesaurus phrase replaced by its token (greedy,
        longest phrase first at each position), then once more for forms that contain another
        group's form ("centro de referência para pessoas em situação de rua": ``poprua`` first,
        then ``centropop``); one-letter leftovers dropped."""
        keys = self.lexicon.keys(text)
        first = _replace_phrases(keys, self.phrases, self.longest, self.phrase_starts)
        return _replace_phrases(first, self.compounds, self.longest, self.compound_starts)


@lru_cache(maxsize=262144)
def _stem(word: str) -> str:
    word = _singular(word)
    for plain, accented in _REACCENT:
        if word.endswith(plain) and len(word) > len(plain) + 1:
            word = word[: -len(plain)] + accented
            break
    stemmed: str = _STEMMER.stemWord(word)
    return fold(stemmed).strip() or word


def _singular(word: str) -> str:
    """Regular Portuguese plurals to the singular (ões/ães → ão, ais → al, ns → m, res → r…),
    since Snowball stems many plurals apart from their singular ("hospitais" → "hospit",
    "hospital" → "hospital"; "jovens" → "jovens", "jovem" → "jov")."""
    if len(word) <= 3:
        return word
    for plural, single in _PLURALS:
        if word.endswith(plural):
            return word[: -len(plural)] + single
    if word.endswith(("res", "zes")) and len(word) > 5:
        return word[:-2]  # mulheres, vezes (but classes, próteses: -se + s, below)
    if word.endswith("s") and not word.endswith(("us", "is")):
        return word[:-1]
    return word


def _replace_phrases(
    keys: tuple[str, ...],
    phrases: dict[tuple[str, ...], str],
    longest: int,
    starts: frozenset[str] | None = None,
) -> tuple[str, ...]:
    out: list[str] = []
    index = 0
    while index < len(keys):
        if starts is not None and keys[index] not in starts:  # no phrase begins here
            out.append(keys[index])
            index += 1
            continue
        for length in range(min(longest, len(keys) - index), 0, -1):
            token = phrases.get(keys[index : index + length])
            if token is not None:
                out.append(token)
                index += length
                break
        else:
            out.append(keys[index])
            index += 1
    return tuple(w for w in out if len(w) > 1 or w.isdigit())


def _read(name: str) -> dict[str, Any]:
    text = resources.files("shared.core.data").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def vocabulary() -> Vocabulary:
    """The packaged vocabulary, checked and indexed (read once)."""
    thesaurus = _read("thesaurus_pt.toml")
    stopwords = frozenset(w for term in thesaurus["stopwords"] for w in fold(term).split())
    acronyms: dict[str, list[str]] = thesaurus["acronyms"]
    synonyms: dict[str, list[str]] = thesaurus["synonyms"]
    single = [fold(a).strip() for a in acronyms] + [
        fold(f).strip() for forms in acronyms.values() for f in forms if " " not in fold(f).strip()
    ]
    lexicon = Lexicon(
        stopwords=stopwords,
        protected=frozenset(w for w in single if w not in stopwords),
        exceptions={fold(w).strip(): key for w, key in thesaurus["stems"].items()},
    )
    phrases: dict[tuple[str, ...], str] = {}
    contrast_data = _read("contrasts_pt.toml")["contrast"]
    known = {
        word
        for term in [
            *(t for group in [*acronyms.items(), *synonyms.items()] for t in [group[0], *group[1]]),
            *(m for c in contrast_data for members in c["classes"] for m in members),
        ]
        for word in fold(term).split()
        if word not in stopwords and word not in lexicon.protected
    }
    for token, forms in [*acronyms.items(), *synonyms.items()]:
        canonical = fold(token).replace(" ", "")
        for form in [token, *forms]:
            key = lexicon.keys(form)
            if not key and form == token:
                continue  # "suas" (SUAS) is also the possessive: only its long form counts
            if not key:
                raise VocabularyError(f"term {form!r} of {token!r} is only stopwords")
            if phrases.get(key, canonical) != canonical:
                raise VocabularyError(f"term {form!r} is claimed by {phrases[key]!r} and {token!r}")
            phrases[key] = canonical
    longest = max(map(len, phrases))
    lexicon = dataclasses.replace(lexicon, speller=Speller(known, stem=_stem))

    compounds: dict[tuple[str, ...], str] = {}
    for token, forms in [*acronyms.items(), *synonyms.items()]:
        canonical = fold(token).replace(" ", "")
        for form in forms:
            keys = lexicon.keys(form)
            own = phrases.pop(keys)  # the form's other groups' phrases, not the form itself
            once = _replace_phrases(keys, phrases, longest)
            phrases[keys] = own
            if len(once) > 1 and compounds.setdefault(once, canonical) != canonical:
                raise VocabularyError(
                    f"term {form!r} is claimed by {compounds[once]!r} and {token!r}"
                )

    def tokens(term: str) -> tuple[str, ...]:
        return _replace_phrases(
            _replace_phrases(lexicon.keys(term), phrases, longest), compounds, longest
        )

    actions_section = thesaurus["actions"]
    actions = frozenset(t for verb in actions_section["verbs"] for t in tokens(verb))
    unknown = actions - frozenset(phrases.values())
    if unknown:
        raise VocabularyError(f"actions {sorted(unknown)} are not thesaurus tokens")
    families: dict[str, set[str]] = {}
    for family, members in actions_section["families"].items():
        for member in members:
            for token in tokens(member):
                if token not in actions:
                    raise VocabularyError(f"family {family!r} names {member!r}, not an action")
                families.setdefault(token, set()).add(FAMILY_PREFIX + family)
    # actions say how, not what: they weigh like generic words (their agreement is the veto's job)
    weights = {t: GENERIC_WEIGHT for term in thesaurus["weights"]["generic"] for t in tokens(term)}
    weights.update((action, GENERIC_WEIGHT) for action in actions)
    contrast_terms: dict[tuple[str, ...], set[str]] = {}
    contrasts = []
    for contrast in contrast_data:
        labels = set()
        for members in contrast["classes"]:
            label = f"{contrast['name']}:{members[0]}"
            labels.add(label)
            for member in members:
                key = tokens(member)
                if not key:
                    raise VocabularyError(f"contrast term {member!r} is only stopwords")
                contrast_terms.setdefault(key, set()).add(label)
        contrasts.append(Contrast(contrast["name"], frozenset(labels)))
    return Vocabulary(
        lexicon=lexicon,
        phrases=phrases,
        longest=longest,
        compounds=compounds,
        phrase_starts=frozenset(key[0] for key in phrases),
        compound_starts=frozenset(key[0] for key in compounds),
        actions=actions,
        families={a: frozenset(f) for a, f in families.items()},
        weights=weights,
        contrast_terms={k: frozenset(v) for k, v in contrast_terms.items()},
        contrast_longest=max(map(len, contrast_terms)),
        contrasts=tuple(contrasts),
    )
