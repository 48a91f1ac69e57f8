"""Events: meetings, summits, phone and video calls, visits and talks, held or planned.

Patterns over the parse: a trigger word (``met``, ``meeting``, ``summit``, ``talks``,
``phone call``, ``phoned``, ``spoke by phone``, ``video call``, ``visit``, ``trip to``,
``travel to``, ``hosted``, ``sat down with``) and the participants its grammar names (subject,
object, ``with``/``between`` objects, possessor, the subject of a light verb: "had a call
with", "participate in a call with"). Visits name a visitor and the state visited (its host).
Each event gets the date of its clause, the most specific place named ("in"/"at"), and a
status: planned when the clause speaks of the future or the date lies after publication.
Several mentions of the same event in one document are merged, keeping every evidence span.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from spacy.tokens import Span as TokenSpan
from spacy.tokens import Token

from kg.extract import lexicon, places
from kg.extract.context import Context
from kg.extract.coreference import Resolved
from kg.extract.syntax import (
    agents,
    clause_head,
    conjuncts,
    is_future,
    is_negated,
    objects,
    prep_objects,
    sentences,
    subjects,
)
from kg.extract.timing import date_from_context, is_container, own_date
from kg.records import DateValue, Event, Participation, Span
from kg.resolve.rules import MEETING_TYPES, same_event

EVENT_NOUNS = lexicon.table("events", "event_nouns")
EVENT_VERBS = lexicon.table("events", "event_verbs")
LIGHT_VERBS = lexicon.words("events", "light_verbs")
PHONE_WORDS = lexicon.words("events", "phone_words")
VIDEO_WORDS = lexicon.words("events", "video_words")
PLURAL_NOUNS = lexicon.words("events", "plural_nouns")
SPEECH_VERBS = lexicon.words("events", "speech_verbs")
COPRESENCE_WORDS = lexicon.words("events", "copresence_words")
MOTION_VERBS = lexicon.words("events", "motion_verbs")
MIN_PARTICIPANTS = {"meeting": 2, "talks": 2, "phone_call": 2, "video_call": 2, "summit": 0}


@dataclasses.dataclass
class _Draft:
    trigger: Token
    type: str
    participants: list[tuple[Resolved, str]]
    date: DateValue | None
    vague: bool
    status: str
    location: str | None
    name: str | None
    rule: str
    container: bool = False


def extract_events(context: Context) -> list[Event]:
    """Every event the document reports, merged per event, in order of first mention; then
    the visits its meetings abroad imply, where the document reports no visit of theirs."""
    implied: list[tuple[_Draft, TokenSpan]] = []
    for sentence in context.deadline.each(sentences(context.doc)):
        if context.cleaned.is_noise(sentence.start_char, sentence.end_char):
            continue
        for token in context.deadline.each(sentence):
            if context.cleaned.is_noise(token.idx, token.idx + len(token.text)):
                continue
            found = _event_at(context, token, sentence)
            if found is None:
                continue
            for draft in _separately(context, found):
                _finish(context, draft, sentence)
                visit = _implied_visit(context, draft)
                if visit is not None:
                    implied.append((visit, sentence))
    for visit, sentence in implied:
        if not _is_visit_reported(context, visit):
            _add(context, _to_event(context, visit, sentence), visit.trigger.i)
    return list(context.events)


def _is_visit_reported(context: Context, visit: _Draft) -> bool:
    """Whether the document reports a visit by these people to this state (on any day: a
    meeting on the third day of a visit is part of it)."""
    people = frozenset(p.actor for p, _ in visit.participants)
    return any(e.type == "visit" and e.actor_ids == people for e in context.events)


def _finish(context: Context, draft: _Draft, sentence: TokenSpan) -> None:
    """Date an event from its context if its clause has none, and add it."""
    if draft.date is None and draft.status == "held" and not draft.container:
        people = {p.actor for p, _ in draft.participants}
        draft.date = date_from_context(context, draft.trigger, people, sentence, tight=True)
        if draft.date is None and not _known(context, draft):
            draft.date = date_from_context(context, draft.trigger, people, sentence, tight=False)
    if draft.status == "planned" and draft.date is not None and context.published:
        if draft.date.latest < context.published.earliest:
            draft.date = None
    event = _to_event(context, draft, sentence)
    _add(context, event, draft.trigger.i)


def _implied_visit(context: Context, draft: _Draft) -> _Draft | None:
    """A meeting held in the country of one side, whose subject comes from another, is the
    subject's visit there ("In San José on Tuesday, Rubio met President Chaves"; "travelled
    to Ankara, where he met Erdoğan"): a visit by them to that state, on the meeting's day.
    The traveller is the subject, and the subject alone ("Biden met Xi in Woodside", "Biden
    and Xi sat down in Woodside" tell of a meeting, not of who travelled where), and the
    meeting is dated to the day: the stops of a trip are told day by day, while "the two
    last met in Moscow in 2011" recalls a meeting, not a visit."""
    if draft.type not in MEETING_TYPES or draft.location is None:
        return None
    if draft.date is None or draft.date.precision != "day":
        return None
    host = places.state_of_place(context, draft.location)
    if host is None:
        return None
    states = {p.actor: places.state_of(context, p.actor) for p, _ in draft.participants}
    if host not in states.values():
        return None
    side = {r.actor for r in context.resolve_all(subjects(clause_head(draft.trigger)), draft.date)}
    if any(states.get(actor) == host for actor in side):
        return None
    visitors = [
        (p, "visitor")
        for p, _ in draft.participants
        if p.actor in side
        and states[p.actor] not in (None, host)
        and (actor := context.entities.actor(p.actor)) is not None
        and actor.kind in ("person", "office")
    ]
    if not visitors:
        return None
    participants = [*visitors, (Resolved(host), "host")]
    return dataclasses.replace(
        draft, type="visit", participants=participants, name=None, rule="event.implied.visit"
    )


def _separately(context: Context, draft: _Draft) -> list[_Draft]:
    """One event per counterpart when the text says the meetings were separate ("held
    separate talks with A and B", "met A and B separately", "talks with A and with B"): the
    subject's side meets each of the others; one visit per state a trip goes to; otherwise
    the event as found."""
    verb = clause_head(draft.trigger)
    if draft.type == "visit":
        return _per_destination(context, draft)
    if not _is_separate(draft.trigger, verb):
        return [draft]
    side = {r.actor for r in context.resolve_all(subjects(verb), draft.date)}
    ours = [(p, role) for p, role in draft.participants if p.actor in side]
    others = [(p, role) for p, role in draft.participants if p.actor not in side]
    if not ours or len(others) < 2:
        return [draft]
    return [dataclasses.replace(draft, participants=[*ours, other]) for other in others]


def _per_destination(context: Context, draft: _Draft) -> list[_Draft]:
    """One visit per state a trip names as its destinations ("traveled to Cabo Verde, Nigeria
    and Angola", "went on to Tonga and Vanuatu"): the same visitors, each state its host."""
    states = places.visited_states(context, draft.trigger)
    if len(states) < 2:
        return [draft]
    visitors = [(p, role) for p, role in draft.participants if role != "host"]
    return [
        dataclasses.replace(draft, participants=[*visitors, (state, "host")], location=None)
        for state in states
        if state.actor not in {places.state_of(context, p.actor) for p, _ in visitors}
    ] or [draft]


def _is_separate(token: Token, verb: Token) -> bool:
    words = {c.lower_ for c in (*token.children, *verb.children)}
    if words & SEPARATE_WORDS - {"bilateral"} or (token.tag_ == "NNS" and words & SEPARATE_WORDS):
        return True
    return any(  # a repeated preposition: "with A and with B"
        c.dep_ == "prep" and any(g.dep_ == "conj" and g.lower_ == c.lower_ for g in c.children)
        for c in (*token.children, *verb.children)
    )


def _known(context: Context, draft: _Draft) -> bool:
    """Whether an event of this type with these participants is already reported (an undated
    mention then refers back to it: "after the meeting with the Chinese president")."""
    people = frozenset(p.actor for p, _ in draft.participants)
    return any(
        e.actor_ids == people and (e.type == draft.type or {e.type, draft.type} <= MEETING_TYPES)
        for e in context.events
    )


FREQUENCY_WORDS = lexicon.words("events", "frequency_words")
SUMMIT_VERBS = lexicon.words("events", "summit_verbs")
HOSTING_VERBS = lexicon.words("events", "hosting_verbs")
SEPARATE_WORDS = lexicon.words("events", "separate_words")


def _is_repeated(token: Token) -> bool:
    """ "Have met several times", "meet regularly": many events, none in particular."""
    verb = clause_head(token)
    for word in (*token.children, *verb.children):
        if word.lower_ in FREQUENCY_WORDS:
            return True
        if word.lemma_ == "time" and any(
            c.lower_ in FREQUENCY_WORDS | {"two", "three"} for c in word.children
        ):
            return True
    return False


def _event_type(token: Token) -> str | None:
    lemma = token.lemma_.lower()
    lower = token.lower_
    if token.pos_ in ("NOUN", "PROPN") and (lemma in EVENT_NOUNS or lower in EVENT_NOUNS):
        kind = EVENT_NOUNS.get(lower) or EVENT_NOUNS[lemma]
        modifiers = {c.lower_ for c in token.children if c.dep_ in ("compound", "amod")}
        modifiers |= {t.lower_ for c in token.children if c.dep_ == "compound" for t in c.subtree}
        if modifiers & VIDEO_WORDS or (lemma == "conference" and "video" in modifiers):
            return "video_call"
        if lemma == "conversation" and not modifiers & PHONE_WORDS:
            return None
        if lemma == "call":
            if modifiers & PHONE_WORDS:
                return "phone_call"
            preps = {c.lower_ for c in token.children if c.dep_ == "prep"}
            if preps & {"for", "to"} and not preps & {"with", "between"}:
                return None
        if lemma in PLURAL_NOUNS and token.tag_ not in ("NNS", "NNPS"):
            return None
        if lemma in ("meeting", "visit", "trip", "call", "summit") and token.tag_ == "NNS":
            return kind if lemma in ("meeting", "call") and modifiers & SEPARATE_WORDS else None
        return kind
    if token.pos_ in ("VERB",) and lemma in EVENT_VERBS:
        kind = EVENT_VERBS[lemma]
        words = {t.lower_ for t in token.subtree} if lemma in SPEECH_VERBS | {"call"} else set()
        if lemma in SPEECH_VERBS:
            if words & PHONE_WORDS:
                return "phone_call"
            if words & VIDEO_WORDS:
                return "video_call"
            if not prep_objects(token, "with", "to"):
                return None
            together = words & COPRESENCE_WORDS or prep_objects(token, "in", "at")
            return "meeting" if together else "phone_call"
        if lemma == "call":
            children = {c.dep_ for c in token.children}
            # "called on X to", "called for": the particle right after the verb ("On Monday,
            # Biden called Zelensky" is a call)
            preps = {
                c.lower_ for c in token.children if c.dep_ in ("prep", "prt") and c.i == token.i + 1
            }
            if children & {"oprd", "xcomp", "ccomp", "attr", "acomp"} or preps & {
                "on",
                "for",
                "upon",
            }:
                return None
            targets = [c for c in token.children if c.dep_ == "dobj"]
            if not targets or any(
                t.lower_ in ("other", "another") or t.pos_ != "PROPN" for t in targets
            ):
                return None
        if lemma == "sit" and not any(c.lower_ == "down" for c in token.children):
            return None
        if lemma in MOTION_VERBS and not (
            prep_objects(token, "to", "in", "at") or places.destination_tokens(token)
        ):
            return None
        return kind
    return None


def _event_at(context: Context, token: Token, sentence: TokenSpan) -> _Draft | None:
    kind = _event_type(token)
    if kind is None or context.is_quoted_speech(token) or _is_repeated(token):
        return None
    verb = clause_head(token)
    if is_negated(token) or (verb != token and is_negated(verb) and token.dep_ == "dobj"):
        return None
    if any(c.lower_ in ("no", "any") and c.dep_ == "det" for c in token.children):
        return None
    future = is_future(token) or (verb != token and is_future(verb))
    if any(
        c.lower_ in ("upcoming", "planned", "next", "forthcoming", "proposed")
        for c in token.children
    ):
        future = True
    if any(
        c.lower_ in ("future", "possible", "potential", "further", "any", "more")
        for c in token.children
    ):
        return None
    container = is_container(token)
    if container:
        date, date_mention = own_date(context, token, future)
    else:
        date, date_mention = context.date_for(token, future, sentence)
    vague = date_mention is not None and date_mention.is_vague
    if date is not None and date_mention is not None and date_mention.points_forward:
        future = True
    participants = _participants(context, token, kind, date)
    name = _summit_name(token) if kind == "summit" else None
    persons = [
        p
        for p, _ in participants
        if (a := context.entities.actor(p.actor)) is not None and a.kind in ("person", "office")
    ]
    if kind == "summit" and name is None:
        if len(participants) < 2 or len(persons) < 2:
            return None
        kind = "meeting"
    readout = _is_readout(token)
    if readout and len(persons) < 2:
        return None  # "spoke to reporters", "spoke with parliament": no counterpart
    location, destination_host = places.location(context, token, kind)
    if kind == "visit":
        roles = {role for _, role in participants}
        if "visitor" not in roles:
            return None
        if destination_host is not None:
            # the host's own leader travelling along is not a visitor, nor one going home
            participants = [
                (p, role)
                for p, role in participants
                if role != "visitor" or places.state_of(context, p.actor) != destination_host.actor
            ]
            if not participants:
                return None
        if destination_host and destination_host.actor not in {p.actor for p, _ in participants}:
            participants.append((destination_host, "host"))
        if "host" not in {role for _, role in participants} and location is None:
            return None
    elif len({p.actor for p, _ in participants}) < MIN_PARTICIPANTS.get(kind, 2):
        return None
    status = "planned" if future or vague else "held"
    published = context.published
    if date is not None and published is not None and date.earliest > published.latest:
        status = "planned"
    rule = f"event.{'verb' if token.pos_ == 'VERB' else 'noun'}.{_trigger_word(token)}"
    if readout:
        rule += ".readout"  # its own record: a call or meeting told by "spoke with"
    if kind == "summit" and _summit_attendees(token):
        rule += ".attended"  # its own record: a summit its verb names attendees of
    return _Draft(token, kind, participants, date, vague, status, location, name, rule, container)


def _is_readout(token: Token) -> bool:
    """Whether a trigger is a verb of speech with no phone or video word ("spoke with X")."""
    if token.pos_ != "VERB" or token.lemma_.lower() not in SPEECH_VERBS:
        return False
    return not {t.lower_ for t in token.subtree} & (PHONE_WORDS | VIDEO_WORDS)


def _trigger_word(token: Token) -> str:
    """The cue-table entry a trigger matched (its lemma, else its lower-case form)."""
    table = EVENT_VERBS if token.pos_ == "VERB" else EVENT_NOUNS
    lemma = token.lemma_.lower()
    return lemma if lemma in table else token.lower_


def _participants(
    context: Context, token: Token, kind: str, date: DateValue | None
) -> list[tuple[Resolved, str]]:
    """Participants named by the grammar around a trigger, with roles."""
    found: list[tuple[Token, str]] = []
    lemma = token.lemma_.lower()
    if token.pos_ == "VERB":
        role_subject = (
            "visitor"
            if kind == "visit"
            else ("host" if lemma in ("host", "welcome") else "participant")
        )
        role_object = "visitor" if lemma in ("host", "welcome") else "participant"
        passive = any(c.dep_ == "nsubjpass" for c in token.children)
        subject_tokens = subjects(token)
        if passive and lemma in ("host", "welcome"):
            found += [(t, "visitor") for t in subject_tokens]
            found += [(t, "host") for t in agents(token)]
        else:
            found += [(t, role_subject) for t in subject_tokens]
            if passive:
                found += [(t, "participant") for t in agents(token)]
        if kind != "visit":
            found += [(t, role_object) for t in objects(token)]
        found += [(t, "participant") for t in prep_objects(token, "with", "between", "alongside")]
    else:
        owners = [t for c in token.children if c.dep_ == "poss" for t in conjuncts(c)]
        first_role = "visitor" if kind == "visit" else "participant"
        found += [(t, first_role) for t in owners]
        found += [(t, "participant") for t in prep_objects(token, "with", "between", "among")]
        if token.dep_ == "dobj" and token.head.lemma_.lower() in LIGHT_VERBS:
            # the parse may hang "with" on the light verb: "held talks on Saturday with X",
            # "had lunch with X"
            found += [(t, "participant") for t in prep_objects(token.head, "with")]
        found += [(t, first_role) for t in prep_objects(token, "by")]
        found += [
            (t, "participant")
            for c in token.children
            if c.dep_ in ("compound", "nmod") and c.pos_ == "PROPN"
            for t in _hyphen_names(c)
        ]
        if kind == "summit":
            found += _summit_attendees(token)
        elif not owners and not prep_objects(token, "by"):
            found += [(t, first_role) for t in _governing_agent(token)]
    resolved: list[tuple[Resolved, str]] = []
    seen: set[str] = set()
    for candidate, role in found:
        for actor in context.resolve(candidate, date):
            if actor.actor in seen:
                continue
            if kind == "visit" and role == "participant":
                continue
            seen.add(actor.actor)
            resolved.append((actor, role))
    return resolved


def _summit_attendees(token: Token) -> list[tuple[Token, str]]:
    """Those the verb a summit noun hangs on names as attending it: "Raisi hosted Putin and
    Erdoğan for the summit" (host and guests), "Pashinyan hosted the summit with Putin and
    Tokayev", "Zelensky attended the summit", "Starmer flew to Rio for the summit"; and
    "the summit hosted by Kishida"."""
    found = [(t, "host") for c in token.children if c.lemma_ in HOSTING_VERBS for t in agents(c)]
    phrase = token  # the parse may head a name at its first word: "the Group (of 20 summit)"
    while phrase.dep_ == "pobj" and phrase.head.lower_ == "of" and phrase.head.head.pos_ == "PROPN":
        phrase = phrase.head.head
    verb = phrase.head
    if phrase.dep_ == "pobj" and phrase.head.lower_ in ("for", "to", "at"):
        verb = phrase.head.head
    elif phrase.dep_ != "dobj":
        return found
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in SUMMIT_VERBS:
        return found
    hosting = verb.lemma_.lower() in HOSTING_VERBS
    found += [(t, "host" if hosting else "participant") for t in subjects(verb)]
    if hosting:
        found += [(t, "participant") for t in objects(verb) if t.i != phrase.i]
    found += [(t, "participant") for t in prep_objects(verb, "with", "alongside")]
    return found


def _hyphen_names(token: Token) -> list[Token]:
    """Names joined by hyphens in a compound ("the Biden-Xi call")."""
    return [t for t in token.subtree if t.pos_ == "PROPN"]


def _governing_agent(token: Token) -> list[Token]:
    """For a trigger noun without its own participants: the subject of the light verb it is
    the object of ("Biden had a call with Xi"), or of the clause around it, or the possessor
    of a noun above it ("Xi's pledge ... on a call with Putin")."""
    current = token
    for _ in range(6):
        head = current.head
        if head == current:
            return []
        if head.pos_ in ("NOUN", "PROPN") and current.dep_ != "poss":
            owners = [t for c in head.children if c.dep_ == "poss" for t in conjuncts(c)]
            if owners:
                return owners
        if head.pos_ in ("VERB", "AUX"):
            found = subjects(head)
            if found and not all(t.lower_ in ("this", "that", "it", "which") for t in found):
                if head.lemma_ in ("join", "accompany"):
                    # "von der Leyen joined the two leaders for a meeting"
                    found = found + objects(head)
                return found
            if head.dep_ in ("ccomp", "ROOT", "relcl"):
                return []
        current = head
    return []


def _summit_name(token: Token) -> str | None:
    """The proper name of a summit ("the APEC summit", "the Group of 20 summit"): the run of
    capitalised words, numbers and "of" before it, when it is not just a place or a date."""
    doc = token.doc
    start = token.i
    while start > token.sent.start:
        previous = doc[start - 1]
        if (
            previous.text[:1].isupper()
            or previous.like_num
            and previous.ent_type_ not in ("ORDINAL", "DATE")
        ):
            if previous.ent_type_ in ("DATE", "ORDINAL") or previous.tag_ == "POS":
                break
            if previous.pos_ in ("DET", "PRON", "ADP", "SCONJ", "CCONJ", "ADV"):
                break
            start -= 1
        elif (
            previous.lower_ in ("of", "-", "(", ")", "&", "and")
            and start - 2 >= token.sent.start
            and (doc[start - 2].text[:1].isupper() or doc[start - 2].like_num)
        ):
            start -= 1
        else:
            break
    words = [t for t in doc[start : token.i] if t.text[:1].isupper() or t.like_num]
    if not words or all(t.ent_type_ in ("GPE", "LOC", "NORP", "PERSON", "DATE") for t in words):
        return None
    while start < token.i and doc[start].lower_ in ("of", "and", "-", ")", "&"):
        start += 1
    return doc[start : token.i + 1].text


def _to_event(context: Context, draft: _Draft, sentence: TokenSpan) -> Event:
    span = context.sentence_span(sentence)
    registry = context.registry
    participations = []
    for resolved, role in draft.participants:
        actor = context.entities.actor(resolved.actor)
        office = resolved.office
        if (
            actor is not None
            and actor.kind == "person"
            and office is None
            and not actor.is_provisional
        ):
            office = registry.office_at(actor.id, context.when(draft.date))
        represents = _represents(context, resolved.actor, office)
        participations.append(Participation(resolved.actor, office, represents, role, (span,)))
    earliest = None
    if draft.status == "planned" and draft.date is None and context.published is not None:
        earliest = context.published.earliest
    note = None
    if draft.date is None and draft.status == "held":
        note = "Automatic extraction found no date for this event."
    return Event(
        key=f"event-{len(context.events) + 1}",
        document_id=context.document.id,
        type=draft.type,
        status=draft.status,
        participants=tuple(participations),
        evidence=(span,),
        date=draft.date,
        earliest=earliest,
        location=draft.location,
        name=draft.name,
        note=note,
        rule=draft.rule,
    )


def _represents(context: Context, actor_id: str, office: str | None) -> str | None:
    registry = context.registry
    if actor_id in registry.actors and (office is None or office in registry.actors):
        return registry.represented_by(actor_id, office)
    actor = context.entities.actor(actor_id)
    return actor.country if actor is not None else None


def _add(context: Context, event: Event, token_index: int) -> None:
    for index, existing in enumerate(context.events):
        if same_event(existing, event, context.registry, within_document=True):
            context.events[index] = merge_events(context, existing, event)
            return
    context.events.append(event)
    context.event_tokens[event.key] = token_index


def merge_events(context: Context, kept: Event, other: Event) -> Event:
    """One event from two mentions: every span, the most precise date, the most specific
    place, held over planned, the first mention's rule."""
    evidence = _union(kept.evidence, other.evidence)
    date = kept.date
    if other.date is not None and (date is None or other.date.rank < date.rank):
        date = other.date
    location = kept.location
    wider = other.location and places.ancestors(context, other.location)
    if other.location and (location is None or location in (wider or ())):
        location = other.location
    participants = []
    others = {p.actor: p for p in other.participants}
    for participation in kept.participants:
        match = others.get(participation.actor)
        if match is not None:
            role = participation.role if participation.role != "participant" else match.role
            participation = dataclasses.replace(
                participation,
                role=role,
                office=participation.office or match.office,
                evidence=_union(participation.evidence, match.evidence),
            )
        participants.append(participation)
    status = "held" if "held" in (kept.status, other.status) and date is not None else kept.status
    if (
        date is not None
        and context.published is not None
        and date.earliest > context.published.latest
    ):
        status = "planned"
    return dataclasses.replace(
        kept,
        evidence=evidence,
        date=date,
        earliest=None if date is not None else (kept.earliest or other.earliest),
        location=location,
        participants=tuple(participants),
        name=kept.name or other.name,
        status=status,
        note=None if date is not None else kept.note,
    )


def _union(first: Iterable[Span], second: Iterable[Span]) -> tuple[Span, ...]:
    seen: dict[tuple[int, int], Span] = {}
    for span in (*first, *second):
        seen.setdefault((span.start, span.end), span)
    return tuple(sorted(seen.values(), key=lambda s: s.start))
