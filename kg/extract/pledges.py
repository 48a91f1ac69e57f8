"""Pledges, assurances and agreements, and the status steps a document reports for them.

Patterns over the parse: commitment verbs (``pledged``, ``promised``, ``vowed``, ``committed
to``, ``undertook to``, ``agreed to/on/that``, ``assured X that``, ``guaranteed``), the nouns
(``pledge``, ``promise``, ``commitment``, ``assurance``, ``agreement``) with their maker
(possessor, ``made by``, the subject of ``gave``/``made``), a state or leader that ``will``
provide / resume / open / curb ..., and status verbs around them (``reaffirmed``,
``reiterated`` -> reaffirmed; ``a step toward fulfilling`` -> progressed; ``fulfilled``;
``broke`` / ``violated`` -> broken; ``review`` -> reviewed). "This assurance was reiterated by
..." adds a step to the pledge reported before it. The topic comes from the pledge's content.
"""

from __future__ import annotations

import dataclasses

from spacy.tokens import Span as TokenSpan
from spacy.tokens import Token

from kg.extract import commitments, lexicon
from kg.extract.context import Context, event_for
from kg.extract.coreference import Resolved
from kg.extract.syntax import (
    agents,
    conjuncts,
    is_negated,
    objects,
    prep_objects,
    sentences,
    subjects,
)
from kg.records import DateValue, Event, Pledge, StatusStep
from kg.resolve.rules import same_pledge_report

COMMIT_VERBS = lexicon.table("pledges", "commit_verbs")
COMMIT_NOUNS = lexicon.table("pledges", "commit_nouns")
ANNOUNCE_VERBS = lexicon.words("pledges", "announce_verbs")
AID_WORDS = lexicon.words("pledges", "aid_words")
REAFFIRM_VERBS = lexicon.words("pledges", "reaffirm_verbs")
REAFFIRM_OBJECTS = lexicon.words("pledges", "reaffirm_objects")
WILL_VERBS = lexicon.words("pledges", "will_verbs")
OPINION_NOUNS = lexicon.words("pledges", "opinion_nouns")
SAY_VERBS = lexicon.words("pledges", "say_verbs")
ANAPHOR_DETERMINERS = lexicon.words("pledges", "anaphor_determiners")


@dataclasses.dataclass
class _Found:
    trigger: Token
    sentence: TokenSpan
    kind: str
    makers: list[Resolved]
    recipients: list[Resolved]
    content: str
    status: str
    date: DateValue | None
    rule: str
    anaphor: bool = False
    by: list[Resolved] = dataclasses.field(default_factory=list)
    use_context_event: bool = True
    same_event_as: int | None = None


def extract_pledges(context: Context) -> list[Pledge]:
    """Every pledge the document reports, with its steps, merged per pledge."""
    pledges: list[Pledge] = []
    trigger_events: dict[int, Event | None] = {}
    agreement: tuple[int, list[Resolved]] | None = None
    for sentence in context.deadline.each(sentences(context.doc)):
        if context.cleaned.is_noise(sentence.start_char, sentence.end_char):
            continue
        paragraph = context.paragraph_of(sentence.start_char)
        if agreement is not None and paragraph - agreement[0] > 1:
            agreement = None
        seen_triggers: set[int] = set()
        for token in context.deadline.each(sentence):
            if token.i in seen_triggers or context.is_quoted_speech(token):
                continue
            if token.lemma_ == "agree" and token.pos_ == "VERB" and not is_negated(token):
                parties = context.resolve_all(subjects(token), None)
                if parties:
                    agreement = (paragraph, parties)
            results = _pledges_at(context, token, sentence)
            if not results and agreement is not None:
                results = _outcome(context, token, sentence, agreement[1])
            for found in results:
                seen_triggers.add(found.trigger.i)
                _add(context, pledges, found, trigger_events)
    return [
        p if p.content else dataclasses.replace(p, content=p.steps[0].evidence[0].text)
        for p in pledges
    ]


def _outcome(
    context: Context, token: Token, sentence: TokenSpan, parties: list[Resolved]
) -> list[_Found]:
    """After "the two sides agreed ...": "a hotline between A and B will be opened",
    "military dialogue will resume" are agreements of those parties (or of A and B)."""
    if token.pos_ != "VERB" or token.lemma_.lower() not in WILL_VERBS:
        return []
    if token.dep_ not in ("ROOT", "conj") or not _future_check(token) or is_negated(token):
        return []
    subject = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subject or subject[0].pos_ not in ("NOUN",):
        return []
    if context.resolve_all(subject, None):
        return []
    named = context.resolve_all(prep_objects(subject[0], "between"), None)
    makers = named if len(named) >= 2 else parties
    kept = [
        t
        for t in token.subtree
        if not any(
            a.dep_ in ("prep", "advcl")
            and a.head.i == token.i
            and a.i != token.i
            and a.lower_ in ("after", "since", "before", "following", "despite")
            for a in (t, *t.ancestors)
        )
    ]
    content = "".join(t.text_with_ws for t in kept).strip(" .,")
    return [
        _Found(token, sentence, "agreement", makers, [], content, "made", None, "pledge.outcome")
    ]


def _pledges_at(context: Context, token: Token, sentence: TokenSpan) -> list[_Found]:
    lemma = token.lemma_.lower()
    if token.pos_ in ("VERB", "ADJ") and lemma in COMMIT_VERBS:
        return _verb_pledge(context, token, sentence, COMMIT_VERBS[lemma])
    if token.pos_ == "VERB" and lemma in ANNOUNCE_VERBS and _announces_aid(token):
        return _verb_pledge(context, token, sentence, "pledge")
    if token.pos_ == "VERB" and lemma in REAFFIRM_VERBS:
        return _reaffirmation(context, token, sentence)
    if token.pos_ == "NOUN" and lemma in COMMIT_NOUNS and token.tag_ == "NN":
        return _noun_pledge(context, token, sentence, COMMIT_NOUNS[lemma])
    if token.pos_ == "VERB" and lemma in WILL_VERBS and token.dep_ in ("ROOT", "conj", "ccomp"):
        return _will_pledge(context, token, sentence)
    return []


def _announces_aid(token: Token) -> bool:
    """ "Biden announced $1.85 billion in new military aid": an announced package is a pledge."""
    return any(t.lower_ in AID_WORDS for c in token.children if c.dep_ == "dobj" for t in c.subtree)


def _future_check(token: Token) -> bool:
    return any(
        c.dep_ == "aux" and c.lower_ in ("will", "shall", "’ll", "'ll") for c in token.children
    )


def _verb_pledge(context: Context, token: Token, sentence: TokenSpan, kind: str) -> list[_Found]:
    lemma = token.lemma_.lower()
    if is_negated(token) and lemma != "assure":
        return []
    if lemma in ("commit",) and token.dep_ == "amod":
        return []
    complement = commitments.complement(token)
    if complement is None:
        return []
    if lemma == "agree":
        if complement.lemma_.lower() in OPINION_NOUNS:
            return []
        if complement.dep_ == "ccomp" and not commitments.has_modal(complement):
            return []
    if lemma == "offer" and complement.dep_ != "xcomp":
        return []
    date, _ = context.date_for(token, False, sentence)
    makers = context.resolve_all(subjects(token) or agents(token), date)
    if not makers:
        return []
    recipients = context.resolve_all(
        [t for t in objects(token) if t != complement] + prep_objects(token, "to"), date
    )
    found = []
    for number, (piece, own_makers) in enumerate(
        commitments.split(context, complement, makers, date)
    ):
        found.append(
            _Found(
                token,
                sentence,
                kind if lemma != "agree" or len(own_makers) > 1 else "pledge",
                own_makers,
                recipients,
                commitments.content(piece),
                commitments.status(token),
                date,
                f"pledge.verb.{lemma}",
                same_event_as=None if number == 0 else token.i,
            )
        )
    return found


def _reaffirmation(context: Context, token: Token, sentence: TokenSpan) -> list[_Found]:
    """ "Biden reaffirmed the US's One China policy"; "this assurance was reiterated by ..."."""
    date, _ = context.date_for(token, False, sentence)
    targets = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
    target = next((t for t in targets if t.lemma_.lower() in REAFFIRM_OBJECTS), None)
    if target is None:
        clause = next((c for c in token.children if c.dep_ == "ccomp"), None)
        makers = context.resolve_all(subjects(token), date) if clause is not None else []
        if clause is None or not makers:
            return []
        return [
            _Found(
                token,
                sentence,
                "assurance",
                makers,
                [],
                commitments.content(clause),
                "reaffirmed",
                date,
                f"pledge.reaffirm.{token.lemma_.lower()}",
            )
        ]
    if target.lemma_.lower() in COMMIT_NOUNS and _is_anaphor(target):
        return []  # handled as a noun pledge referring back
    makers = context.resolve_all(subjects(token) or agents(token), date)
    if not makers:
        return []
    kind = {
        "policy": "assurance",
        "support": "assurance",
        "assurance": "assurance",
        "agreement": "agreement",
    }.get(target.lemma_.lower(), "pledge")
    return [
        _Found(
            token,
            sentence,
            kind,
            makers,
            [],
            commitments.content(target),
            "reaffirmed",
            date,
            f"pledge.reaffirm.{token.lemma_.lower()}",
        )
    ]


def _is_anaphor(token: Token) -> bool:
    return any(
        c.dep_ == "det" and c.lower_ in ANAPHOR_DETERMINERS for c in token.children
    ) and not any(c.dep_ in ("poss", "acl", "relcl") for c in token.children)


def _noun_pledge(context: Context, token: Token, sentence: TokenSpan, kind: str) -> list[_Found]:
    if any(c.dep_ == "det" and c.lower_ in ("no", "any") for c in token.children):
        return []
    date, _ = context.date_for(token, False, sentence)
    status = commitments.status(token)
    if _is_anaphor(token):
        verb = token.head if token.dep_ in ("nsubjpass", "nsubj", "dobj") else None
        by = context.resolve_all(agents(verb), date) if verb is not None else []
        if verb is not None and not by:
            by = context.resolve_all(subjects(verb), date) if token.dep_ == "dobj" else []
        rule = f"pledge.noun.{token.lemma_.lower()}"
        return [_Found(token, sentence, kind, [], [], "", status, date, rule, anaphor=True, by=by)]
    if token.dep_ == "nsubjpass" and token.head.lemma_.lower() in REAFFIRM_VERBS:
        status = "reaffirmed"
    makers_tokens = [t for c in token.children if c.dep_ == "poss" for t in conjuncts(c)]
    for child in token.children:
        if child.dep_ == "acl":
            makers_tokens += agents(child)
    if (
        not makers_tokens
        and token.dep_ in ("dobj",)
        and token.head.lemma_
        in (
            "make",
            "give",
            "offer",
            "extend",
            "announce",
            "deliver",
            "provide",
            "sign",
            "reach",
        )
    ):
        makers_tokens = subjects(token.head)
    makers = context.resolve_all(makers_tokens, date)
    if not makers:
        makers = context.resolve_all(_clause_agents(token), date)
    if not makers:
        return []
    content_token = next(
        (
            c
            for c in token.children
            if c.dep_ in ("acl", "relcl", "ccomp") and c.pos_ in ("VERB", "AUX")
        ),
        None,
    )
    if content_token is not None and content_token.tag_ == "VBN" and agents(content_token):
        content_token = None
    if content_token is not None and content_token.tag_ == "VBN":
        content_token = next(
            (c for c in token.children if c.dep_ in ("acl", "relcl") and c.pos_ in ("VERB", "AUX")),
            None,
        )
    if content_token is None:
        content_token = next(
            (
                g
                for c in token.children
                if c.dep_ == "prep" and c.lower_ in ("to", "on")
                for g in c.children
                if g.dep_ in ("pobj", "pcomp")
            ),
            None,
        )
    content = commitments.content(content_token) if content_token is not None else ""
    if kind == "agreement" and not content:
        return []
    recipients = context.resolve_all(prep_objects(token, "to"), date)
    return [
        _Found(
            token,
            sentence,
            kind,
            makers,
            recipients,
            content,
            status,
            date,
            f"pledge.noun.{token.lemma_.lower()}",
            use_context_event=False,
        )
    ]


def _clause_agents(token: Token) -> list[Token]:
    """The subject of the verb a commitment noun is the object of, through a relative
    pronoun ("signed a treaty that includes a pledge of ...")."""
    if token.dep_ not in ("dobj", "attr"):
        return []
    verb = token.head
    found = subjects(verb)
    if verb.dep_ == "relcl" and found and found[0].i == verb.head.i:
        antecedent = verb.head
        if antecedent.dep_ in ("dobj", "attr"):
            return subjects(antecedent.head)
        if antecedent.dep_ == "nsubjpass":
            return agents(antecedent.head)
        return []
    return found


def _will_pledge(context: Context, token: Token, sentence: TokenSpan) -> list[_Found]:
    """ "Japan will provide $200 million in aid"; "Trump said the United States would stop
    the exercises"; "Kyiv said it would appoint an ambassador". An actor's own announced
    action, in the future, with a verb of giving, opening, stopping, resuming and the like.
    Negated clauses are left out ("China will not interfere" is an assurance only when a
    commitment verb introduces it)."""
    modal = next(
        (
            c
            for c in token.children
            if c.dep_ == "aux" and c.lower_ in ("will", "shall", "would", "’ll", "'ll")
        ),
        None,
    )
    if modal is None or is_negated(token) or context.in_quote(token):
        return []
    head = token.head
    sayer: list[Resolved] = []
    if token.dep_ == "ccomp" and head.lemma_.lower() in SAY_VERBS:
        sayer = context.resolve_all(subjects(head), None)
        if len(sayer) != 1:
            return []
    elif modal.lower_ == "would" or token.dep_ == "ccomp":
        return []
    if any(a.lemma_.lower() in COMMIT_VERBS for a in token.ancestors):
        return []
    date, _ = context.date_for(token, True, sentence)
    subject_tokens = [t for t in subjects(token) if t.dep_ != "nsubjpass"]
    if not subject_tokens:
        return []
    if sayer and all(t.lower_ in ("it", "we", "they") for t in subject_tokens):
        makers = sayer
    else:
        makers = [
            m
            for m in context.resolve_all(subject_tokens, date)
            if (a := context.entities.actor(m.actor)) is not None and a.kind in ("state", "person")
        ]
        if sayer and makers:
            said_for = {_side(context, sayer[0].actor)}
            if {_side(context, m.actor) for m in makers} != said_for:
                return []
            makers = sayer
    if not makers:
        return []
    content = "".join(t.text_with_ws for t in token.subtree if t.i >= token.i).strip(" .,")
    return [_Found(token, sentence, "pledge", makers, [], content, "made", date, "pledge.will")]


def _side(context: Context, actor_id: str) -> str:
    actor = context.entities.actor(actor_id)
    if actor is None or actor.kind == "state":
        return actor_id
    return actor.office_of or actor.country or actor_id


def _parties(context: Context, makers: list[Resolved]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Makers and the states they act for; two leaders agreeing are their two states."""
    ids = tuple(dict.fromkeys(m.actor for m in makers))
    on_behalf: list[str] = []
    for actor_id in ids:
        actor = context.entities.actor(actor_id)
        if actor is None:
            continue
        state = actor.id if actor.kind == "state" else actor.country
        if actor.kind == "office" and actor.office_of:
            state = actor.office_of
        if state and state not in on_behalf and state != actor_id:
            on_behalf.append(state)
    return ids, tuple(on_behalf)


def _add(
    context: Context,
    pledges: list[Pledge],
    found: _Found,
    trigger_events: dict[int, Event | None],
) -> None:
    span = context.sentence_span(found.sentence)
    if found.anaphor:
        if not pledges:
            return
        same_kind = [p for p in pledges if p.kind == found.kind]
        target = (same_kind or pledges)[-1]
        index = pledges.index(target)
        step = StatusStep(
            found.status if found.status != "made" else "reaffirmed",
            context.document.id,
            (span,),
            found.date or target.date,
            None,
            tuple(r.actor for r in found.by),
        )
        pledges[index] = commitments.with_step(target, step)
        return
    makers, on_behalf = _parties(context, found.makers)
    if found.kind == "agreement" and len(makers) > 1 and len(on_behalf) > 1:
        makers, on_behalf = on_behalf, ()
    if found.same_event_as is not None:
        topics = context.topics_for(found.content, use_document=False)
    else:
        topics = context.topics_for(
            found.content, commitments.clause_text(found.trigger), found.sentence.text
        )
    event = event_for(context, found.sentence, [m.actor for m in found.makers])
    in_sentence = event is not None and any(
        found.sentence.start_char <= s.start < found.sentence.end_char for s in event.evidence
    )
    if event is not None and not in_sentence and not found.use_context_event:
        event = None
    if found.same_event_as is not None:
        event = event or trigger_events.get(found.same_event_as)
    else:
        trigger_events[found.trigger.i] = event
    date = found.date or (event.date if event is not None else None)
    at = event.key if event is not None else None
    step = StatusStep(found.status, context.document.id, (span,), date, at, ())
    for index, existing in enumerate(pledges):
        if same_pledge_report(existing, makers, topics, found.content):
            merged = commitments.with_step(existing, step)
            if not existing.content and found.content:
                merged = dataclasses.replace(merged, content=found.content, topics=topics)
            pledges[index] = merged
            return
    pledges.append(
        Pledge(
            key=f"pledge-{len(pledges) + 1}",
            document_id=context.document.id,
            kind=found.kind,
            makers=makers,
            content=found.content,
            topics=topics,
            steps=(step,),
            on_behalf_of=on_behalf,
            recipients=tuple(r.actor for r in found.recipients if r.actor not in makers),
            made_at=at if found.status == "made" else None,
            date=date,
            rule=found.rule,
        )
    )
