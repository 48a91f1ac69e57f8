"""Learned detection: training labels from a curated coding, the fixed split, the shipped
classifier on sentences of a data file, its decision over the rules' facts, the design
setting, and (slow) that a rebuild from eval/train scores as the shipped model does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kg import records as r
from kg.config import PROJECT_ROOT, Settings
from kg.errors import InputError, UsageError
from kg.extract import Extractor
from kg.extract.confidence import RuleCounts
from kg.extract.detection import (
    MODEL_DIRECTORY,
    Cut,
    Detector,
    SentenceScores,
    load_detector,
    read_cuts,
)
from kg.flows.evaluate import gold_registry
from kg.flows.train import (
    RECIPE_FILE,
    Recipe,
    label_sentences,
    read_articles,
    sentence_scores,
    split_articles,
    train_classifier,
)
from kg.rdf.ontology import load_vocabulary, scheme_notations
from kg.sources.registry import Registry

SENTENCES = yaml.safe_load(
    (Path(__file__).with_name("detection_sentences.yaml")).read_text(encoding="utf-8")
)
TEXT = (
    "Xi met Biden in Woodside. "  # 0-25
    "It rained all day. "  # 26-44
    "China pledged to buy soybeans. "  # 45-75
    "Beijing later bought them all. "  # 76-106
    '"Fine," Biden said.'  # 107-126
)


def _span(text: str) -> r.Span:
    start = TEXT.index(text)
    return r.Span("d", start, start + len(text), text)


def _ranges() -> list[tuple[int, int]]:
    ranges, start = [], 0
    for piece in TEXT.split(". "):
        end = start + len(piece) + (1 if not piece.endswith(".") else 0)
        ranges.append((start, min(end, len(TEXT))))
        start = end + 1
    return ranges


def _coding() -> r.Coding:
    document = r.Document("d", TEXT, "t", None)
    meeting = r.Event(
        "m", "d", "meeting", "held", (r.Participation("xi"),), (_span("Xi met Biden in Woodside."),)
    )
    steps = (
        r.StatusStep("made", "d", (_span("China pledged to buy soybeans."),)),
        r.StatusStep("fulfilled", "d", (_span("Beijing later bought them all."),)),
    )
    pledge = r.Pledge("p", "d", "pledge", ("china",), "buy soybeans", ("trade",), steps)
    quote = r.Statement("s", "d", "biden", "Fine", (_span('"Fine," Biden said.'),))
    return r.Coding(document, (meeting,), (pledge,), statements=(quote,))


def test_each_sentence_is_labelled_by_the_evidence_that_overlaps_it() -> None:
    ranges = _ranges()
    assert [TEXT[s:e] for s, e in ranges][1] == "It rained all day."
    labels = [sorted(e.labels) for e in label_sentences(_coding(), ranges)]
    assert labels == [["event", "event.meeting"], [], ["pledge"], ["outcome"], ["statement"]]


def test_the_split_is_by_article_fixed_and_disjoint() -> None:
    ids = [f"article-{n:02}" for n in range(30)]
    train, dev = split_articles(ids, 0.2, 14)
    assert len(dev) == 6 and not set(train) & set(dev) and set(train) | set(dev) == set(ids)
    assert split_articles(reversed(ids), 0.2, 14) == (train, dev)
    assert split_articles(ids, 0.2, 15) != (train, dev)


@pytest.mark.parametrize("label", sorted(SENTENCES))
def test_the_shipped_detector_tells_positive_from_negative_sentences(label: str) -> None:
    detector = load_detector()
    assert label in detector.labels
    positive = detector.classify(SENTENCES[label]["positive"])
    negative = detector.classify(SENTENCES[label]["negative"])
    assert all(scores[label] >= 0.5 for scores in positive), positive
    assert all(scores[label] < 0.5 for scores in negative), negative


def test_the_detector_keeps_facts_by_the_score_of_their_sentence() -> None:
    detector = Detector(load_detector().nlp, {"demand": Cut(floor=0.3, gate=0.9)})
    counts = RuleCounts({"demand.verb.urge": (12, 6), "demand.verb.warn": (0, 4)}, {"demands": 0.2})
    scores = SentenceScores((0, 20), (19, 40), ({"demand": 0.95}, {"demand": 0.1}))

    def demand(rule: str, start: int) -> r.Demand:
        return r.Demand(
            "k", "d", "demand", ("x",), "c", (), (r.Span("d", start, start + 5, "x"),), rule=rule
        )

    assert detector.keeps(demand("demand.verb.urge", 0), scores, counts)  # used, scored high
    assert not detector.keeps(demand("demand.verb.urge", 25), scores, counts)  # under the floor
    assert detector.keeps(demand("demand.verb.warn", 0), scores, counts)  # unused, over the gate
    assert not detector.keeps(demand("demand.verb.warn", 25), scores, counts)


def test_an_unknown_design_is_refused(
    registry: Registry, vocabulary: dict[str, frozenset[str]]
) -> None:
    with pytest.raises(UsageError, match="'neural'"):
        Extractor(registry, vocabulary, detection="neural")


def test_a_cuts_file_without_numbers_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "detection.yaml"
    path.write_text("cuts:\n  event: {floor: low}\n", encoding="utf-8")
    with pytest.raises(InputError, match="detection.yaml: each cut needs"):
        read_cuts(path)
    with pytest.raises(InputError, match="missing"):
        read_cuts(tmp_path / "none.yaml")


def test_the_shipped_model_is_small_enough() -> None:
    size = sum(p.stat().st_size for p in MODEL_DIRECTORY.rglob("*") if p.is_file())
    assert size <= 30 * 2**20


@pytest.mark.slow
def test_a_rebuild_from_eval_train_scores_as_the_shipped_model() -> None:
    """Rebuilds the classifier by the shipped recipe (65 articles parsed, 12 epochs: 64 s
    on the shared 2-core machine at a load of 7, 108 s at 12.6): its sentence F1 on the
    development split is within 0.02 of the shipped model's (the rebuild is in fact
    byte-identical: same data, seed and settings), and the shipped model scores what its
    training.yaml records."""
    record = yaml.safe_load((MODEL_DIRECTORY / RECIPE_FILE).read_text(encoding="utf-8"))
    recipe = Recipe(**record["recipe"])
    gold_dir = PROJECT_ROOT / record["gold_dir"]
    settings = Settings()
    registry = gold_registry(gold_dir, settings.corpus_dir / "registry.yaml")
    vocabulary = scheme_notations(load_vocabulary(settings.ontology_dir))
    articles = read_articles(gold_dir, registry, vocabulary)
    by_id = {a.gold.document.id: a for a in articles}
    train_ids, dev_ids = split_articles(by_id, recipe.dev_share, recipe.seed)
    assert dev_ids == record["dev_articles"]
    train = [e for i in train_ids for e in by_id[i].examples]
    dev = [e for i in dev_ids for e in by_id[i].examples]
    labels = load_detector().labels
    rebuilt = train_classifier(train, labels, recipe)
    rebuilt_f1 = sentence_scores(rebuilt, dev)["all"].f1
    shipped_f1 = sentence_scores(load_detector().nlp, dev)["all"].f1
    assert abs(rebuilt_f1 - shipped_f1) <= 0.02
    assert abs(shipped_f1 - record["dev_sentence_f1"]["all"]) <= 0.005
