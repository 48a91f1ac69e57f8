"""Scoring automatic extraction against gold codings: precision, recall and F1 per kind, and
date accuracy.

A gold directory holds documents (``.txt``, ``.md``, ``.html``) with their ``.meta.yaml`` and a
gold ``.coding.yaml`` each (the curated format, docs/model.md), and optionally
``registry-extra.yaml`` for actors and places the corpus registry lacks. What counts as a match:

- **events**: same type, the same set of participants (after registry resolution; a
  provisional actor matches a registry actor whose name it carries), and compatible dates (one
  interval inside the other; two undated events match);
- **pledges**: the same parties (the states acted for, else the makers) and a shared topic;
- **demands**: the same requesting parties and a shared topic;
- **statements**: the same speaker and the same quotation (one contains the other, ignoring
  case, spacing and surrounding punctuation);
- **dates**: of the matched events, the share whose date equals the gold date exactly (same
  value at the same precision; both undated counts as equal).

Matching is one-to-one and greedy in document order. A document whose extraction fails (past
the time limit, or a fault in extraction) predicts nothing, and the report names it with the
reason. Each predicted fact counts as a true or a false positive of the rule that found it
(``--by-rule``); :func:`write_rule_counts` keeps those counts for :mod:`kg.extract.confidence`.
Pure apart from :func:`evaluate`, which reads the directory, and :func:`write_rule_counts`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml

from kg.errors import DipkgError, ExtractionError, InputError
from kg.extract.confidence import RuleCounts
from kg.formats import DOCUMENT_SUFFIXES
from kg.records import Actor, Coding, Demand, Event, Pledge, Statement, Vocabulary
from kg.resolve.rules import dates_compatible
from kg.sources.articles import document_id, read_document
from kg.sources.coding import read_coding
from kg.sources.registry import Registry, load_registry, normalize_name

KINDS = ("events", "pledges", "demands", "statements")
EXTRA_REGISTRY = "registry-extra.yaml"
SEALED_SPLIT = ("eval", "test")  # the folder whose facts may be scored, never listed

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Score:
    """Counts for one kind: true positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 1.0 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall.

        >>> round(Score(8, 2, 2).f1, 2)
        0.8
        """
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class DateScore:
    """Dates of matched events: how many equal the gold date (value and precision)."""

    correct: int = 0
    total: int = 0

    def __add__(self, other: DateScore) -> DateScore:
        return DateScore(self.correct + other.correct, self.total + other.total)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass(frozen=True)
class DocumentScore:
    """One document's scores and the unmatched items (for error analysis); ``failure`` is why
    its extraction failed, if it did (it then predicted nothing)."""

    document_id: str
    scores: dict[str, Score]
    dates: DateScore
    misses: dict[str, list[str]] = field(default_factory=dict)
    rules: dict[str, Score] = field(default_factory=dict)  # per rule: tp and fp only
    failure: str | None = None


@dataclass(frozen=True)
class EvaluationReport:
    """Scores per document and in total."""

    documents: tuple[DocumentScore, ...]

    @property
    def totals(self) -> dict[str, Score]:
        """Micro-averaged counts per kind over all documents."""
        totals = {kind: Score() for kind in KINDS}
        for document in self.documents:
            for kind in KINDS:
                totals[kind] = totals[kind] + document.scores[kind]
        return totals

    @property
    def rule_counts(self) -> RuleCounts:
        """True and false positives per extraction rule over all documents, and per kind the
        cut under which a rule lowers F1 (half the kind's F1): the record extraction rates its
        facts by (:mod:`kg.extract.confidence`)."""
        totals: dict[str, Score] = {}
        for document in self.documents:
            for rule, score in document.rules.items():
                totals[rule] = totals.get(rule, Score()) + score
        counts = {rule: (s.tp, s.fp) for rule, s in sorted(totals.items()) if rule}
        cuts = {kind: round(s.f1 / 2, 4) for kind, s in self.totals.items()}
        return RuleCounts(counts, cuts)

    def render_rules(self) -> str:
        """A table of every rule: its true and false positives, its smoothed precision (the
        confidence of its facts) and whether it is used."""
        record = self.rule_counts
        header = f"{'rule':<34}{'tp':>5}{'fp':>5}{'conf':>7}  used"
        lines = [header, "-" * len(header)]
        for rule, (tp, fp) in record.counts.items():
            used = "yes" if record.is_used(rule) else "no"
            lines.append(f"{rule:<34}{tp:>5}{fp:>5}{record.confidence(rule):>7.2f}  {used}")
        return "\n".join(lines) + "\n"

    @property
    def failures(self) -> dict[str, str]:
        """Why extraction failed, per document that failed."""
        return {d.document_id: d.failure for d in self.documents if d.failure is not None}

    @property
    def dates(self) -> DateScore:
        total = DateScore()
        for document in self.documents:
            total = total + document.dates
        return total

    def render_misses(self) -> str:
        """Every document's per-fact diff: the gold facts missed, the predicted facts no gold
        fact took, and the matched events with a wrong date, one line each."""
        lines = []
        for document in self.documents:
            if document.failure is not None:
                lines.append(f"{document.document_id}: failed {document.failure}")
            for kind, misses in document.misses.items():
                lines += [f"{document.document_id}  {kind}: {miss}" for miss in misses]
        return "\n".join(lines) + "\n" if lines else ""

    def render(self, fmt: str = "text", per_document: bool = False) -> str:
        """The report as a text table, a Markdown table or JSON."""
        if fmt == "json":
            return json.dumps(self.as_dict(), indent=2) + "\n"
        failed = [f"{d}: {reason}" for d, reason in self.failures.items()]
        rows = [
            (kind, s.tp + s.fn, s.tp + s.fp, s.tp, s.precision, s.recall, s.f1)
            for kind, s in self.totals.items()
        ]
        dates = self.dates
        if fmt == "markdown":
            lines = [
                "| kind | gold | predicted | matched | precision | recall | F1 |",
                "|---|---|---|---|---|---|---|",
            ]
            lines += [
                f"| {k} | {g} | {p} | {m} | {pr:.2f} | {rc:.2f} | {f:.2f} |"
                for k, g, p, m, pr, rc, f in rows
            ]
            lines.append(
                f"| dates (matched events) | {dates.total} | | {dates.correct} | | | "
                f"accuracy {dates.accuracy:.2f} |"
            )
            lines += [""] + [f"- failed {line}" for line in failed] if failed else []
            return "\n".join(lines) + "\n"
        header = f"{'kind':<12}{'gold':>6}{'pred':>6}{'match':>7}{'P':>7}{'R':>7}{'F1':>7}"
        lines = [header, "-" * len(header)]
        lines += [
            f"{k:<12}{g:>6}{p:>6}{m:>7}{pr:>7.2f}{rc:>7.2f}{f:>7.2f}"
            for k, g, p, m, pr, rc, f in rows
        ]
        lines.append(
            f"{'dates':<12}{dates.total:>6}{'':>6}{dates.correct:>7}"
            f"{'':>7}{'':>7}{dates.accuracy:>7.2f}  (accuracy over matched events)"
        )
        lines += [f"failed {line}" for line in failed]
        if per_document:
            lines.append("")
            for document in self.documents:
                cells = "  ".join(
                    f"{k} {s.tp}/{s.tp + s.fn} ({s.tp + s.fp} pred)"
                    for k, s in document.scores.items()
                )
                lines.append(
                    f"{document.document_id}: {cells}  dates {document.dates.correct}/"
                    f"{document.dates.total}"
                )
                for kind, misses in document.misses.items():
                    for miss in misses:
                        lines.append(f"    {kind}: {miss}")
        return "\n".join(lines) + "\n"

    def as_dict(self) -> dict[str, object]:
        totals = {
            kind: {
                "tp": s.tp,
                "fp": s.fp,
                "fn": s.fn,
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
            }
            for kind, s in self.totals.items()
        }
        report: dict[str, object] = {
            "documents": len(self.documents),
            "totals": totals,
            "dates": {
                "correct": self.dates.correct,
                "total": self.dates.total,
                "accuracy": round(self.dates.accuracy, 4),
            },
        }
        if self.failures:  # only then, so that a clean run reads as it always did
            report["failed"] = self.failures
        return report


# -- matching ------------------------------------------------------------------------------


class ActorCanon:
    """Maps predicted actor ids onto gold ids: a provisional actor is the registry actor
    its name resolves to, when there is one."""

    def __init__(self, registry: Registry, provisional: Iterable[Actor] = ()) -> None:
        self.registry = registry
        self.provisional = {a.id: a for a in provisional}

    def __call__(self, actor_id: str) -> str:
        if actor_id in self.registry.actors:
            return actor_id
        actor = self.provisional.get(actor_id)
        if actor is not None:
            for name in (actor.label, *actor.aliases):
                found = self.registry.find_actor(name)
                if found is not None:
                    return found.id
        return actor_id

    def state(self, actor_id: str) -> str:
        """The state an actor stands for (itself for a state)."""
        actor_id = self(actor_id)
        actor = self.registry.actors.get(actor_id) or self.provisional.get(actor_id)
        if actor is None or actor.kind == "state":
            return actor_id
        if actor.kind == "office" and actor.office_of:
            return actor.office_of
        return actor.country or actor_id


def _parties(canon: ActorCanon, actors: Sequence[str], on_behalf: Sequence[str]) -> frozenset[str]:
    if on_behalf:
        return frozenset(canon.state(a) for a in on_behalf)
    return frozenset(canon.state(a) for a in actors)


def _quote_key(text: str) -> str:
    text = normalize_name(text).replace("’", "'")
    return re.sub(r"[^\w' ]+", "", text).strip()


def _greedy(
    gold: Sequence[T],
    predicted: Sequence[T],
    matches: Callable[[T, T], bool],
    better: Callable[[T, T], int] | None = None,
) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """One-to-one matching: each gold item takes the best unused prediction it matches."""
    used: set[int] = set()
    pairs: list[tuple[T, T]] = []
    missed: list[T] = []
    for item in gold:
        candidates = [(i, p) for i, p in enumerate(predicted) if i not in used and matches(item, p)]
        if not candidates:
            missed.append(item)
            continue
        if better is not None:
            candidates.sort(key=lambda pair: -better(item, pair[1]))
        index, chosen = candidates[0]
        used.add(index)
        pairs.append((item, chosen))
    extra = [p for i, p in enumerate(predicted) if i not in used]
    return pairs, missed, extra


def score_coding(
    gold: Coding,
    predicted: Coding,
    registry: Registry,
    provisional: Iterable[Actor] = (),
) -> DocumentScore:
    """Score one document's automatic coding against its gold coding."""
    canon = ActorCanon(registry, provisional)

    def people(event: Event) -> frozenset[str]:
        # Curators code a visit's host state in some documents and not in others: visits
        # match on their visitors when either side names no host.
        if event.type == "visit":
            visitors = frozenset(canon(p.actor) for p in event.participants if p.role == "visitor")
            return visitors
        return frozenset(canon(a) for a in event.actor_ids)

    def event_match(g: Event, p: Event) -> bool:
        if g.type != p.type:
            return False
        if people(g) != people(p):
            return False
        if g.type == "visit" and _hosts(g) and _hosts(p) and _hosts(g) != _hosts(p):
            return False
        if g.status == "planned" and (g.date is None or p.date is None):
            return True
        return dates_compatible(g.date, p.date)

    event_pairs, event_missed, event_extra = _greedy(
        gold.events, predicted.events, event_match, lambda g, p: int(_same_date(g, p))
    )

    def pledge_match(g: Pledge, p: Pledge) -> bool:
        return _parties(canon, g.makers, g.on_behalf_of) == _parties(
            canon, p.makers, p.on_behalf_of
        ) and bool(set(g.topics) & set(p.topics))

    pledge_pairs, pledge_missed, pledge_extra = _greedy(
        gold.pledges, predicted.pledges, pledge_match
    )

    def demand_match(g: Demand, p: Demand) -> bool:
        return _parties(canon, g.requesters, g.on_behalf_of) == _parties(
            canon, p.requesters, p.on_behalf_of
        ) and bool(set(g.topics) & set(p.topics))

    demand_pairs, demand_missed, demand_extra = _greedy(
        gold.demands, predicted.demands, demand_match
    )

    def statement_match(g: Statement, p: Statement) -> bool:
        if canon(g.speaker) != canon(p.speaker):
            return False
        gq, pq = _quote_key(g.quote), _quote_key(p.quote)
        return bool(gq and pq) and (gq in pq or pq in gq)

    statement_pairs, statement_missed, statement_extra = _greedy(
        gold.statements, predicted.statements, statement_match
    )
    dates = DateScore(sum(1 for g, p in event_pairs if _same_date(g, p)), len(event_pairs))
    scores = {
        "events": Score(len(event_pairs), len(event_extra), len(event_missed)),
        "pledges": Score(len(pledge_pairs), len(pledge_extra), len(pledge_missed)),
        "demands": Score(len(demand_pairs), len(demand_extra), len(demand_missed)),
        "statements": Score(len(statement_pairs), len(statement_extra), len(statement_missed)),
    }
    misses: dict[str, list[str]] = {}
    for kind, missed, extra in (
        ("events", event_missed, event_extra),
        ("pledges", pledge_missed, pledge_extra),
        ("demands", demand_missed, demand_extra),
        ("statements", statement_missed, statement_extra),
    ):
        notes = [f"missed {_describe(x)}{_quoted(x)}" for x in missed]
        notes += [f"extra  {_describe(x)} [{x.rule}]{_quoted(x)}" for x in extra]
        if notes:
            misses[kind] = notes
    rules: dict[str, Score] = {}
    for pairs, extra in (
        (event_pairs, event_extra),
        (pledge_pairs, pledge_extra),
        (demand_pairs, demand_extra),
        (statement_pairs, statement_extra),
    ):
        for _, fact in pairs:
            rules[fact.rule] = rules.get(fact.rule, Score()) + Score(tp=1)
        for fact in extra:
            rules[fact.rule] = rules.get(fact.rule, Score()) + Score(fp=1)
    for g, p in event_pairs:
        if not _same_date(g, p):
            misses.setdefault("dates", []).append(
                f"{_describe_event(g)}: predicted {p.date.iso if p.date else 'undated'}"
            )
    return DocumentScore(gold.document.id, scores, dates, misses, rules)


def _same_date(gold: Event, predicted: Event) -> bool:
    """The same date value at the same precision (both undated counts as the same)."""
    if gold.date is None or predicted.date is None:
        return gold.date is predicted.date
    return gold.date.iso == predicted.date.iso


def write_rule_counts(report: EvaluationReport, path: Path, command: str) -> None:
    """Write the rule counts of ``report`` (an evaluation of every rule: ``keep_all``) for
    :mod:`kg.extract.confidence`, saying which ``command`` wrote them."""
    record = report.rule_counts
    kinds = {
        kind: {"f1": round(score.f1, 4), "drop_below": record.drop_below[kind]}
        for kind, score in report.totals.items()
    }
    rules = {rule: list(counts) for rule, counts in record.counts.items()}
    header = (
        "# Each extraction rule's true and false positives on the training set, and per kind the\n"
        "# smoothed precision under which a rule is not used (kg/extract/confidence.py).\n"
        f"# Written by: {command}\n"
    )
    body = yaml.safe_dump(
        {"kinds": kinds, "rules": rules}, sort_keys=True, width=100, default_flow_style=None
    )
    path.write_text(header + body, encoding="utf-8")


def _describe(fact: Event | Pledge | Demand | Statement) -> str:
    if isinstance(fact, Event):
        return _describe_event(fact)
    if isinstance(fact, Pledge):
        return _describe_pledge(fact)
    if isinstance(fact, Demand):
        return _describe_demand(fact)
    return _describe_statement(fact)


def _quoted(fact: Event | Pledge | Demand | Statement) -> str:
    """The start of a fact's first evidence sentence, to see at a glance where it stands."""
    return f'  "{fact.evidence[0].text[:90]}"' if fact.evidence else ""


def _hosts(event: Event) -> frozenset[str]:
    return frozenset(p.actor for p in event.participants if p.role == "host")


def _describe_event(event: Event) -> str:
    date = event.date.iso if event.date else "undated"
    return f"{event.type} {date} {sorted(event.actor_ids)} ({event.status})"


def _describe_pledge(pledge: Pledge) -> str:
    return f"{pledge.kind} by {list(pledge.makers)} on {list(pledge.topics)}: {pledge.content[:60]}"


def _describe_demand(demand: Demand) -> str:
    who, topics = list(demand.requesters), list(demand.topics)
    return f"{demand.kind} by {who} on {topics}: {demand.content[:60]}"


def _describe_statement(statement: Statement) -> str:
    return f"{statement.speaker}: {statement.quote[:60]!r}"


# -- the directory -------------------------------------------------------------------------


def gold_documents(gold_dir: Path) -> list[Path]:
    """The documents of a gold directory that have a gold coding, sorted by name."""
    found = [
        p
        for p in sorted(gold_dir.iterdir())
        if p.suffix.lower() in DOCUMENT_SUFFIXES
        and (p.with_name(document_id(p) + ".coding.yaml")).exists()
    ]
    if not found:
        raise InputError(
            f"{gold_dir}: no documents with a gold coding (*.txt|*.md|*.html + *.coding.yaml).",
            hint="A gold directory holds each article, its .meta.yaml and its .coding.yaml.",
        )
    return found


def is_sealed(gold_dir: Path) -> bool:
    """Whether ``gold_dir`` is (or lies inside) the sealed test split ``eval/test``, whose
    facts are scored but never listed, so that nobody tunes extraction on them.

    >>> is_sealed(Path("eval/test")), is_sealed(Path("/x/eval/test/sub"))
    (True, True)
    >>> is_sealed(Path("eval/train")), is_sealed(Path("tests/test"))
    (False, False)
    """
    parts = gold_dir.resolve().parts
    return any(parts[i : i + 2] == SEALED_SPLIT for i in range(len(parts) - 1))


def gold_registry(gold_dir: Path, corpus_registry: Path) -> Registry:
    """The corpus registry, plus the gold directory's ``registry-extra.yaml`` if present."""
    extra = gold_dir / EXTRA_REGISTRY
    return load_registry(corpus_registry, (extra,) if extra.exists() else ())


def evaluate(
    gold_dir: Path,
    registry: Registry,
    vocabulary: Vocabulary,
    *,
    extraction_registry: Registry | None = None,
    every_rule: bool = False,
    timeout: float | None = None,
    detection: str | None = None,
) -> EvaluationReport:
    """Extract every gold document automatically and score it against its gold coding.

    Args:
        gold_dir: documents with ``.meta.yaml`` and gold ``.coding.yaml``.
        registry: the registry the gold codings are read with.
        vocabulary: scheme notations.
        extraction_registry: the registry extraction runs with (default ``registry``); a
            smaller one measures how provisional actors fare.
        every_rule: extract with every rule, also those the rule counts leave out (to count
            them all).
        timeout: seconds one document's extraction may take (``None``: no limit).
        detection: the design of extraction, ``rules`` or ``learned``
            (:mod:`kg.extract.detection`; ``None``: its default).

    Raises:
        InputError: a document, its metadata or its gold coding is missing or malformed.
        UsageError: ``detection`` is not a design.
    """
    from kg.extract import Extractor  # spaCy loads only when evaluation runs
    from kg.extract.detection import DEFAULT_DESIGN

    extractor = Extractor(
        extraction_registry or registry,
        vocabulary,
        timeout,
        keep_all=every_rule,
        detection=detection or DEFAULT_DESIGN,
    )
    paths = gold_documents(gold_dir)
    documents = [read_document(p) for p in paths]
    golds = [
        read_coding(p.with_name(document_id(p) + ".coding.yaml"), d, registry, vocabulary)
        for p, d in zip(paths, documents, strict=True)
    ]
    scores = []
    for gold, document in zip(golds, documents, strict=True):
        try:
            extraction = extractor.extract(document)
        except DipkgError as exc:
            scores.append(_failed(gold, registry, exc.message))
            continue
        except Exception as exc:
            # The one broad catch of evaluation: a fault in extraction must not cost the
            # report; the document scores as predicting nothing and the report names it.
            scores.append(_failed(gold, registry, ExtractionError.from_fault(exc).message))
            continue
        scores.append(score_coding(gold, extraction.coding, registry, extraction.actors))
    return EvaluationReport(tuple(scores))


def _failed(gold: Coding, registry: Registry, reason: str) -> DocumentScore:
    nothing = Coding(gold.document, (), (), (), (), source="automatic")
    return dataclasses.replace(score_coding(gold, nothing, registry), failure=reason)
