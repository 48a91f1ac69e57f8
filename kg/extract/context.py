"""What every pattern family needs to know about one parsed document: its mentions, dates and
quotations by token, evidence spans into the original text, and the resolution of a token to
actors (names, offices at a date, pronouns, "the two leaders", "his US counterpart").

One :class:`Context` per document; the families read it and add their findings in document
order (events first, so later facts can point at them).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from kg.extract.dates import DateMention, find_dates, resolve_date
from kg.extract.entities import (
    ANONYMOUS_NOUNS,
    EntityIndex,
    Mention,
    counterpart_office,
    country_for,
)
from kg.extract.syntax import Quote, clause_head, find_quotes, objects, subjects, trimmed
from kg.extract.topics import dominant_topic, find_topics, topics_or_fallback
from kg.records import DateValue, Document, Event, Span, Vocabulary
from kg.sources.cleaning import CleanText
from kg.sources.registry import Registry

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})
GROUP_PRONOUNS = frozenset({"they", "them", "their", "theirs", "themselves", "we", "our", "us"})
LEADER_NOUNS = frozenset({"leader", "president", "premier", "chancellor", "minister", "king"})
SIDE_NOUNS = frozenset(
    {
        "official",
        "counterpart",
        "delegation",
        "negotiator",
        "diplomat",
        "government",
        "side",
        "authority",
        "envoy",
    }
)
GROUP_NOUNS = {
    "leader": "person",
    "president": "person",
    "head": "person",
    "side": "state",
    "country": "state",
    "nation": "state",
    "party": "state",
    "government": "state",
    "power": "state",
    "superpower": "state",
    "man": "person",
    "woman": "person",
}


@dataclass(frozen=True, slots=True)
class Resolved:
    """A token resolved to an actor: the actor, the office it held, and how it was found."""

    actor: str
    office: str | None = None
    via: str = "name"


@dataclass(frozen=True, slots=True)
class UnresolvedDate:
    """A date expression that could not be read (no publication date, say), and why."""

    span: Span
    reason: str


@dataclass
class Context:
    """One parsed document and everything found in it so far."""

    document: Document
    cleaned: CleanText
    doc: Doc
    entities: EntityIndex
    vocabulary: Vocabulary
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    event_tokens: dict[str, int] = field(default_factory=dict)
    unresolved: list[UnresolvedDate] = field(default_factory=list)
    _token_mention: dict[int, Mention] = field(default_factory=dict)
    _token_date: dict[int, DateMention] = field(default_factory=dict)
    _quote_starts: list[int] = field(default_factory=list)
    _mention_starts: list[int] = field(default_factory=list)
    _dominant: str | None = None

    @classmethod
    def build(
        cls,
        document: Document,
        cleaned: CleanText,
        doc: Doc,
        entities: EntityIndex,
        vocabulary: Vocabulary,
    ) -> Context:
        """Index a parsed document: mentions, quotations and dates by token."""
        context = cls(document, cleaned, doc, entities, vocabulary)
        context.mentions = entities.mentions(doc)
        for mention in context.mentions:
            for i in range(mention.token_start, mention.token_end):
                context._token_mention[i] = mention
        context._mention_starts = [m.start for m in context.mentions]
        context.quotes = find_quotes(cleaned.masked)
        context._quote_starts = [q.start for q in context.quotes]
        context.dates = find_dates(cleaned.masked)
        for date in context.dates:
            span = doc.char_span(date.start, date.end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    context._token_date[token.i] = date
        return context

    @property
    def published(self) -> DateValue | None:
        return self.document.published

    def topics_for(self, *texts: str, use_document: bool = True) -> tuple[str, ...]:
        """Topics of the first text that has any; else the document's main topic; else the
        catch-all ``bilateral_relations``."""
        known = tuple(self.vocabulary.get("topic", ())) or None
        for text in texts:
            found = find_topics(text, known)
            if found:
                return found
        if not use_document:
            return topics_or_fallback([], known)
        if self._dominant is None:
            self._dominant = dominant_topic(self.cleaned.masked, known) or ""
        if self._dominant:
            return (self._dominant,)
        return topics_or_fallback([], known)

    @property
    def registry(self) -> Registry:
        return self.entities.registry

    # -- spans ----------------------------------------------------------------------------

    def span(self, start: int, end: int) -> Span:
        """An evidence span of the original document text."""
        return Span(self.document.id, start, end, self.document.text[start:end])

    def sentence_span(self, sentence: TokenSpan) -> Span:
        """The evidence span of a sentence, without surrounding whitespace."""
        start, end = trimmed(sentence)
        return self.span(start, end)

    # -- quotations -----------------------------------------------------------------------

    def quote_at(self, char: int) -> Quote | None:
        """The quotation containing a character offset, if any."""
        index = bisect.bisect_right(self._quote_starts, char) - 1
        if index >= 0:
            quote = self.quotes[index]
            if quote.start <= char < quote.end:
                return quote
        return None

    def in_quote(self, token: Token) -> bool:
        """Whether a token lies inside a quotation (reported words, not the reporter's)."""
        return self.quote_at(token.idx) is not None

    def is_quoted_speech(self, token: Token) -> bool:
        """Whether a word belongs to someone's quoted words rather than the reporter's: it
        lies in a quotation together with its subject. "Biden said he “expects no
        interference”" is the reporter's sentence with a quoted fragment; it is not."""
        quote = self.quote_at(token.idx)
        if quote is None:
            return False
        found = subjects(token) if token.pos_ in ("VERB", "AUX") else []
        if not found:
            return True
        return any(self.quote_at(s.idx) is quote for s in found)

    def paragraph_of(self, char: int) -> int:
        """The index of the paragraph (blank-line separated block) a character lies in."""
        return self.document.text.count("\n\n", 0, char)

    # -- dates ----------------------------------------------------------------------------

    def date_of(self, token: Token) -> DateMention | None:
        """The date expression a token belongs to."""
        return self._token_date.get(token.i)

    def date_for(
        self, trigger: Token, future: bool, sentence: TokenSpan
    ) -> tuple[DateValue | None, DateMention | None]:
        """The date of the clause a trigger word stands in, read against publication.

        Prefers a date in the trigger's own clause (nearest first), then a "when" clause's
        antecedent ("since 2017, when he met ..."), then the clauses it is coordinated with
        or controlled by (never a reporting clause: "CNN reported in January that ...").
        """
        mention = self._clause_date(trigger, sentence)
        if mention is None:
            return None, None
        resolved = resolve_date(mention, self.published, future)
        if resolved.value is None and resolved.unresolved:
            self.unresolved.append(
                UnresolvedDate(self.span(mention.start, mention.end), resolved.unresolved)
            )
        return resolved.value, mention

    def _clause_date(self, trigger: Token, sentence: TokenSpan) -> DateMention | None:
        head = clause_head(trigger)
        if head.dep_ == "relcl" and head.head.i in self._token_date:
            return self._token_date[head.head.i]
        if trigger.dep_ == "relcl" and trigger.head.i in self._token_date:
            return self._token_date[trigger.head.i]
        candidates: dict[int, tuple[int, DateMention]] = {}
        for token in sentence:
            date = self._token_date.get(token.i)
            if date is None or self.in_quote(token) and not self.in_quote(trigger):
                continue
            if _is_bound(self.doc, date):
                continue
            own = clause_head(token)
            if (
                own == head
                or (token.head == trigger and token.dep_ != "relcl")
                or (own.dep_ in ("relcl", "acl") and own.head == trigger and trigger.pos_ == "NOUN")
            ):
                distance = abs(token.i - trigger.i)
                best = candidates.get(id(date))
                if best is None or distance < best[0]:
                    candidates[id(date)] = (distance, date)
        if candidates:
            return min(candidates.values(), key=lambda pair: pair[0])[1]
        current = head
        for _ in range(4):
            if current.dep_ not in ("xcomp", "conj", "advcl", "acl", "pcomp", "prep"):
                break
            current = clause_head(current.head)
            for token in sentence:
                date = self._token_date.get(token.i)
                if date is not None and clause_head(token) == current and not self.in_quote(token):
                    return date
        return None

    # -- actors ---------------------------------------------------------------------------

    def mention_of(self, token: Token) -> Mention | None:
        """The name mention covering a token."""
        return self._token_mention.get(token.i)

    def when(self, date: DateValue | None) -> DateValue | None:
        """The date to resolve offices at: the fact's own date, else the publication date."""
        return date or self.published

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
                clause = self._clause_group(token, when)
                if clause:
                    return clause
                return [self._office_or_actor(a, when) for a in self.last_group(token, "person")]
            return []
        lemma = token.lemma_.lower()
        if lemma == "counterpart" and any(c.dep_ == "poss" for c in token.children):
            return self._counterpart(token, when)
        if lemma in LEADER_NOUNS or lemma in SIDE_NOUNS:
            found = self._national(token, lemma, when)
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

    def _clause_group(self, token: Token, when: DateValue | None) -> list[Resolved]:
        """ "Biden and Xi had their last call": "their" is the clause's plural subject."""
        head = clause_head(token)
        if head.pos_ not in ("VERB", "AUX"):
            return []
        found: list[Resolved] = []
        for subject in subjects(head):
            if subject.i == token.i or subject.pos_ == "PRON":
                return []
            found.extend(self.resolve(subject, when))
        if len({f.actor for f in found}) < 2 and token.i < head.i:
            # "During their meeting, Xi assured Biden ...": the clause's subject and object
            for other in objects(head):
                if other.i != token.i and other.pos_ != "PRON":
                    found.extend(self.resolve(other, when))
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

    def _counterpart(self, token: Token, when: DateValue | None) -> list[Resolved]:
        owner_token = next((c for c in token.children if c.dep_ == "poss"), None)
        state_token = next(
            (c for c in token.children if c.dep_ in ("compound", "amod", "nmod")), None
        )
        if owner_token is None or state_token is None:
            return []
        owners = self.resolve(owner_token, when)
        states = self.resolve(state_token, when, allow_places=True)
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

    def _national(self, token: Token, lemma: str, when: DateValue | None) -> list[Resolved]:
        """ "The Russian leader" -> the person of that state named last; "North Korean
        officials", "Chinese counterparts" -> the state itself."""
        state = None
        for child in token.children:
            if child.dep_ in ("amod", "compound", "nmod", "poss") and child.i < token.i:
                for actor in self.resolve(child, when, allow_places=True):
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


_NUMBERS = {"two": "2", "three": "3", "four": "4", "five": "5", "2": "2", "3": "3", "4": "4"}


def _is_bound(doc: Doc, date: DateMention) -> bool:
    """A date that bounds rather than dates a fact: "since 2017", "until March"."""
    before = doc.text[max(0, date.start - 8) : date.start].lower().split()
    return bool(before) and before[-1] in ("since", "until", "till", "before", "after", "by")


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


def event_for(context: Context, sentence: TokenSpan, actor_ids: Iterable[str]) -> Event | None:
    """The event a fact in this sentence belongs to: one reported in the same sentence with
    one of the fact's actors, else the latest held event before it with one of them."""
    wanted = set(actor_ids)
    if not wanted:
        return None
    start, end = sentence.start_char, sentence.end_char
    best: tuple[tuple[int, int, int, int], Event] | None = None
    for event in context.events:
        parties = set(event.actor_ids) | {p.represents for p in event.participants if p.represents}
        shared = wanted & parties
        if not shared:
            continue
        if event.type == "summit" and not event.participants:
            continue
        positions = [s.start for s in event.evidence]
        in_sentence = any(start <= p < end for p in positions)
        earlier = [p for p in positions if p < start]
        if not in_sentence and (not earlier or event.status != "held"):
            continue
        score = (
            len(shared),
            int(in_sentence),
            int(context.is_recent(event)),
            max(earlier or positions),
        )
        if best is None or score > best[0]:
            best = (score, event)
    return best[1] if best else None
