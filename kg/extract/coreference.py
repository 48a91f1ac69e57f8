"""Who a word is: the registry actor (or office, or anonymous source) behind a name, a title
("the Chinese president"), a pronoun ("he", "they"), a group ("the two leaders", "both
sides") or a counterpart ("his US counterpart"), at the date of its clause. A mixin of
:class:`kg.extract.context.Context`, which holds the parsed document it reads."""

from __future__ import annotations

import bisect
from collections.abc import Generator, Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from kg.extract import lexicon
from kg.extract.entities import (
    ANONYMOUS_NOUNS,
    EntityIndex,
    Mention,
    counterpart_office,
    country_for,
)
from kg.extract.syntax import clause_head, objects, subjects
from kg.records import DateValue, Document, Event
from kg.sources.cleaning import CleanText
from kg.sources.registry import Registry

PERSON_PRONOUNS = lexicon.words("context", "person_pronouns")
GROUP_PRONOUNS = lexicon.words("context", "group_pronouns")
LEADER_NOUNS = lexicon.words("context", "leader_nouns")
SIDE_NOUNS = lexicon.words("context", "side_nouns")
GROUP_NOUNS = lexicon.table("context", "group_nouns")
_NUMBERS = lexicon.table("context", "numbers")


@dataclass(frozen=True, slots=True)
class Resolved:
    """A token resolved to an actor: the actor, the office it held, and how it was found."""

    actor: str
    office: str | None = None
    via: str = "name"


_Walk = Generator[tuple[Token, bool], list[Resolved], list[Resolved]]
"""One token's resolution, as a generator: it yields each token it needs resolved first (with
whether places count as actors there) and is sent back that token's actors; it returns its own."""


class ActorResolution:
    """Resolution of actors in one parsed document (the fields are :class:`Context`'s)."""

    document: Document
    doc: Doc
    entities: EntityIndex
    mentions: list[Mention]
    events: list[Event]
    event_tokens: dict[str, int]
    _token_mention: dict[int, Mention]
    _mention_starts: list[int]
    cleaned: CleanText

    def when(self, date: DateValue | None) -> DateValue | None:
        """The date to resolve offices at: the fact's own date, else the publication date."""
        return date or self.published

    @property
    def published(self) -> DateValue | None:
        return self.document.published

    @property
    def registry(self) -> Registry:
        return self.entities.registry

    def mention_of(self, token: Token) -> Mention | None:
        """The name mention covering a token."""
        return self._token_mention.get(token.i)

    def resolve(
        self, token: Token, date: DateValue | None, *, allow_places: bool = False
    ) -> list[Resolved]:
        """The actors a token denotes (several for "the two leaders" or "they").

        Names go through the registry (an office to its holder at ``date``, else the office
        itself); personal pronouns to the person named last (the nearest subject in the same
        sentence first); "they", "both sides", "the two leaders" to the last pair of
        participants; "his US counterpart" to the holder of the matching office.
        """
        when = self.when(date)
        # The walks call for other tokens' actors ("their" -> the clause's subjects; "the
        # Russian leader" -> "Russian"), tokens that call for others in turn: an explicit stack
        # of walks, not recursion, so a long chain of nested clauses cannot exhaust Python's
        # stack; a token asked for again while its own walk is on the stack is a cycle ("their
        # leaders": "their" -> the subject "leaders" -> "their") and has no actors there; a
        # token already resolved in this call is not walked again.
        done: dict[tuple[int, bool], list[Resolved]] = {}
        active = {token.i}
        stack: list[tuple[tuple[int, bool], _Walk]] = [
            ((token.i, allow_places), self._resolve_walk(token, when, allow_places))
        ]
        answer: list[Resolved] | None = None
        while True:
            key, walk = stack[-1]
            try:
                request = next(walk) if answer is None else walk.send(answer)
            except StopIteration as finished:
                stack.pop()
                active.discard(key[0])
                result: list[Resolved] = finished.value
                done[key] = answer = result
                if not stack:
                    return result
                continue
            other, places = request
            answer = done.get((other.i, places))
            if answer is None and other.i in active:
                answer = []
            elif answer is None:
                active.add(other.i)
                stack.append(((other.i, places), self._resolve_walk(other, when, places)))

    def _resolve_walk(self, token: Token, when: DateValue | None, allow_places: bool) -> _Walk:
        mention = self.mention_of(token)
        if mention is not None:
            if mention.actor is None:
                return []
            if not allow_places and mention.place is not None and _is_locative(token):
                return []
            return [self._office_or_actor(mention.actor, when)]
        lower = token.lower_
        if token.pos_ == "PRON" or token.tag_ in ("PRP", "PRP$"):
            if lower in PERSON_PRONOUNS:
                person = self.last_person(token)
                return [self._office_or_actor(person, when)] if person else []
            if lower in GROUP_PRONOUNS:
                clause = yield from self._clause_group(token)
                if clause:
                    return clause
                return [self._office_or_actor(a, when) for a in self.last_group(token, "person")]
            return []
        lemma = token.lemma_.lower()
        if lemma == "counterpart" and any(c.dep_ == "poss" for c in token.children):
            return (yield from self._counterpart(token, when))
        if lemma in LEADER_NOUNS or lemma in SIDE_NOUNS:
            found = yield from self._national(token, lemma, when)
            if found:
                return found
        if lemma in GROUP_NOUNS and self._is_pair(token):
            return [
                self._office_or_actor(a, when) for a in self.last_group(token, GROUP_NOUNS[lemma])
            ]
        if lemma in ANONYMOUS_NOUNS and token.tag_ == "NN":
            return self._anonymous(token)
        return []

    def resolve_all(
        self, tokens: Iterable[Token], date: DateValue | None, *, allow_places: bool = False
    ) -> list[Resolved]:
        """Resolve several tokens; each actor once, in order."""
        seen: dict[str, Resolved] = {}
        for token in tokens:
            for found in self.resolve(token, date, allow_places=allow_places):
                seen.setdefault(found.actor, found)
        return list(seen.values())

    def _clause_group(self, token: Token) -> _Walk:
        """ "Biden and Xi had their last call": "their" is the clause's plural subject."""
        head = clause_head(token)
        if head.pos_ not in ("VERB", "AUX"):
            return []
        found: list[Resolved] = []
        for subject in subjects(head):
            if subject.i == token.i or subject.pos_ == "PRON":
                return []
            found.extend((yield subject, False))
        if len({f.actor for f in found}) < 2 and token.i < head.i:
            # "During their meeting, Xi assured Biden ...": the clause's subject and object
            for other in objects(head):
                if other.i != token.i and other.pos_ != "PRON":
                    found.extend((yield other, False))
        return found if len({f.actor for f in found}) >= 2 else []

    def _office_or_actor(self, actor_id: str, when: DateValue | None) -> Resolved:
        actor = self.entities.actor(actor_id)
        if actor is not None and actor.kind == "office":
            holder = self.registry.office_holder(actor_id, when)
            if holder is not None:
                return Resolved(holder.id, actor_id, "office")
            return Resolved(actor_id, None, "office")
        office = None
        if actor is not None and actor.kind == "person" and not actor.is_provisional:
            office = self.registry.office_at(actor_id, when)
        return Resolved(actor_id, office)

    def _is_pair(self, token: Token) -> bool:
        if token.tag_ not in ("NNS", "NNPS") and token.lemma_ != "both":
            return False
        return any(
            c.lower_ in ("two", "both", "the") and c.dep_ in ("nummod", "det", "predet")
            for c in token.children
        )

    def person_mentions_before(self, char: int) -> list[Mention]:
        """Person mentions (registry or provisional) before a character offset, nearest last."""
        index = bisect.bisect_left(self._mention_starts, char)
        found = []
        for mention in self.mentions[:index]:
            actor = self.entities.actor(mention.actor) if mention.actor else None
            if actor is None:
                continue
            if actor.kind == "person" or (
                actor.kind == "office" and self.registry.office_holder(actor.id, self.published)
            ):
                if self.cleaned.is_noise(mention.start, mention.end):
                    continue
                found.append(mention)
        return found

    def last_person(self, token: Token) -> str | None:
        """The person a personal pronoun refers to: the nearest subject before it in its
        sentence, else the nearest person there, else the last person before the sentence
        (subjects first)."""
        sentence = token.sent
        before = self.person_mentions_before(token.idx)
        in_sentence = [m for m in before if m.start >= sentence.start_char]
        previous_start = self.doc[sentence.start - 1].sent.start_char if sentence.start else 0
        in_previous = [m for m in before if previous_start <= m.start < sentence.start_char]
        for group in (
            [m for m in in_sentence if self._is_subject(m)],
            in_sentence,
            [m for m in in_previous if self._is_subject(m)],
            in_previous,
            [m for m in before[-6:] if self._is_subject(m)],
            before,
        ):
            if group:
                return self._person_id(group[-1])
        return None

    def _person_id(self, mention: Mention) -> str:
        actor = self.entities.actor(mention.actor or "")
        if actor is not None and actor.kind == "office":
            holder = self.registry.office_holder(actor.id, self.published)
            if holder is not None:
                return holder.id
        return mention.actor or ""

    def _is_subject(self, mention: Mention) -> bool:
        token = self.doc[mention.token_end - 1]
        return token.dep_ in ("nsubj", "nsubjpass") or (
            token.dep_ == "conj" and token.head.dep_ in ("nsubj", "nsubjpass")
        )

    def last_group(self, token: Token, kind: str) -> list[str]:
        size = next(
            (
                int(n)
                for c in token.children
                if c.dep_ == "nummod"
                for n in [_NUMBERS.get(c.lower_, "0")]
            ),
            0,
        )
        return self._last_group(token, kind, size)

    def _last_group(self, token: Token, kind: str, size: int) -> list[str]:
        """The actors "they" or "the two leaders" refer to: the people of the last event with
        two or more of them before the token, else the last two people named. For "both
        sides" / "the two countries", the states those people stand for."""
        people: list[str] = []
        best: tuple[int, int, int, int] | None = None
        for event in self.events:
            position = self.event_tokens.get(event.key, -1)
            persons = [
                p.actor
                for p in event.participants
                if (a := self.entities.actor(p.actor)) is not None and a.kind == "person"
            ]
            if len(persons) < 2 or position >= token.i:
                continue
            score = (
                int(size == 0 or len(persons) == size),
                int(self.is_recent(event)),
                len(event.evidence),
                position,
            )
            if best is None or score > best:
                best, people = score, persons
        if not people:
            seen: list[str] = []
            for mention in reversed(self.person_mentions_before(token.idx)):
                person = self._person_id(mention)
                if person not in seen:
                    seen.append(person)
                if len(seen) == 2:
                    break
            people = list(reversed(seen)) if len(seen) == 2 else []
        if kind == "state":
            states = []
            for person in people:
                actor = self.entities.actor(person)
                state = actor.country if actor is not None else None
                if state and state not in states:
                    states.append(state)
            return states
        return people

    def is_recent(self, event: Event) -> bool:
        """Whether an event is news at publication (not background): dated within about
        two months before publication, or undated, or planned."""
        if event.status == "planned" or event.date is None or self.published is None:
            return True
        return (self.published.earliest - event.date.latest).days <= 62

    def _counterpart(self, token: Token, when: DateValue | None) -> _Walk:
        owner_token = next((c for c in token.children if c.dep_ == "poss"), None)
        state_token = next(
            (c for c in token.children if c.dep_ in ("compound", "amod", "nmod")), None
        )
        if owner_token is None or state_token is None:
            return []
        owners = yield owner_token, False
        states = yield state_token, True
        if not states:
            country = country_for(state_token.text)
            known = self.registry.find_actor(country.name) if country else None
            states = [Resolved(known.id)] if known else []
        if len(owners) != 1 or len(states) != 1:
            return []
        owner_office = owners[0].office or self.registry.office_at(owners[0].actor, when)
        if owner_office is None:
            return []
        office = counterpart_office(self.registry, owner_office, states[0].actor)
        if office is None:
            return []
        return [self._office_or_actor(office, when)]

    def _national(self, token: Token, lemma: str, when: DateValue | None) -> _Walk:
        """ "The Russian leader" -> the person of that state named last; "North Korean
        officials", "Chinese counterparts" -> the state itself."""
        state = None
        for child in token.children:
            if child.dep_ in ("amod", "compound", "nmod", "poss") and child.i < token.i:
                for actor in (yield child, True):
                    entity = self.entities.actor(actor.actor)
                    if entity is not None and entity.kind == "state":
                        state = entity.id
        if state is None:
            return []
        plural = token.tag_ in ("NNS", "NNPS")
        if lemma in SIDE_NOUNS and (plural or lemma in ("government", "side", "delegation")):
            return [Resolved(state, via="national")]
        if lemma in LEADER_NOUNS and not plural:
            if not any(c.dep_ == "det" and c.lower_ == "the" for c in token.children):
                return []
            for mention in reversed(self.person_mentions_before(token.idx)):
                person = self.entities.actor(self._person_id(mention))
                if person is not None and person.country == state:
                    return [self._office_or_actor(person.id, when)]
        return []

    def _anonymous(self, token: Token) -> list[Resolved]:
        determiners = [c for c in token.children if c.dep_ == "det"]
        if not determiners or any(c.dep_ == "appos" for c in token.children):
            return []
        if any(c.dep_ == "nummod" for c in token.children):
            return []
        words = [t for t in token.subtree if t.i <= token.i and t.dep_ != "det"]
        label = " ".join(t.text for t in words)
        known = self.registry.find_actor(" ".join(t.text for t in token.subtree if t.i <= token.i))
        if known is not None:
            return [Resolved(known.id)]
        known = self.registry.find_actor(label)
        if known is not None:
            return [Resolved(known.id)]
        country = None
        for word in words:
            mention = self.mention_of(word)
            if mention is not None and mention.actor is not None:
                actor = self.entities.actor(mention.actor)
                if actor is not None and actor.kind == "state":
                    country = actor.id
        return [Resolved(self.entities.provisional_anonymous(label, country), via="anonymous")]


def _is_locative(token: Token) -> bool:
    """Whether a place-like name stands as a location ("in Beijing"), not as an actor."""
    head = token
    while head.dep_ in ("compound", "conj", "appos") and head.head != head:
        head = head.head
    return head.dep_ == "pobj" and head.head.lower_ in (
        "in",
        "at",
        "near",
        "outside",
        "inside",
        "across",
        "around",
        "into",
        "through",
    )
