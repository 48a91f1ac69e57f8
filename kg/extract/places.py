"""Where an event took place: the most specific place a clause names (a venue, a city, "the
capital", a state's territory), read against the registry's place hierarchy."""

from __future__ import annotations

from spacy.tokens import Token

from kg.extract import lexicon
from kg.extract.context import Context
from kg.extract.coreference import Resolved
from kg.extract.syntax import clause_head, objects, prep_objects

EVENT_NOUNS = lexicon.table("events", "event_nouns")

PLACE_NOUNS = lexicon.words("events", "place_nouns")
ARRIVAL_VERBS = lexicon.words("events", "arrival_verbs")


def location(context: Context, token: Token, kind: str) -> tuple[str | None, Resolved | None]:
    """The most specific place named for the event, and for a visit the state visited."""
    registry = context.registry
    places: list[str] = []
    host: Resolved | None = None
    heads = [token]
    verb = clause_head(token)
    if verb != token:
        heads.append(verb)
    candidates: list[Token] = []
    for head in heads:
        candidates += prep_objects(head, "in", "at", "on")
    if token.pos_ == "VERB" or token.dep_ in ("dobj", "attr", "nsubj", "nsubjpass"):
        for word in verb.subtree:
            if (
                word.dep_ == "pobj"
                and word.head.lower_ in ("in", "at")
                and clause_head(word) == verb
            ):
                if word not in candidates and not inside_other_noun(word, token):
                    candidates.append(word)
    if kind == "visit":
        for place, visited in _destinations(context, token):
            if place:
                places.append(place)
            if visited is not None and host is None:
                host = visited
    for candidate in candidates:
        mention = context.mention_of(candidate)
        if mention is None and candidate.lemma_ in PLACE_NOUNS and prep_objects(candidate, "of"):
            mention = context.mention_of(prep_objects(candidate, "of")[0])
        if mention is not None and mention.place:
            places.append(mention.place)
            for extra in candidate.children:
                other = context.mention_of(extra)
                if extra.dep_ in ("appos", "conj") and other is not None and other.place:
                    places.append(other.place)
    if kind == "visit" and host is None and places:
        state = state_of_place(context, places[0])
        host = Resolved(state) if state else None
    if not places:
        return None, host
    known = [p for p in places if p in registry.places]
    if not known:
        return places[0], host
    return most_specific(context, known), host


def destination_tokens(token: Token) -> list[Token]:
    """Where a trigger of a visit goes: "to"/"onto" objects, also after a particle ("went on
    to Tonga", "flew back to Lima"), a verb's objects ("visited Hanoi"), and "in"/"at" after
    a verb of arriving ("arrived in Lima")."""
    found = prep_objects(token, "to", "onto")
    if token.pos_ == "VERB":
        found += objects(token)
    for particle in token.children:
        if particle.dep_ in ("prt", "prep", "advmod") and particle.lower_ in ("on", "back"):
            found += prep_objects(particle, "to")
    if token.lemma_ in ARRIVAL_VERBS:
        found += prep_objects(token, "in", "at")
    return found


def visited_states(context: Context, token: Token) -> list[Resolved]:
    """Each state a visit's trigger names as a destination, in order ("traveled to Cabo
    Verde, Nigeria and Angola": three)."""
    states: list[Resolved] = []
    for _, state in _destinations(context, token):
        if state is not None and state.actor not in {s.actor for s in states}:
            states.append(state)
    return states


def _destinations(context: Context, token: Token) -> list[tuple[str | None, Resolved | None]]:
    """Per destination of a visit's trigger: the place it names and the state it lies in."""
    found: list[tuple[str | None, Resolved | None]] = []
    for candidate in destination_tokens(token):
        mention = context.mention_of(candidate)
        if mention is None and candidate.lemma_ in PLACE_NOUNS:
            # "the southern city of Guangzhou"
            named = prep_objects(candidate, "of")
            mention = context.mention_of(named[0]) if named else None
        if mention is None:
            capital = capital_of(context, candidate)
            found.append((None, Resolved(capital) if capital is not None else None))
            continue
        actor = context.entities.actor(mention.actor) if mention.actor else None
        if actor is not None and actor.kind == "state":
            found.append((mention.place, Resolved(actor.id)))
        elif mention.place:
            state = state_of_place(context, mention.place)
            found.append((mention.place, Resolved(state) if state else None))
        else:
            found.append((None, None))
    return found


def capital_of(context: Context, token: Token) -> str | None:
    """ "The North Korean capital" -> the state whose capital it is."""
    if token.lemma_ != "capital":
        return None
    for child in token.children:
        if child.dep_ in ("amod", "compound", "poss"):
            for actor in context.resolve(child, None, allow_places=True):
                entity = context.entities.actor(actor.actor)
                if entity is not None and entity.kind == "state":
                    return entity.id
    return None


def inside_other_noun(word: Token, trigger: Token) -> bool:
    """Whether a place hangs off another event noun ("during the APEC summit in Lima")."""
    current = word.head
    for _ in range(4):
        if current.i == trigger.i or current.pos_ in ("VERB", "AUX"):
            return False
        if current.pos_ == "NOUN" and current.lemma_ in EVENT_NOUNS:
            return True
        current = current.head
    return False


def most_specific(context: Context, places: list[str]) -> str:
    registry = context.registry
    chains = {p: [p, *registry.place_ancestors(p)] for p in places}
    deepest = max(places, key=lambda p: len(chains[p]))
    if all(p in chains[deepest] for p in places):
        return deepest
    common = [p for p in chains[deepest] if all(p in chains[q] for q in places)]
    return common[0] if common else deepest


def state_of(context: Context, actor_id: str) -> str | None:
    actor = context.entities.actor(actor_id)
    if actor is None:
        return None
    return actor.id if actor.kind == "state" else actor.country


def state_of_place(context: Context, place_id: str) -> str | None:
    registry = context.registry
    if place_id not in registry.places:
        label = context.entities.provisional_places.get(place_id)
        found = registry.find_actor(label.label) if label else None
        return found.id if found is not None and found.kind == "state" else None
    chain = [place_id, *registry.place_ancestors(place_id)]
    top = registry.places[chain[-1]]
    for name in (top.label, *top.aliases):
        actor = registry.find_actor(name)
        if actor is not None and actor.kind == "state":
            return actor.id
    return None


def ancestors(context: Context, place: str) -> list[str]:
    if place not in context.registry.places:
        return []
    return context.registry.place_ancestors(place)
