"""When an event took place, from its clause: the date written in its own phrase, an event
reported just before, the present tense (the publication day); and the event nouns that frame
a clause ("during the visit") rather than name its event."""

from __future__ import annotations

import dataclasses

from spacy.tokens import Span as TokenSpan
from spacy.tokens import Token

from kg.extract import lexicon
from kg.extract.context import Context
from kg.extract.dates import DateMention, resolve_date
from kg.extract.syntax import clause_head
from kg.records import DateValue


def date_from_context(
    context: Context, trigger: Token, people: set[str], sentence: TokenSpan, tight: bool
) -> DateValue | None:
    """A held event the clause gives no date: the date of an event with a shared participant
    reported just before (same or previous paragraph) -- "Kim visited Beijing in March,
    where he met Xi" -- else, for a clause in the present tense ("the talks have begun"),
    the date of writing (:meth:`Context.reference_date`)."""
    paragraph = context.paragraph_of(sentence.start_char)
    best: tuple[int, DateValue] | None = None
    for event in context.events:
        if event.date is None or event.status != "held" or not people & event.actor_ids:
            continue
        starts = [s.start for s in event.evidence if s.start <= sentence.start_char]
        if not starts:
            continue
        latest = max(starts)
        if paragraph - context.paragraph_of(latest) > 1:
            continue
        if tight and latest < previous_sentence_start(sentence):
            continue
        if best is None or latest > best[0]:
            best = (latest, event.date)
    if best is not None:
        return dataclasses.replace(
            best[1], basis="inferred", note="Taken from the event reported just before."
        )
    if tight:
        return None
    verb = clause_head(trigger)
    present = verb.tag_ in ("VBZ", "VBP") or (
        verb.tag_ == "VBN" and any(c.lower_ in ("has", "have") for c in verb.children)
    )
    today = context.reference_date(sentence.start_char)
    if present and today is not None:
        return dataclasses.replace(
            today,
            basis="inferred",
            note="Reported in the present tense: the date of writing (date line or publication).",
        )
    return None


def previous_sentence_start(sentence: TokenSpan) -> int:
    if sentence.start == 0:
        return 0
    return sentence.doc[sentence.start - 1].sent.start_char


CONTAINER_PREPOSITIONS = lexicon.words("events", "container_prepositions")


def is_container(token: Token) -> bool:
    """An event noun that frames the clause rather than being its event: "during Macron's
    three-day state visit", "on the sidelines of the summit"; the clause's date is a day
    inside it, not its date."""
    if token.pos_ != "NOUN" or token.dep_ != "pobj":
        return False
    preposition = token.head
    if preposition.lower_ in CONTAINER_PREPOSITIONS:
        return True
    return preposition.lower_ == "of" and preposition.head.lemma_ in ("sideline", "margin", "eve")


def own_date(
    context: Context, token: Token, future: bool
) -> tuple[DateValue | None, DateMention | None]:
    """The date written inside an event noun's own phrase ("the summit on November 15")."""
    for word in token.subtree:
        mention = context.date_of(word)
        if mention is not None and word.i != token.i:
            resolved = resolve_date(mention, context.reference_date(mention.start), future)
            return resolved.value, mention
    return None, None
