"""What a commitment says and where it stands: the clause that is its content (split where it
coordinates two), whether a modal governs it, and the status word of a report about it (made,
reaffirmed, fulfilled, ...), and how a new report's step joins a pledge's history."""

from __future__ import annotations

import dataclasses

from spacy.tokens import Token

from kg.extract import lexicon
from kg.extract.context import Context
from kg.extract.coreference import Resolved
from kg.extract.syntax import clause_head
from kg.records import DateValue, Pledge, StatusStep

REAFFIRM_VERBS = lexicon.words("pledges", "reaffirm_verbs")

STATUS_WORDS = lexicon.table("pledges", "status_words")


PROGRESS_WORDS = lexicon.words("pledges", "progress_words")


def complement(token: Token) -> Token | None:
    """What a commitment verb commits to: ``to``-clause, ``that``-clause, ``on``/``to`` object."""
    objects_first = [c for c in token.children if c.dep_ == "dobj" and c.pos_ == "NOUN"]
    for child in token.children:
        if child.dep_ in ("xcomp", "ccomp"):
            if objects_first and any(c.dep_ == "auxpass" for c in child.children):
                return objects_first[0]
            return child
    for child in token.children:
        if child.dep_ == "advcl" and any(
            c.lower_ == "to" and c.dep_ == "aux" for c in child.children
        ):
            return child
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in ("to", "on", "upon", "in"):
            for obj in child.children:
                if obj.dep_ in ("pobj", "pcomp"):
                    return obj
    for child in token.children:
        if child.dep_ == "dobj" and child.pos_ not in ("PRON", "PROPN"):
            return child
    for child in token.children:
        if child.dep_ == "acomp" or (child.dep_ == "prep" and child.lower_ == "of"):
            return next((g for g in child.children if g.dep_ in ("pobj", "xcomp")), child)
    return None


def has_modal(token: Token) -> bool:
    return any(
        c.dep_ == "aux" and c.lower_ in ("will", "would", "should", "shall", "to", "’ll", "'ll")
        for c in token.children
    )


def split(
    context: Context, complement: Token, makers: list[Resolved], date: DateValue | None
) -> list[tuple[Token, list[Resolved]]]:
    """A coordinated complement with its own subject is a second commitment:
    "agreed on cooperating on climate, as well as China stepping up to curb fentanyl"."""
    pieces: list[tuple[Token, list[Resolved]]] = [(complement, makers)]
    maker_ids = {m.actor for m in makers}
    for conj in complement.children:
        if (
            conj.dep_ == "conj"
            and conj.pos_ == "VERB"
            and not any(c.dep_ in ("nsubj", "nsubjpass") for c in conj.children)
            and any(c.lower_ == "to" and c.dep_ == "aux" for c in conj.children)
        ):
            pieces.append((conj, makers))
    for conj in complement.subtree:
        if conj.dep_ not in ("conj", "advcl") or conj.pos_ not in ("VERB", "NOUN"):
            continue
        if conj.i == complement.i:
            continue
        own = [c for c in conj.children if c.dep_ in ("nsubj", "nsubjpass", "poss")]
        own_makers = context.resolve_all(own, date) if own else []
        if own_makers and {m.actor for m in own_makers} != maker_ids:
            pieces.append((conj, own_makers))
    return pieces


def content(token: Token) -> str:
    """The words of a commitment's content: the complement's subtree, minus a second
    commitment coordinated with it, without the leading "to"/"that"."""
    skip: set[int] = set()
    for conj in token.subtree:
        if conj.i == token.i or conj.dep_ not in ("conj", "advcl"):
            continue
        own_to = (
            conj.dep_ == "conj"
            and conj.head.i == token.i
            and any(c.lower_ == "to" and c.dep_ == "aux" for c in conj.children)
        )
        if own_to or any(c.dep_ in ("nsubj", "poss") and c.pos_ == "PROPN" for c in conj.children):
            skip |= {t.i for t in conj.subtree}
            skip |= {c.i for c in conj.head.children if c.dep_ in ("cc", "punct") and c.i < conj.i}
    words = [t for t in token.subtree if t.i not in skip]
    text = "".join(t.text_with_ws for t in words).strip()
    for lead in ("as well as ", "and ", "to ", "that ", "on ", "upon "):
        if text.lower().startswith(lead):
            text = text[len(lead) :]
    return text.strip(' ,.;“”"')


def status(token: Token) -> str:
    """A commitment's status from the words governing it."""
    current: Token | None = token
    for _ in range(5):
        if current is None:
            break
        lemma = current.lemma_.lower()
        if lemma in STATUS_WORDS:
            status = STATUS_WORDS[lemma]
            if status == "fulfilled" and progress_around(current):
                return "progressed"
            if current != token or lemma in REAFFIRM_VERBS:
                return status
        if current.head == current:
            break
        current = current.head
    return "made"


def progress_around(token: Token) -> bool:
    """ "a step toward fulfilling", "progress in fulfilling": progress, not fulfilment."""
    window = token.doc[max(token.sent.start, token.i - 4) : token.i]
    return any(t.lemma_.lower() in PROGRESS_WORDS for t in window)


def clause_text(token: Token) -> str:
    head = clause_head(token)
    return "".join(t.text_with_ws for t in head.subtree)


def with_step(pledge: Pledge, step: StatusStep) -> Pledge:
    """Add a step to a pledge; a second report of the same status joins the first."""
    steps = list(pledge.steps)
    for index, existing in enumerate(steps):
        if existing.status == step.status and (
            existing.at == step.at or step.at is None or existing.at is None
        ):
            spans = {(s.start, s.end): s for s in (*existing.evidence, *step.evidence)}
            date = existing.date
            if step.date is not None and (date is None or step.date.rank < date.rank):
                date = step.date
            if existing.at is None and step.at is not None:
                date = step.date or date
            steps[index] = dataclasses.replace(
                existing,
                evidence=tuple(sorted(spans.values(), key=lambda s: s.start)),
                by=tuple(dict.fromkeys((*existing.by, *step.by))),
                at=existing.at or step.at,
                date=date,
            )
            made_at = pledge.made_at
            if step.status == "made" and made_at is None:
                made_at = step.at
            return dataclasses.replace(
                pledge,
                steps=tuple(steps),
                made_at=made_at,
                date=steps[index].date if step.status == "made" else pledge.date,
            )
    steps.append(step)
    order = {"made": 0}
    steps.sort(key=lambda s: order.get(s.status, 1))
    if step.status == "made":
        return dataclasses.replace(
            pledge,
            steps=tuple(steps),
            made_at=pledge.made_at or step.at,
            date=step.date or pledge.date,
        )
    return dataclasses.replace(pledge, steps=tuple(steps))
