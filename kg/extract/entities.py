"""Actor and place mentions: the registry as an entity ruler over the spaCy parse, NER for
names the registry lacks (they become provisional actors, never dropped), demonyms and
capitals, offices resolved to their holder at a date, and pronouns, "the two leaders" and
"his US counterpart" resolved from the text before them.

The registry phrase matches win over the statistical NER wherever they overlap (the role of an
entity ruler with ``overwrite_ents``); the spaCy pipeline itself is shared and never changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token
from spacy.util import filter_spans

from kg.errors import InputError
from kg.extract import lexicon
from kg.extract.lexicon import Country
from kg.extract.syntax import load_nlp
from kg.records import Actor, Place
from kg.sources.registry import Registry, normalize_name

# name | demonyms | capitals (used as metonyms) | other names


COUNTRIES = lexicon.countries()
_COUNTRY_BY_NAME = {
    normalize_name(n): c
    for c in COUNTRIES.values()
    for n in (c.name, *c.aliases, *c.demonyms, *c.capitals)
}
_CAPITALS = {normalize_name(n) for c in COUNTRIES.values() for n in c.capitals}
_DEMONYMS = {normalize_name(n) for c in COUNTRIES.values() for n in c.demonyms}


def country_for(name: str) -> Country | None:
    """The country a name, demonym or capital denotes in the built-in table.

    >>> country_for("Japanese").name
    'Japan'
    """
    return _COUNTRY_BY_NAME.get(normalize_name(_strip_possessive(name)))


def actor_id_from_name(text: str) -> str:
    """A registry-style id from a name.

    >>> actor_id_from_name("Li Hui's")
    'li-hui'
    """
    text = _strip_possessive(text)
    text = normalize_name(text)
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-") or "unnamed"


def _strip_possessive(text: str) -> str:
    return re.sub(r"\s*['’]s?$", "", text.strip())


PERSON_TITLES = re.compile(
    r"^(?:(?:then|former|acting|outgoing|incoming|new|the)[- ]+)*"
    r"(?:(?:U\.?S\.?|US|American|[A-Z][a-z]+(?:ese|ian|ish|an|i|ch|ic))\s+)?"
    r"(?:(?:vice |deputy |prime |foreign |defen[cs]e |trade |finance |interior |state )?"
    r"(?:president|minister|premier|chancellor|secretary|ambassador|envoy|spokesperson|"
    r"spokesman|spokeswoman|speaker|senator|general|king|queen|crown prince|prince|emir|"
    r"sheikh|leader|chairman|chief|adviser|advisor|mr|mrs|ms|dr)\.?\s+)+",
    re.IGNORECASE,
)
_COMMON_WORDS = lexicon.words("entities", "common_words")
ANONYMOUS_NOUNS = lexicon.words("entities", "anonymous_nouns")


@dataclass(frozen=True, slots=True)
class Mention:
    """A name in the text and what it denotes: an actor, a place, or both ("China")."""

    start: int
    end: int
    text: str
    token_start: int
    token_end: int
    actor: str | None = None
    place: str | None = None
    source: str = "registry"


def _surname(token: Token, actor_id: str) -> Mention:
    """A one-token mention of a person by surname."""
    end = token.idx + len(token.text)
    return Mention(token.idx, end, token.text, token.i, token.i + 1, actor_id, None, "surname")


@dataclass
class EntityIndex:
    """The registry as phrase patterns, plus the provisional actors and places found so far.

    Built once per registry (:func:`entity_index`); :meth:`mentions` runs per document.
    """

    registry: Registry
    matcher: PhraseMatcher
    provisional: dict[str, Actor] = field(default_factory=dict)
    provisional_places: dict[str, Place] = field(default_factory=dict)

    def for_document(self) -> EntityIndex:
        """A copy sharing the patterns, with no provisional actors or places yet."""
        return EntityIndex(self.registry, self.matcher)

    def actor(self, actor_id: str) -> Actor | None:
        """A registry or provisional actor by id."""
        return self.registry.actors.get(actor_id) or self.provisional.get(actor_id)

    def mentions(self, doc: Doc) -> list[Mention]:
        """Every actor and place mention of a parsed document, left to right, no overlaps.

        Registry names first (longest match wins); then NER names the registry lacks:
        people become provisional actors, countries provisional states, other places
        provisional places; demonyms ("Japanese") and capitals ("Tokyo said") denote states.
        """
        keys: dict[tuple[int, int], list[str]] = {}
        spans = []
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            keys.setdefault((start, end), []).append(key)
            spans.append(doc[start:end])
        found: list[Mention] = []
        taken = [False] * len(doc)
        for span in filter_spans(spans):
            actor = place = None
            for key in keys[(span.start, span.end)]:
                kind, _, identifier = key.partition(":")
                if kind == "A" and actor is None:
                    actor = identifier
                elif kind == "P" and place is None:
                    place = identifier
            found.append(
                Mention(
                    span.start_char, span.end_char, span.text, span.start, span.end, actor, place
                )
            )
            for i in range(span.start, span.end):
                taken[i] = True
        surnames: dict[str, str] = {
            normalize_name(a.label.split()[-1]): a.id for a in self.provisional.values()
        }
        # "Wang" after "Wang Yi", "Kishida" after "Fumio Kishida": a registry person named in
        # full earlier is meant by either part of the name later on.
        for mention in found:
            person = self.registry.actors.get(mention.actor or "")
            if person is not None and person.kind == "person" and len(person.label.split()) > 1:
                for part in (person.label.split()[0], person.label.split()[-1]):
                    surnames.setdefault(normalize_name(part), person.id)
        # A name after a title is a person, whatever the statistical NER says ("Chancellor
        # Olaf Scholz" tagged ORG, "Ursula von der Leyen" cut in two).
        for start, end in _titled_names(doc):
            if any(taken[i] for i in range(start, end)):
                continue
            first, last = doc[start], doc[end - 1]
            text = doc.text[first.idx : last.idx + len(last.text)]
            named = self._ner_mention("PERSON", text, first, last, surnames)
            if named is not None:
                found.append(named)
                for i in range(start, end):
                    taken[i] = True
        for ent in doc.ents:
            if ent.label_ not in ("PERSON", "GPE", "NORP", "LOC", "FAC"):
                continue
            single = _strip_possessive(ent.text)
            if ent.label_ != "PERSON" and normalize_name(single) in surnames and " " not in single:
                token = ent[0]
                if not taken[token.i]:
                    found.append(_surname(token, surnames[normalize_name(single)]))
                    taken[token.i] = True
                continue
            tokens = [t for t in ent if not taken[t.i] and t.tag_ != "POS" and t.text.strip()]
            if not tokens or len(tokens) != len([t for t in ent if t.tag_ != "POS"]):
                continue
            first, last = tokens[0], tokens[-1]
            text = doc.text[first.idx : last.idx + len(last.text)]
            named = self._ner_mention(ent.label_, text, first, last, surnames)
            if named is not None:
                found.append(named)
                for i in range(first.i, last.i + 1):
                    taken[i] = True
        for token in doc:
            key = normalize_name(token.text)
            if taken[token.i] or token.pos_ != "PROPN" or key not in surnames:
                continue
            if token.ent_type_ in ("GPE", "NORP", "LOC", "DATE"):
                continue
            found.append(_surname(token, surnames[key]))
            taken[token.i] = True
        found.sort(key=lambda m: m.start)
        return found

    def _ner_mention(
        self, label: str, text: str, first: Token, last: Token, surnames: dict[str, str]
    ) -> Mention | None:
        text = _strip_possessive(text)
        if not text or not re.search(r"[A-Za-z]", text):
            return None

        def make(actor: str | None, place: str | None, source: str) -> Mention:
            return Mention(
                first.idx, first.idx + len(text), text, first.i, last.i + 1, actor, place, source
            )

        if label == "PERSON":
            name = PERSON_TITLES.sub("", text).strip()
            if not name or not name[0].isupper() or len(name) < 2:
                return None
            known = self.registry.find_actor(name)
            if known is not None:
                return make(known.id, None, "ner")
            words = name.split()
            if len(words) == 1 and normalize_name(name) in surnames:
                return make(surnames[normalize_name(name)], None, "ner")
            if len(words) == 1 and normalize_name(words[0]) in _COMMON_WORDS:
                return None
            if country_for(name) is not None:
                return self._country_mention(name, first, last, text)
            actor = self._provisional_person(name, first)
            surnames[normalize_name(words[-1])] = actor
            return make(actor, None, "provisional")
        if label in ("GPE", "NORP"):
            return self._country_mention(text, first, last, text)
        place = self._place(text)
        return make(None, place, "ner") if place else None

    def _country_mention(self, name: str, first: Token, last: Token, text: str) -> Mention | None:
        known = self.registry.find_actor(name)
        place = self._known_place(name)
        country = country_for(name)
        actor = known.id if known is not None and known.kind == "state" else None
        if actor is None and country is not None:
            registered = self.registry.find_actor(country.name)
            actor = registered.id if registered is not None else self._provisional_state(country)
            if normalize_name(name) in _CAPITALS and place is None:
                place = self._place(name)
        if actor is None and place is None:
            if normalize_name(name) in _DEMONYMS or not name[:1].isupper():
                return None
            place = self._place(name)
        source = "ner" if (known or place) else "provisional"
        return Mention(
            first.idx, first.idx + len(text), text, first.i, last.i + 1, actor, place, source
        )

    def _known_place(self, name: str) -> str | None:
        try:
            return self.registry.resolve_place(name).id
        except InputError:  # not a registry place
            return None

    def _place(self, name: str) -> str | None:
        known = self._known_place(name)
        if known is not None:
            return known
        identifier = actor_id_from_name(name)
        if identifier in self.registry.places and self.registry.places[identifier].label != name:
            identifier += "-place"
        self.provisional_places.setdefault(identifier, Place(identifier, _strip_possessive(name)))
        return identifier

    def _provisional_person(self, name: str, token: Token) -> str:
        identifier = self._free_id(actor_id_from_name(name))
        if identifier not in self.provisional:
            self.provisional[identifier] = Actor(
                identifier,
                name,
                "person",
                aliases=(name.split()[-1],) if len(name.split()) > 1 else (),
                country=self._country_near(token),
                is_provisional=True,
            )
        return identifier

    def _provisional_state(self, country: Country) -> str:
        identifier = self._free_id(actor_id_from_name(country.name))
        if identifier not in self.provisional:
            self.provisional[identifier] = Actor(
                identifier,
                country.name,
                "state",
                aliases=country.aliases,
                metonyms=country.capitals,
                is_provisional=True,
            )
        return identifier

    def provisional_anonymous(self, label: str, country: str | None) -> str:
        """A provisional anonymous source ("a Japanese diplomat") for a quote's speaker."""
        identifier = self._free_id(actor_id_from_name(label))
        if identifier not in self.provisional:
            self.provisional[identifier] = Actor(
                identifier, label, "anonymous", country=country, is_provisional=True
            )
        return identifier

    def _free_id(self, identifier: str) -> str:
        if identifier not in self.registry.actors and identifier not in self.registry.places:
            return identifier
        return identifier + "-provisional"

    def _country_near(self, token: Token) -> str | None:
        """The state named just before a person ("Japanese Prime Minister Fumio Kishida")."""
        doc = token.doc
        names = [
            ent.text
            for ent in doc.ents
            if ent.label_ in ("NORP", "GPE") and token.i - 5 <= ent.end <= token.i
        ]
        names += [
            doc[i].text
            for i in range(max(0, token.i - 4), token.i)
            if doc[i].text in ("US", "U.S.")
        ]
        for name in names:
            known = self.registry.find_actor(name)
            if known is not None and known.kind == "state":
                return known.id
            country = country_for(name)
            if country is not None:
                registered = self.registry.find_actor(country.name)
                return registered.id if registered else self._provisional_state(country)
        return None


TITLE_WORDS = lexicon.words("entities", "title_words")
NAME_PARTICLES = lexicon.words("entities", "name_particles")


def _titled_names(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of capitalised names right after a title word ("Chancellor Olaf Scholz")."""
    found = []
    for token in doc:
        if token.lower_ not in TITLE_WORDS or not token.text[:1].isupper():
            continue
        start = token.i + 1
        end = start
        while end < len(doc):
            word = doc[end]
            if word.text[:1].isupper() and word.is_alpha and word.lower_ not in TITLE_WORDS:
                end += 1
                continue
            after = end
            while after < len(doc) and doc[after].lower_ in NAME_PARTICLES:
                after += 1
            if after > end and after < len(doc) and doc[after].text[:1].isupper():
                end = after
                continue
            break
        names = doc[start:end]
        if end - start >= 2 and not any(country_for(t.text) for t in names):
            found.append((start, end))
    return found


def entity_index(registry: Registry) -> EntityIndex:
    """Phrase patterns for every registry name, alias and metonym (case-insensitive)."""
    nlp = load_nlp()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    tokenizer = nlp.tokenizer
    patterns: dict[str, set[str]] = {}
    for actor in registry.actors.values():
        names = {actor.label, *actor.aliases, *actor.metonyms}
        if actor.kind == "office":
            names |= {n for n in list(names) if not n.lower().startswith("the ")}
        patterns.setdefault(f"A:{actor.id}", set()).update(_variants(names))
    for place in registry.places.values():
        patterns.setdefault(f"P:{place.id}", set()).update(_variants({place.label, *place.aliases}))
    for key, names in patterns.items():
        docs = [tokenizer(n) for n in sorted(names) if n.strip()]
        matcher.add(key, docs)
    return EntityIndex(registry, matcher)


def _variants(names: Iterable[str]) -> set[str]:
    found = set()
    for name in names:
        found.add(name)
        if name.lower().startswith("the "):
            found.add(name[4:])
        if "’" in name:
            found.add(name.replace("’", "'"))
        if "'" in name:
            found.add(name.replace("'", "’"))
    return found


def counterpart_office(registry: Registry, office_id: str, state_id: str) -> str | None:
    """The office of ``state_id`` with the same title as ``office_id`` ("President of ...")."""
    office = registry.actors.get(office_id)
    if office is None:
        return None
    title = office.label.split(" of ")[0].strip().casefold()
    for candidate in registry.actors.values():
        if (
            candidate.kind == "office"
            and candidate.office_of == state_id
            and candidate.label.split(" of ")[0].strip().casefold() == title
        ):
            return candidate.id
    return None
