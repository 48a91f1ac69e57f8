"""Demands and requests: who asked what of whom.

Patterns over the parse: ``asked X to``, ``requested``, ``urged X to``, ``pressed X to / on /
for``, ``called on X to``, ``called for``, ``demanded``, ``insisted that``, ``told X to``,
``pushed X to``, ``appealed to X to``, ``warned X not to / against``, and ``expects no Y from
X``. The requester is the subject, the addressee the object (or ``on``/``to``/``from`` object);
coordinated requests on different topics ("to use its influence on Iran ..., as well as
continue withholding support for Russia") become one demand each. Passive or negated uses
("when asked about", "did not ask") are not demands.
"""

from __future__ import annotations

import dataclasses

from spacy.tokens import Span as TokenSpan
from spacy.tokens import Token

from kg.extract import lexicon
from kg.extract.context import Context, event_for
from kg.extract.coreference import Resolved
from kg.extract.syntax import (
    clause_head,
    is_negated,
    objects,
    prep_objects,
    sentences,
    subjects,
)
from kg.records import Demand

DEMAND_VERBS = lexicon.table("demands", "demand_verbs")


@dataclasses.dataclass
class _Found:
    trigger: Token
    sentence: TokenSpan
    kind: str
    requesters: list[Resolved]
    addressees: list[Resolved]
    content: str
    rule: str
    split: bool = False


def extract_demands(context: Context) -> list[Demand]:
    """Every demand the document reports, one per requester, addressee and topic."""
    demands: list[Demand] = []
    for sentence in context.deadline.each(sentences(context.doc)):
        if context.cleaned.is_noise(sentence.start_char, sentence.end_char):
            continue
        for token in context.deadline.each(sentence):
            if token.pos_ != "VERB" or context.is_quoted_speech(token):
                continue
            for found in _demands_at(context, token, sentence):
                _add(context, demands, found)
    return demands


def _demands_at(context: Context, token: Token, sentence: TokenSpan) -> list[_Found]:
    lemma = token.lemma_.lower()
    kind = DEMAND_VERBS.get(lemma)
    if kind is None or is_negated(token):
        return []
    if (
        any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children)
        or token.tag_ == "VBN"
        and not any(c.dep_ == "aux" for c in token.children)
        and not subjects(token)
    ):
        return []
    if (
        token.dep_ == "advcl"
        and any(c.lower_ == "when" for c in token.children)
        and not subjects(token)
    ):
        return []
    date, _ = context.date_for(token, False, sentence)
    requesters = context.resolve_all(subjects(token), date)
    if not requesters:
        return []
    preps = {c.lower_: c for c in token.children if c.dep_ in ("prep", "prt")}
    addressee_tokens = [t for t in objects(token) if t.pos_ in ("PROPN", "PRON", "NOUN")]
    complements = [c for c in token.children if c.dep_ in ("xcomp", "ccomp")]
    if lemma == "call":
        if "on" in preps or "upon" in preps:
            addressee_tokens = prep_objects(token, "on", "upon")
        elif "for" in preps:
            complements = [g for g in preps["for"].children if g.dep_ == "pobj"]
            addressee_tokens = []
        else:
            return []
    elif lemma == "appeal":
        addressee_tokens = prep_objects(token, "to")
    elif lemma == "press":
        if not complements:
            complements = [
                g
                for p in ("on", "for")
                if p in preps
                for g in preps[p].children
                if g.dep_ in ("pobj", "pcomp")
            ]
    elif lemma == "expect":
        direct = [c for c in token.children if c.dep_ == "dobj"]
        addressee_tokens = prep_objects(token, "from") + [
            t
            for d in direct
            for w in d.subtree
            if w.dep_ == "prep" and w.lower_ == "from"
            for t in w.children
            if t.dep_ == "pobj"
        ]
        if not addressee_tokens and not complements:
            return []
        if direct and not complements:
            complements = direct
        if (
            not any(c.dep_ == "det" and c.lower_ == "no" for d in direct for c in d.children)
            and not complements
        ):
            return []
    elif lemma == "warn":
        if not complements and "against" in preps:
            complements = [g for g in preps["against"].children if g.dep_ in ("pobj", "pcomp")]
    elif lemma == "demand" and not complements:
        complements = [c for c in token.children if c.dep_ == "dobj"]
        addressee_tokens = prep_objects(token, "from", "of")
    elif lemma in ("tell", "encourage", "invite", "urge", "implore", "ask", "request"):
        if lemma == "ask" and not complements:
            return []
        if lemma == "tell" and not any(c.dep_ == "xcomp" for c in token.children):
            return []
    elif lemma == "insist" and not complements:
        return []
    if not complements:
        return []
    if not addressee_tokens:
        # "demanded that Washington stop ...": the clause's subject is asked
        addressee_tokens = [
            s for c in complements if c.dep_ == "ccomp" for s in subjects(c) if s.i > token.i
        ]
    addressees = context.resolve_all(addressee_tokens, date)
    found = []
    for complement in complements:
        pieces = _pieces(token, complement)
        for piece in pieces:
            found.append(
                _Found(
                    token,
                    sentence,
                    kind,
                    requesters,
                    addressees,
                    _content(piece),
                    f"demand.verb.{token.lemma_.lower()}",
                    split=len(pieces) > 1,
                )
            )
    return found


def _pieces(trigger: Token, complement: Token) -> list[Token]:
    """The requests in a complement: itself, and verbs coordinated with it or with the
    trigger that have no subject of their own ("..., as well as continue withholding ...")."""
    pieces = [complement]
    for holder in (complement, trigger):
        for conj in holder.children:
            if conj.dep_ != "conj" or conj.pos_ != "VERB":
                continue
            if any(c.dep_ in ("nsubj", "nsubjpass") for c in conj.children):
                continue
            if holder == trigger and conj.tag_ not in ("VB", "VBP"):
                continue
            pieces.append(conj)
    return pieces


def _content(token: Token) -> str:
    skip: set[int] = {t.i for c in token.children if c.dep_ in ("nsubj", "mark") for t in c.subtree}
    for conj in token.children:
        if conj.dep_ == "conj" and conj.pos_ == "VERB":
            skip |= {t.i for t in conj.subtree}
            skip |= {
                c.i
                for c in token.children
                if c.dep_ in ("cc", "punct", "advmod") and c.i < conj.i and c.i > token.i
            }
    words = [t for t in token.subtree if t.i not in skip]
    text = "".join(t.text_with_ws for t in words).strip()
    for lead in ("to ", "that "):
        if text.lower().startswith(lead):
            text = text[len(lead) :]
    return text.strip(' ,.;“”"')


def _add(context: Context, demands: list[Demand], found: _Found) -> None:
    span = context.sentence_span(found.sentence)
    clause = "".join(t.text_with_ws for t in clause_head(found.trigger).subtree)
    if found.split:
        topics = context.topics_for(found.content, use_document=False)
    else:
        topics = context.topics_for(found.content, clause, found.sentence.text)
    requesters = tuple(dict.fromkeys(r.actor for r in found.requesters))
    addressees = tuple(
        dict.fromkeys(a.actor for a in found.addressees if a.actor not in requesters)
    )
    on_behalf = []
    for actor_id in requesters:
        actor = context.entities.actor(actor_id)
        if actor is not None and actor.kind != "state":
            state = actor.office_of if actor.kind == "office" else actor.country
            if state and state not in on_behalf:
                on_behalf.append(state)
    for existing in demands:
        if (
            set(existing.requesters) == set(requesters)
            and set(existing.topics) & set(topics)
            and (set(existing.addressees) == set(addressees) or not addressees)
            and any(s.start == span.start for s in existing.evidence)
        ):
            return
    event = event_for(context, found.sentence, [*requesters, *addressees])
    date = event.date if event is not None else None
    own_date, _ = context.date_for(found.trigger, False, found.sentence)
    demands.append(
        Demand(
            key=f"demand-{len(demands) + 1}",
            document_id=context.document.id,
            kind=found.kind,
            requesters=requesters,
            content=found.content,
            topics=topics,
            evidence=(span,),
            on_behalf_of=tuple(on_behalf),
            addressees=addressees,
            at=event.key if event is not None else None,
            date=own_date or date,
            rule=found.rule,
        )
    )
