"""Statements: verbatim quotations and their speakers.

The speaker of a quotation is found, in order: through the grammar around it (the subject of
the verb the quotation depends on: "X said “...”", "“...,” X said", "what X described as
“...”", "X called the talks “...”", "X asked Y to “...”"; or the possessor of a noun it
completes: "X's pledge to “...”"), then a speech verb elsewhere in the sentence, then
"according to X"; "he"/"she" resolve to the person named last. Short scare quotes ("clear-
headed", "One China") with no speech verb of their own are not statements.
"""

from __future__ import annotations

from spacy.tokens import Span as TokenSpan
from spacy.tokens import Token

from kg.extract import lexicon
from kg.extract.context import Context, event_for
from kg.extract.coreference import Resolved
from kg.extract.syntax import Quote, agents, conjuncts, prep_objects, subjects
from kg.extract.topics import find_topics
from kg.records import Statement

SPEECH_VERBS = lexicon.words("statements", "speech_verbs")
MIN_WORDS = 3


def extract_statements(context: Context) -> list[Statement]:
    """Every quotation with a speaker the text names, once per speaker and quote."""
    statements: list[Statement] = []
    seen: set[tuple[str, str]] = set()
    for quote in context.deadline.each(context.quotes):
        if context.cleaned.is_noise(quote.inner_start, quote.inner_end):
            continue
        found = _statement(context, quote)
        if found is None:
            continue
        speaker, sentence_spans, rule = found
        text = _quote_text(quote)
        key = (speaker.actor, _norm(text))
        if key in seen or not text:
            continue
        seen.add(key)
        start = min(s.start_char for s in sentence_spans)
        end = max(s.end_char for s in sentence_spans)
        span = context.span(*_strip(context.document.text, start, end))
        sentence = sentence_spans[0]
        event = event_for(context, sentence, [speaker.actor])
        known = tuple(context.vocabulary.get("topic", ())) or None
        statements.append(
            Statement(
                key=f"statement-{len(statements) + 1}",
                document_id=context.document.id,
                speaker=speaker.actor,
                quote=text,
                evidence=(span,),
                at=event.key if event is not None else None,
                date=event.date if event is not None else None,
                topics=find_topics(text, known),
                rule=rule,
            )
        )
    return statements


def _quote_text(quote: Quote) -> str:
    text = quote.text.strip()
    return text[:-1].rstrip() if text.endswith(",") else text


def _norm(text: str) -> str:
    return " ".join(text.casefold().replace("’", "'").split()).strip(" .,")


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _statement(context: Context, quote: Quote) -> tuple[Resolved, list[TokenSpan], str] | None:
    """The speaker of a quotation, the sentences it spans, and the rule that found the speaker:
    ``statement.direct`` (the speech verb governs the quote), ``statement.head`` (the grammar
    around it), ``statement.speech-verb`` (a speech verb elsewhere in the sentence or the one
    next to it), ``statement.according-to``."""
    doc = context.doc
    inner = doc.char_span(quote.inner_start, quote.inner_end, alignment_mode="expand")
    if inner is None or len(inner) == 0:
        return None
    quote_tokens = {t.i for t in inner}
    sentence_list = _sentences_of(inner)
    words = [t for t in inner if t.is_alpha]
    if not words:
        return None
    # 1. the grammar around the quotation
    roots = [t for t in inner if t.head.i not in quote_tokens or t.head == t]
    for root in roots:
        speaker, direct = _speaker_from_head(context, root, quote_tokens)
        if speaker is not None:
            if len(words) < MIN_WORDS and not direct:
                return None
            return speaker, sentence_list, "statement.direct" if direct else "statement.head"
    if len(words) < MIN_WORDS:
        return None
    # 2. a speech verb elsewhere in the sentence(s), 3. "according to X"
    for sentence in _with_neighbour(context, sentence_list, quote):
        for token in sentence:
            if token.i in quote_tokens:
                continue
            if token.lemma_.lower() in SPEECH_VERBS and token.pos_ == "VERB":
                found = context.resolve_all(subjects(token), None)
                if len(found) == 1:
                    spans = sorted({*sentence_list, sentence}, key=lambda s: s.start)
                    return found[0], spans, "statement.speech-verb"
            if (
                token.lower_ == "according"
                and token.i + 1 < len(doc)
                and doc[token.i + 1].lower_ == "to"
            ):
                found = context.resolve_all(
                    prep_objects(token, "to") or _objects_after(doc[token.i + 1]), None
                )
                if len(found) == 1:
                    spans = sorted({*sentence_list, sentence}, key=lambda s: s.start)
                    return found[0], spans, "statement.according-to"
    return None


def _objects_after(token: Token) -> list[Token]:
    return [t for c in token.children if c.dep_ == "pobj" for t in conjuncts(c)]


def _speaker_from_head(
    context: Context, root: Token, quote_tokens: set[int]
) -> tuple[Resolved | None, bool]:
    """Climb from a quotation's root through the words outside it to the first verb whose
    subject (or noun whose possessor) is an actor."""
    current = root
    direct = True
    first: Resolved | None = None
    for _ in range(8):
        head = current.head
        if head == current:
            break
        if head.i in quote_tokens:
            current = head
            continue
        lemma = head.lemma_.lower()
        if head.pos_ in ("VERB", "AUX"):
            candidates = subjects(head) or agents(head)
            if head.tag_ == "VBN" and not any(c.dep_ in ("nsubj",) for c in head.children):
                candidates = agents(head) or candidates
            found = context.resolve_all(candidates, None)
            if len(found) == 1 and _is_speaker_kind(context, found[0]):
                if lemma in SPEECH_VERBS:
                    return found[0], direct
                first = first or found[0]
            elif found:
                return None, False
            direct = False
        elif head.pos_ in ("NOUN", "PROPN"):
            owners = [c for c in head.children if c.dep_ == "poss"]
            found = context.resolve_all(owners, None)
            if len(found) == 1 and _is_speaker_kind(context, found[0]):
                return found[0], False
        direct = direct and (head.pos_ in ("ADP", "SCONJ", "PART", "VERB", "AUX"))
        current = head
    return first, False


def _is_speaker_kind(context: Context, resolved: Resolved) -> bool:
    actor = context.entities.actor(resolved.actor)
    return actor is not None and actor.kind in (
        "person",
        "office",
        "anonymous",
        "organisation",
        "state",
    )


def _sentences_of(inner: TokenSpan) -> list[TokenSpan]:
    found = []
    for token in inner:
        if token.sent not in found:
            found.append(token.sent)
    return found


def _with_neighbour(
    context: Context, sentence_list: list[TokenSpan], quote: Quote
) -> list[TokenSpan]:
    """The quotation's sentences and, when the quotation ends its sentence, the next one
    ("“...” The official said so." is rare; "“...”, he said." is parsed as one)."""
    found = list(sentence_list)
    last = sentence_list[-1]
    if last.end < len(context.doc):
        following = context.doc[last.end].sent
        if following.start_char - quote.end < 3 and following not in found:
            found.append(following)
    return found
