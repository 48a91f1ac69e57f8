"""Training the detection model (:mod:`kg.extract.detection`) from the annotated corpus.

1. **Examples**: every sentence of every ``eval/train`` article (the sentences extraction sees:
   the cleaned text, spaCy's parse), labelled from the evidence spans of the article's curated
   coding: ``event`` and ``event.<type>`` for an event's evidence, ``pledge`` for a pledge's
   step of making or reaffirming, ``outcome`` for a step that reports it progressed, fulfilled
   or broken, ``demand``, ``statement``. A sentence that no evidence span overlaps is a
   negative for every label.
2. **Split** by article, fixed and seeded: a share of the articles is the development split,
   used to choose the model and its cuts, never to train.
3. **Classifier**: a spaCy ``textcat_multilabel`` on a blank English pipeline, trained on CPU
   with a fixed seed (the same data, seed and settings give the same model).
4. **Cuts**: on the development split, per kind of fact, the floor and gate
   (:class:`~kg.extract.detection.Cut`) that give the highest F1 of extraction with every rule
   run and the classifier deciding; the rules alone (no floor, no gate) win ties.

:func:`build_model` does all four and writes the model directory with its cuts and a
``training.yaml`` that records the recipe and the development scores (the rebuild test
compares against it). ``scripts/train.py`` is the command.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.language import Language

from kg.config import PROJECT_ROOT
from kg.extract.confidence import RuleCounts, rule_counts
from kg.extract.detection import (
    CUTS_FILE,
    KIND_LABELS,
    OUTCOME_STATUSES,
    Cut,
    Detector,
    SentenceScores,
    write_cuts,
)
from kg.extract.syntax import parse, sentences, trimmed
from kg.flows.evaluate import Score, gold_documents, score_coding
from kg.records import Actor, Coding, Fact, Vocabulary
from kg.sources.articles import document_id, read_document
from kg.sources.cleaning import clean_text
from kg.sources.coding import read_coding
from kg.sources.registry import Registry

RECIPE_FILE = "training.yaml"
ARCHITECTURES: dict[str, dict[str, object]] = {
    "bow": {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": False,
        "ngram_size": 2,
        "no_output_layer": False,
        "length": 2**16,
    },
    "cnn": {
        "@architectures": "spacy.TextCatCNN.v2",
        "exclusive_classes": False,
        "tok2vec": {
            "@architectures": "spacy.HashEmbedCNN.v2",
            "pretrained_vectors": None,
            "width": 64,
            "depth": 2,
            "embed_size": 2000,
            "window_size": 1,
            "maxout_pieces": 3,
            "subword_features": True,
        },
    },
}
"""Model architectures to choose from (spaCy's registered names and their settings)."""

_KINDS_OF_LABELS = {
    "event": "events",
    "pledge": "pledges",
    "outcome": "pledges",
    "demand": "demands",
    "statement": "statements",
}
_GRID = tuple(round(x * 0.05, 2) for x in range(20)) + (1.01,)


@dataclass(frozen=True, slots=True)
class Recipe:
    """How a model is trained: the seed, the share of articles held out, the architecture,
    epochs, batch size and dropout."""

    seed: int = 14
    dev_share: float = 0.2
    architecture: str = "cnn"
    epochs: int = 12
    batch_size: int = 16
    dropout: float = 0.2


@dataclass(frozen=True, slots=True)
class SentenceExample:
    """One sentence of a training article, by character range, and its labels."""

    document_id: str
    start: int
    end: int
    text: str
    labels: frozenset[str]


@dataclass(frozen=True)
class Article:
    """A gold article ready for training: its curated coding and its labelled sentences."""

    gold: Coding
    examples: tuple[SentenceExample, ...]

    @property
    def ranges(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        return tuple(e.start for e in self.examples), tuple(e.end for e in self.examples)


def fact_spans(coding: Coding) -> list[tuple[str, int, int]]:
    """Every evidence span of a coding with the labels it stands for, as (label, start, end)."""
    found: list[tuple[str, int, int]] = []
    for event in coding.events:
        for span in event.evidence:
            found += [
                ("event", span.start, span.end),
                (f"event.{event.type}", span.start, span.end),
            ]
    for pledge in coding.pledges:
        for step in pledge.steps:
            label = "outcome" if step.status in OUTCOME_STATUSES else "pledge"
            found += [(label, span.start, span.end) for span in step.evidence]
    for demand in coding.demands:
        found += [("demand", span.start, span.end) for span in demand.evidence]
    for statement in coding.statements:
        found += [("statement", span.start, span.end) for span in statement.evidence]
    return found


def label_sentences(coding: Coding, ranges: Sequence[tuple[int, int]]) -> list[SentenceExample]:
    """The sentences (character ranges into the coding's document text) with the labels of
    every evidence span that overlaps them.

    >>> from kg.records import Document, Span, Demand
    >>> doc = Document("d", "Xi met Biden. It rained. Biden urged Xi to act.", "t", None)
    >>> ask = Demand("a", "d", "demand", ("biden",), "act", (), (Span("d", 25, 47, "x"),))
    >>> [sorted(e.labels) for e in label_sentences(Coding(doc, demands=(ask,)), [(0, 13),
    ...     (14, 24), (25, 47)])]
    [[], [], ['demand']]
    """
    spans = fact_spans(coding)
    text = coding.document.text
    return [
        SentenceExample(
            coding.document.id,
            start,
            end,
            text[start:end],
            frozenset(label for label, s, e in spans if s < end and start < e),
        )
        for start, end in ranges
    ]


def read_articles(gold_dir: Path, registry: Registry, vocabulary: Vocabulary) -> list[Article]:
    """Every gold article of a directory, parsed as extraction parses it, its sentences
    labelled (:func:`label_sentences`).

    Raises:
        InputError: a document, its metadata or its coding is missing or malformed.
    """
    articles = []
    for path in gold_documents(gold_dir):
        document = read_document(path)
        gold = read_coding(
            path.with_name(document_id(path) + ".coding.yaml"), document, registry, vocabulary
        )
        doc = parse(clean_text(document).masked)
        ranges = [trimmed(s) for s in sentences(doc)]
        articles.append(Article(gold, tuple(label_sentences(gold, ranges))))
    return articles


def split_articles(ids: Iterable[str], dev_share: float, seed: int) -> tuple[list[str], list[str]]:
    """Article ids split into (train, dev), fixed by ``seed`` whatever the order given.

    >>> split_articles(["a", "b", "c", "d", "e"], 0.4, 1) == split_articles("edcba", 0.4, 1)
    True
    """
    ordered = sorted(ids)
    shuffled = ordered[:]
    random.Random(seed).shuffle(shuffled)
    dev = set(shuffled[: max(1, round(len(ordered) * dev_share))])
    return [i for i in ordered if i not in dev], [i for i in ordered if i in dev]


def labels_of(articles: Iterable[Article]) -> list[str]:
    """The labels a model learns: the kinds, and every event type the articles have."""
    found = {label for a in articles for e in a.examples for label in e.labels}
    return sorted(set(KIND_LABELS) | found)


def train_classifier(
    examples: Sequence[SentenceExample], labels: Sequence[str], recipe: Recipe
) -> Language:
    """A ``textcat_multilabel`` pipeline trained on ``examples`` (seeded, CPU)."""
    import spacy
    from spacy.training import Example
    from thinc.api import fix_random_seed

    fix_random_seed(recipe.seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(
        "textcat_multilabel", config={"model": ARCHITECTURES[recipe.architecture]}
    )
    for label in labels:
        textcat.add_label(label)  # type: ignore[attr-defined]
    data = [
        Example.from_dict(
            nlp.make_doc(e.text), {"cats": {label: float(label in e.labels) for label in labels}}
        )
        for e in examples
    ]
    optimizer = nlp.initialize(lambda: data)
    order = random.Random(recipe.seed)
    for _ in range(recipe.epochs):
        order.shuffle(data)
        for start in range(0, len(data), recipe.batch_size):
            batch = data[start : start + recipe.batch_size]
            nlp.update(batch, sgd=optimizer, drop=recipe.dropout)
    return nlp


def sentence_scores(
    nlp: Language, examples: Sequence[SentenceExample], threshold: float = 0.5
) -> dict[str, Score]:
    """Sentence-level counts per label of a classifier on labelled sentences (a label is
    predicted when its score reaches ``threshold``), and their sum under ``all``."""
    labels = list(nlp.get_pipe("textcat_multilabel").labels)  # type: ignore[attr-defined]
    scores = {label: Score() for label in labels}
    for example, doc in zip(examples, nlp.pipe(e.text for e in examples), strict=True):
        for label in labels:
            predicted, gold = doc.cats[label] >= threshold, label in example.labels
            scores[label] = scores[label] + Score(
                int(predicted and gold), int(predicted and not gold), int(gold and not predicted)
            )
    total = Score()
    for score in scores.values():
        total = total + score
    return {**scores, "all": total}


@dataclass(frozen=True)
class DevArticle:
    """A development article: its gold coding, the coding of every rule, and the sentence
    scores of the classifier."""

    gold: Coding
    coding: Coding
    provisional: tuple[Actor, ...]
    scores: SentenceScores


def choose_cuts(
    nlp: Language, dev: Sequence[DevArticle], registry: Registry, counts: RuleCounts
) -> tuple[dict[str, Cut], dict[str, dict[str, float]]]:
    """Per kind of fact, the cut with the highest F1 on the development articles (the rules
    alone win ties), and the F1 of both designs per kind."""
    from kg.extract.confidence import rate

    def f1_by_kind(cuts: Mapping[str, Cut]) -> dict[str, float]:
        detector = Detector(nlp, cuts)
        total = {kind: Score() for kind in ("events", "pledges", "demands", "statements")}
        for article in dev:

            def keep(fact: Fact, article: DevArticle = article) -> bool:
                return detector.keeps(fact, article.scores, counts)

            kept = rate(article.coding, counts, keep=keep)
            scored = score_coding(article.gold, kept, registry, article.provisional)
            for kind in total:
                total[kind] = total[kind] + scored.scores[kind]
        return {kind: s.f1 for kind, s in total.items()}

    rules_alone = f1_by_kind({})
    best = dict(rules_alone)
    cuts: dict[str, Cut] = {}
    for kind in best:
        labels = [label for label, k in _KINDS_OF_LABELS.items() if k == kind]
        chosen = Cut()
        for floor in _GRID[:11]:
            for gate in _GRID[10:]:
                candidate = Cut(floor, gate)
                trial = {**cuts, **{label: candidate for label in labels}}
                f1 = f1_by_kind(trial)[kind]
                if f1 > best[kind] + 1e-9:
                    best[kind], chosen = f1, candidate
        cuts.update({label: chosen for label in labels})
    return cuts, {"rules": rules_alone, "learned": best}


def build_model(
    gold_dir: Path,
    out_dir: Path,
    registry: Registry,
    vocabulary: Vocabulary,
    recipe: Recipe = Recipe(),
) -> dict[str, object]:
    """Train the detection model on ``gold_dir`` and write it to ``out_dir`` with its cuts
    and its recipe; returns what ``training.yaml`` records.

    Raises:
        InputError: a gold article is missing or malformed.
    """
    from kg.extract import Extractor

    articles = read_articles(gold_dir, registry, vocabulary)
    by_id = {a.gold.document.id: a for a in articles}
    train_ids, dev_ids = split_articles(by_id, recipe.dev_share, recipe.seed)
    train = [e for i in train_ids for e in by_id[i].examples]
    dev = [e for i in dev_ids for e in by_id[i].examples]
    labels = labels_of(articles)
    nlp = train_classifier(train, labels, recipe)
    dev_sentences = sentence_scores(nlp, dev)

    extractor = Extractor(registry, vocabulary, keep_all=True)
    detector = Detector(nlp, {})
    dev_articles = []
    for article_id in dev_ids:
        article = by_id[article_id]
        extraction = extractor.extract(article.gold.document)
        starts, ends = article.ranges
        scores = SentenceScores(
            starts, ends, tuple(detector.classify(e.text for e in article.examples))
        )
        dev_articles.append(DevArticle(article.gold, extraction.coding, extraction.actors, scores))
    cuts, comparison = choose_cuts(nlp, dev_articles, registry, rule_counts())

    try:
        source = gold_dir.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        source = gold_dir.as_posix()
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    write_cuts(
        out_dir / CUTS_FILE,
        cuts,
        f"Cuts of the detection model, chosen on the development split of {source} "
        "(kg/flows/train.py; written by scripts/train.py).",
    )
    record: dict[str, object] = {
        "recipe": dataclasses.asdict(recipe),
        "gold_dir": source,
        "train_articles": len(train_ids),
        "dev_articles": dev_ids,
        "sentences": {"train": len(train), "dev": len(dev)},
        "dev_sentence_f1": {k: round(s.f1, 4) for k, s in dev_sentences.items()},
        "dev_extraction_f1": {
            design: {k: round(v, 4) for k, v in f1.items()} for design, f1 in comparison.items()
        },
    }
    with (out_dir / RECIPE_FILE).open("w", encoding="utf-8") as stream:
        stream.write("# How the detection model was trained (kg/flows/train.py).\n")
        yaml.safe_dump(record, stream, sort_keys=False, default_flow_style=None, width=100)
    return record
