"""Responses to demands: who answered a demand in the same document, and how.

Patterns over the parse, cue words from ``cues/responses.yaml``: a response verb with the
demand as its object or a clause of its own (``rejected the demand``, ``dismissed the call``,
``refused to``, ``agreed to``, ``said it would consider the request``), or a negated answering
verb (``did not respond``, ``has not replied``: ignored so far; ``declined to comment``: deflected);
an acceptance with a partial word (``partly met``) is partly met. The responder is the
verb's subject; the response answers the latest demand reported at or before its sentence
that was addressed to the responder (or to the state it acts for) and not made by its side;
unless the verb's object names the demand ("the demand", "the request"), the clause
must also speak of one of the demand's topics or share a word with its content ("refused to
release them" answers "release the journalists"; "agreed to buy aircraft" answers no demand
about weapons). A pronoun subject of a reported clause is the reporter ("China said it would
consider the request": China). A response with no such demand is not kept; one dated before
its demand keeps no date.
"""

from __future__ import annotations

from spacy.tokens import Span as TokenSpan
from spacy.tokens import Token

from kg.extract import lexicon
from kg.extract.context import Context
from kg.extract.syntax import objects, prep_objects, sentences, subjects
from kg.extract.topics import find_topics
from kg.records import Demand, Response

RESPONSE_VERBS = lexicon.table("responses", "response_verbs")
OBJECT_VERBS = lexicon.words("responses", "object_verbs")
DEMAND_NOUNS = lexicon.words("responses", "demand_nouns")
ANSWER_VERBS = lexicon.words("responses", "answer_verbs")
PARTIAL_WORDS = lexicon.words("responses", "partial_words")


def extract_responses(context: Context, demands: list[Demand]) -> list[Response]:
    """Every response to one of ``demands`` (the document's) that the document reports."""
    responses: list[Response] = []
    if not demands:
        return responses
    for sentence in context.deadline.each(sentences(context.doc)):
        if context.cleaned.is_noise(sentence.start_char, sentence.end_char):
            continue
        for token in context.deadline.each(sentence):
            if token.pos_ not in ("VERB", "AUX") or context.is_quoted_speech(token):
                continue
            found = _kind_at(token)
            if found is not None:
                _add(context, demands, responses, token, sentence, *found)
    return responses


def _kind_at(token: Token) -> tuple[str, str, bool] | None:
    """The response kind a verb reports, the rule's name and whether the verb's object names
    the demand (or no answer is the answer); None if it reports none."""
    lemma = token.lemma_.lower()
    if lemma in ANSWER_VERBS:
        if token.dep_ == "xcomp" and token.head.lemma_.lower() in ("decline", "refuse"):
            return "deflected", f"response.verb.{token.head.lemma_.lower()}-{lemma}", True
        if any(c.dep_ == "neg" for c in token.children):
            return "ignored", f"response.verb.not-{lemma}", True
        return None
    kind = RESPONSE_VERBS.get(lemma)
    if kind is None or any(c.dep_ == "neg" for c in token.children):
        return None
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children):
        return None
    clause = [c for c in token.children if c.dep_ in ("xcomp", "ccomp")]
    if any(c.lemma_.lower() in ANSWER_VERBS for c in clause):
        return None  # "declined to comment": the answering verb's rule
    named = any(o.lemma_.lower() in DEMAND_NOUNS for o in objects(token))
    if lemma == "agree":
        if not (clause or prep_objects(token, "to")):
            return None
    elif lemma in OBJECT_VERBS and not named and not (clause and lemma != "consider"):
        return None
    elif lemma not in OBJECT_VERBS and not (clause or named):
        return None
    words = {t.lower_ for t in token.subtree} | {c.lower_ for c in token.children}
    if kind == "accepted" and words & PARTIAL_WORDS:
        kind = "partly_met"
    return kind, f"response.verb.{lemma}", named


def _add(
    context: Context,
    demands: list[Demand],
    responses: list[Response],
    token: Token,
    sentence: TokenSpan,
    kind: str,
    rule: str,
    named: bool,
) -> None:
    date, _ = context.date_for(token, False, sentence)
    said = subjects(token)
    if token.dep_ == "ccomp" and all(t.pos_ == "PRON" for t in said):
        said = subjects(token.head) or said  # "China said it would consider ...": China
    responders = tuple(dict.fromkeys(r.actor for r in context.resolve_all(said, date)))
    if not responders:
        return
    span = context.sentence_span(sentence)
    acting_for = _sides(context, responders)
    known = tuple(context.vocabulary.get("topic", ())) or None
    topics = set(find_topics("".join(t.text_with_ws for t in token.subtree), known))
    words = {
        w
        for t in token.subtree
        if t.pos_ in ("NOUN", "VERB", "PROPN") and t != token
        for w in (t.lower_, t.lemma_.lower())
    }
    answered = [
        d
        for d in demands
        if d.evidence[0].start <= span.start
        and acting_for & set(d.addressees)
        and not acting_for & _sides(context, d.requesters)
        and (named or topics & set(d.topics) or words & set(d.content.lower().split()))
    ]
    if not answered:
        return
    demand = max(answered, key=lambda d: d.evidence[0].start)
    if any(r.demand == demand.key and r.evidence[0].start == span.start for r in responses):
        return
    if date is not None and demand.date is not None and date.latest < demand.date.earliest:
        date = None
    responses.append(
        Response(
            key=f"response-{len(responses) + 1}",
            document_id=context.document.id,
            demand=demand.key,
            kind=kind,
            responders=responders,
            evidence=(span,),
            date=date,
            rule=rule,
        )
    )


def _sides(context: Context, actor_ids: tuple[str, ...]) -> set[str]:
    """The actors and the states or organisations they act for (a person's country, an
    office's state)."""
    sides = set(actor_ids)
    for actor_id in actor_ids:
        actor = context.entities.actor(actor_id)
        if actor is not None:
            sides.update(x for x in (actor.country, actor.office_of) if x)
    return sides
