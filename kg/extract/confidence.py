"""How far to trust an automatic fact: the record of the rule that found it, on the training set.

Every automatic fact names its rule (``Event.rule`` and the like): the trigger entry of a cue
table and the frame it fired in, such as ``event.verb.meet``, ``event.noun.summit``,
``pledge.verb.pledge``, ``pledge.will``, ``demand.verb.urge``, ``statement.speech-verb``.
``cues/rule_counts.yaml`` holds each rule's true and false positives on ``eval/train``, as
``dipkg eval eval/train --by-rule --write-counts kg/extract/cues/rule_counts.yaml`` writes them
(with every rule in use, whatever its record). From those counts:

- a fact's **confidence** is its rule's precision, smoothed so that a rule seen a few times
  stays near one half: ``(tp + 1) / (tp + fp + 2)`` (Laplace's rule of succession);
- a rule whose smoothed precision is below its kind's ``drop_below`` is **not used**:
  ``drop_below`` is half the kind's F1 on the training set, because adding ``tp`` matches and
  ``fp`` false alarms raises F1 only when ``tp / (tp + fp)`` exceeds ``F1 / 2``.

A rule the counts do not know (new, or never fired on the training set) gets one half and is
used. Pure apart from reading the counts file once per process.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import yaml

from kg.extract import lexicon
from kg.records import Coding, Demand, Event, Pledge, Statement

COUNTS_FILE = lexicon.DIRECTORY / "rule_counts.yaml"
_KINDS = {
    "event": "events",
    "pledge": "pledges",
    "demand": "demands",
    "statement": "statements",
    "response": "responses",
}


def kind_of(rule: str) -> str:
    """The kind of fact a rule finds, from its name ("event.verb.meet" -> "events")."""
    return _KINDS.get(rule.split(".", 1)[0], "")


@dataclass(frozen=True, slots=True)
class RuleCounts:
    """True and false positives per rule, and the cut per kind under which a rule is unused."""

    counts: Mapping[str, tuple[int, int]]
    drop_below: Mapping[str, float]

    def confidence(self, rule: str) -> float:
        """The smoothed precision of ``rule`` (one half when it has no record)."""
        tp, fp = self.counts.get(rule, (0, 0))
        return round((tp + 1) / (tp + fp + 2), 2)

    def is_used(self, rule: str) -> bool:
        """Whether the facts of ``rule`` are kept (its smoothed precision is not under its
        kind's cut, or it has no record)."""
        cut = self.drop_below.get(kind_of(rule), 0.0)
        return rule not in self.counts or self.confidence(rule) >= cut


@functools.cache
def rule_counts(path: Path = COUNTS_FILE) -> RuleCounts:
    """The counts file (empty counts when there is none: every rule at one half, all used)."""
    if not path.exists():
        return RuleCounts({}, {})
    with path.open(encoding="utf-8") as stream:
        data = yaml.safe_load(stream) or {}
    counts = {str(rule): (int(tp), int(fp)) for rule, (tp, fp) in data.get("rules", {}).items()}
    cuts = {str(k): float(v["drop_below"]) for k, v in data.get("kinds", {}).items()}
    return RuleCounts(counts, cuts)


F = TypeVar("F", Event, Pledge, Demand, Statement)


Keep = Callable[[Event | Pledge | Demand | Statement], bool]


def _rated(facts: tuple[F, ...], counts: RuleCounts, keep: Keep) -> tuple[F, ...]:
    return tuple(
        replace(fact, confidence=counts.confidence(fact.rule)) for fact in facts if keep(fact)
    )


def rate(
    coding: Coding, counts: RuleCounts, *, keep_all: bool = False, keep: Keep | None = None
) -> Coding:
    """An automatic coding with each fact's confidence from its rule, without the facts of
    unused rules (all kept with ``keep_all``, to count every rule; ``keep`` decides instead
    of the rule record when given: learned detection, :mod:`kg.extract.detection`); links to
    a dropped event are cut, and the responses to a dropped demand go (the learned design's
    ``keep`` does not judge responses: they follow their demand)."""
    decide: Keep = (lambda fact: True) if keep_all else keep or (lambda f: counts.is_used(f.rule))
    events = _rated(coding.events, counts, decide)
    kept = {e.key for e in events}
    pledges = _rated(coding.pledges, counts, decide)
    demands = _rated(coding.demands, counts, decide)
    statements = _rated(coding.statements, counts, decide)
    answered = {d.key for d in demands}
    responses = tuple(
        replace(r, confidence=counts.confidence(r.rule))
        for r in coding.responses
        if r.demand in answered and (keep_all or counts.is_used(r.rule))
    )
    return replace(
        coding,
        events=tuple(e if _kept(e.part_of, kept) else replace(e, part_of=None) for e in events),
        pledges=tuple(_unlink(p, kept) for p in pledges),
        demands=tuple(d if _kept(d.at, kept) else replace(d, at=None) for d in demands),
        statements=tuple(s if _kept(s.at, kept) else replace(s, at=None) for s in statements),
        responses=responses,
    )


def _kept(key: str | None, kept: set[str]) -> bool:
    return key is None or key in kept


def _unlink(pledge: Pledge, kept: set[str]) -> Pledge:
    steps = tuple(s if _kept(s.at, kept) else replace(s, at=None) for s in pledge.steps)
    made_at = pledge.made_at if _kept(pledge.made_at, kept) else None
    return replace(pledge, made_at=made_at, steps=steps)
