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

from kg.extract.coreference import ActorResolution
from kg.extract.dates import DateMention, dated_lines, find_dates, resolve_date
from kg.extract.deadline import Deadline
from kg.extract.entities import (
    EntityIndex,
    Mention,
)
from kg.extract.syntax import Quote, clause_head, find_quotes, subjects, trimmed
from kg.extract.topics import dominant_topic, find_topics, topics_or_fallback
from kg.records import DateValue, Document, Event, Span, Vocabulary
from kg.sources.cleaning import CleanText


@dataclass(frozen=True, slots=True)
class UnresolvedDate:
    """A date expression that could not be read (no publication date, say), and why."""

    span: Span
    reason: str


@dataclass
class Context(ActorResolution):
    """One parsed document and everything found in it so far."""

    document: Document
    cleaned: CleanText
    doc: Doc
    entities: EntityIndex
    vocabulary: Vocabulary
    deadline: Deadline = field(default_factory=Deadline)
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    event_tokens: dict[str, int] = field(default_factory=dict)
    unresolved: list[UnresolvedDate] = field(default_factory=list)
    _token_mention: dict[int, Mention] = field(default_factory=dict)
    _token_date: dict[int, DateMention] = field(default_factory=dict)
    _dated_lines: list[tuple[int, DateValue]] = field(default_factory=list)
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
        deadline: Deadline | None = None,
    ) -> Context:
        """Index a parsed document: mentions, quotations and dates by token; the families'
        loops check ``deadline`` per sentence, token and quotation."""
        context = cls(document, cleaned, doc, entities, vocabulary, deadline or Deadline())
        context.mentions = entities.mentions(doc)
        for mention in context.mentions:
            for i in range(mention.token_start, mention.token_end):
                context._token_mention[i] = mention
        context._mention_starts = [m.start for m in context.mentions]
        context.quotes = find_quotes(cleaned.masked)
        context._quote_starts = [q.start for q in context.quotes]
        context.dates = find_dates(cleaned.masked)
        context._dated_lines = dated_lines(cleaned.masked, context.dates)
        for date in context.dates:
            span = doc.char_span(date.start, date.end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    context._token_date[token.i] = date
        return context

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

    def reference_date(self, char: int) -> DateValue | None:
        """The date relative dates at a character offset are read against: that of the last
        date line before it (a readout's or a live blog's own date: its "today"), else the
        publication date."""
        index = bisect.bisect_right(self._dated_lines, char, key=lambda line: line[0]) - 1
        return self._dated_lines[index][1] if index >= 0 else self.published

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
        resolved = resolve_date(mention, self.reference_date(mention.start), future)
        if resolved.value is None and resolved.unresolved:
            self.unresolved.append(
                UnresolvedDate(self.span(mention.start, mention.end), resolved.unresolved)
            )
        return resolved.value, mention

    def _clause_date(self, trigger: Token, sentence: TokenSpan) -> DateMention | None:
        head = clause_head(trigger)
        first = head  # "in Colombo on Jan. 9, 2022, when Wang visited and met Rajapaksa"
        while first.dep_ == "conj" and first.head != first:
            first = first.head
        if first.dep_ == "relcl" and first.head.i in self._token_date:
            return self._token_date[first.head.i]
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


def _is_bound(doc: Doc, date: DateMention) -> bool:
    """A date that bounds rather than dates a fact: "since 2017", "until March"."""
    before = doc.text[max(0, date.start - 8) : date.start].lower().split()
    return bool(before) and before[-1] in ("since", "until", "till", "before", "after", "by")


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
