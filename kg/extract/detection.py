"""Learned detection: a sentence classifier trained on the annotated corpus (``eval/train``)
that says which sentences state an event (and its type), a pledge, a demand, a quotation or a
reported outcome, and the decision it makes over the facts the rules found.

The classifier is a spaCy ``textcat_multilabel`` pipeline shipped in ``models/detect/``
(rebuilt by ``scripts/train.py``, :mod:`kg.flows.train`); its ``detection.yaml`` holds, per
kind of fact, the two cuts chosen on the development split of ``eval/train``:

- ``floor``: a fact of a used rule is left out when its sentence scores under it (precision);
- ``gate``: a fact of a rule its record leaves out (:mod:`kg.extract.confidence`) is kept
  when its sentence scores at least that (recall from low-precision rules).

The rules still find every fact and fill its roles (participants, dates, places); detection
only decides which facts stay. Two designs, selectable so the comparison can be rerun
(``dipkg eval --detection``): ``rules`` (the rule record alone) and ``learned`` (the record
and the classifier). :data:`DEFAULT_DESIGN` is the one that scored higher on ``eval/test``.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import InputError
from kg.extract.confidence import RuleCounts
from kg.extract.syntax import sentences, trimmed
from kg.records import Demand, Event, Pledge, Span, Statement

MODEL_DIRECTORY = Path(__file__).with_name("models") / "detect"
CUTS_FILE = "detection.yaml"
DESIGNS = ("rules", "learned")
DEFAULT_DESIGN = "rules"
"""The design extraction uses unless told otherwise (bench/RESULTS.md, issue 14)."""

OUTCOME_RULES = frozenset({"pledge.outcome"})
"""Rules whose pledge is a reported outcome (fulfilled, broken) rather than a pledge made."""

OUTCOME_STATUSES = frozenset({"progressed", "fulfilled", "broken"})
"""Pledge steps that report an outcome (label ``outcome``)."""

KIND_LABELS = ("event", "pledge", "demand", "statement", "outcome")
"""The labels a fact's kind is decided by; events also get ``event.<type>``."""


def fact_label(fact: Event | Pledge | Demand | Statement) -> str:
    """The label whose score decides a fact: its kind, ``outcome`` for a reported outcome."""
    if isinstance(fact, Event):
        return "event"
    if isinstance(fact, Pledge):
        return "outcome" if fact.rule in OUTCOME_RULES else "pledge"
    return "demand" if isinstance(fact, Demand) else "statement"


@dataclass(frozen=True, slots=True)
class Cut:
    """The two cuts of one label (see the module docstring)."""

    floor: float = 0.0
    gate: float = 1.01  # above any score: rules left out stay out


@dataclass(frozen=True, slots=True)
class SentenceScores:
    """The classifier's scores of each sentence of one document, by character range."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    scores: tuple[Mapping[str, float], ...]

    def score(self, label: str, evidence: Sequence[Span]) -> float:
        """The highest score of ``label`` over the sentences an evidence span starts in (1.0
        when no span falls in a sentence: nothing to judge)."""
        found = [self._sentence(span.start) for span in evidence]
        values = [self.scores[i].get(label, 0.0) for i in found if i is not None]
        return max(values) if values else 1.0

    def _sentence(self, offset: int) -> int | None:
        at = bisect.bisect_right(self.starts, offset) - 1
        return at if at >= 0 and offset < self.ends[at] else None


class Detector:
    """The trained sentence classifier and its cuts; load it with :func:`load_detector`."""

    def __init__(self, nlp: Language, cuts: Mapping[str, Cut]) -> None:
        self.nlp = nlp
        self.cuts = dict(cuts)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.nlp.get_pipe("textcat_multilabel").labels)  # type: ignore[attr-defined]

    def classify(self, texts: Iterable[str]) -> list[dict[str, float]]:
        """Each text's score per label (0 to 1)."""
        return [dict(doc.cats) for doc in self.nlp.pipe(texts, batch_size=64)]

    def score_document(self, doc: Doc) -> SentenceScores:
        """The scores of every sentence of a parsed document (:func:`syntax.sentences`)."""
        ranges = [trimmed(s) for s in sentences(doc)]
        texts = [doc.text[start:end] for start, end in ranges]
        return SentenceScores(
            tuple(r[0] for r in ranges), tuple(r[1] for r in ranges), tuple(self.classify(texts))
        )

    def keeps(
        self,
        fact: Event | Pledge | Demand | Statement,
        scores: SentenceScores,
        counts: RuleCounts,
    ) -> bool:
        """Whether the learned design keeps a fact the rules found (see the module docstring)."""
        label = fact_label(fact)
        cut = self.cuts.get(label, Cut())
        score = scores.score(label, fact.evidence)
        return score >= cut.floor if counts.is_used(fact.rule) else score >= cut.gate


def read_cuts(path: Path) -> dict[str, Cut]:
    """The cuts file of a model directory (``label: {floor: F, gate: G}``).

    Raises:
        InputError: the file is missing or a cut is not a number.
    """
    if not path.exists():
        raise InputError(
            f"{path}: the cuts of the detection model are missing.",
            hint="Rebuild the model: python scripts/train.py.",
        )
    with path.open(encoding="utf-8") as stream:
        data = yaml.safe_load(stream) or {}
    try:
        return {
            str(label): Cut(float(cut["floor"]), float(cut["gate"]))
            for label, cut in (data.get("cuts") or {}).items()
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"{path}: each cut needs a numeric floor and gate ({exc}).",
            hint="Rebuild the model: python scripts/train.py.",
        ) from exc


def write_cuts(path: Path, cuts: Mapping[str, Cut], note: str) -> None:
    """Write a cuts file (see :func:`read_cuts`), with a comment saying how it was made."""
    body = yaml.safe_dump(
        {"cuts": {label: {"floor": c.floor, "gate": c.gate} for label, c in sorted(cuts.items())}},
        sort_keys=True,
        default_flow_style=None,
    )
    path.write_text(f"# {note}\n" + body, encoding="utf-8")


@functools.cache
def load_detector(directory: Path = MODEL_DIRECTORY) -> Detector:
    """The shipped classifier, loaded once per process (a few MB; CPU).

    Raises:
        InputError: the model directory or its cuts are missing.
    """
    import spacy  # heavy import, deferred until detection is needed

    if not (directory / "config.cfg").exists():
        raise InputError(
            f"{directory}: no detection model here.",
            hint="Rebuild it: python scripts/train.py.",
        )
    return Detector(spacy.load(directory), read_cuts(directory / CUTS_FILE))
