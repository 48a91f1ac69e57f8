"""No walk over the parse recurses: "Their leaders met" sent coreference round a cycle
("their" -> the clause's subject "leaders" -> its modifier "their" -> ...) until Python's
stack ran out, and a long chain of names joined by "and" nested `conjuncts` once per name;
both made `dipkg ingest` die with RecursionError (issue 14)."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc

from kg.config import Settings
from kg.extract import extract
from kg.extract.syntax import conjuncts, load_nlp, subjects, subtree
from kg.rdf.ontology import load_vocabulary, scheme_notations
from kg.records import DateValue, Document
from kg.sources.registry import load_registry


@pytest.mark.parametrize(
    "text",
    [
        "Their leaders met in Geneva.",
        "Their sides met on Tuesday and their officials talked.",
        "Their counterparts said their leaders would meet their own delegations.",
    ],
    ids=["their-leaders", "their-sides", "nested"],
)
def test_a_pronoun_inside_its_own_subject_is_no_cycle(text: str) -> None:
    settings = Settings()
    registry = load_registry(settings.corpus_dir / "registry.yaml")
    vocabulary = scheme_notations(load_vocabulary(settings.ontology_dir))
    document = Document("doc", text, title="", published=DateValue.parse("2024-04-02"))
    extraction = extract(document, registry, vocabulary)
    assert extraction.coding.document is document


def chain(names: int) -> Doc:
    """ "N0 and N1 and ... met.", parsed as the parser does it: each name a conjunct of the
    one before (a chain as deep as it is long), built directly to skip the parser's cost."""
    words, heads, deps, pos = [], [], [], []
    verb = 2 * names - 1
    for i in range(names):
        words.append(f"N{i}")
        heads.append(verb if i == 0 else 2 * (i - 1))
        deps.append("nsubj" if i == 0 else "conj")
        pos.append("PROPN")
        if i < names - 1:
            words.append("and")
            heads.append(2 * i)
            deps.append("cc")
            pos.append("CCONJ")
    words += ["met", "."]
    heads += [verb, verb]
    deps += ["ROOT", "punct"]
    pos += ["VERB", "PUNCT"]
    return Doc(load_nlp().vocab, words=words, heads=heads, deps=deps, pos=pos)


def test_a_chain_of_2000_names_has_every_name_as_a_conjunct() -> None:
    doc = chain(2000)
    first = doc[0]
    assert [t.text for t in conjuncts(first)] == [f"N{i}" for i in range(2000)]
    assert [t.text for t in subjects(doc[-2])] == [f"N{i}" for i in range(2000)]
    assert list(subtree(first)) == list(first.subtree)
