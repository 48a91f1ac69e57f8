"""The search index (kg/query/search.py) over a real store: rows follow each document graph's
replacement and removal (a fact two documents report keeps the other's sentence), names rank
above sentence text, and any text a person types is a valid query."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, URIRef

from kg.errors import QueryError
from kg.query.search import MARK_END, MARK_START, SearchIndex, match_expression
from kg.store.embedded import EmbeddedStore

BASE = "https://w3id.org/dipkg/id/"
PREFIXES = """
@prefix dip: <https://w3id.org/dipkg/def#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix id: <https://w3id.org/dipkg/id/> .
"""
REGISTRY = """
  id:actor\\/ruritania a dip:Actor, dip:State ; rdfs:label "Ruritania"@en ;
      skos:altLabel "the Ruritanian government"@en ; dip:metonym "Strelsau" .
  id:actor\\/elphberg a dip:Actor, dip:Person ; rdfs:label "Rudolf Elphberg"@en .
"""


def report(document: str, sentence: str, *, label: bool) -> str:
    """Turtle of a document graph: the document and its evidence for the shared meeting (the
    meeting's label only where ``label``, as the mapper writes a merged fact's value once)."""
    span = f"id:document\\/{document}\\/span\\/0-{len(sentence)}"
    labelled = (
        'rdfs:label "Meeting of Rudolf Elphberg and Ruritania, 1894-05-01"@en ;' if label else ""
    )
    return f"""
  id:document\\/{document} a dip:SourceDocument ; dcterms:title "Report {document}" ;
      dcterms:identifier "{document}" .
  {span} a dip:EvidenceSpan ; oa:hasSource id:document\\/{document} ;
      oa:hasSelector {span}\\/selector .
  {span}\\/selector oa:exact "{sentence}" .
  id:event\\/1894-05-01-meeting a dip:Event ; {labelled}
      prov:wasDerivedFrom {span} .
"""


def dataset(name: str, turtle: str) -> Dataset:
    """A dataset of one named graph ``graph/{name}`` (empty ``turtle``: the graph removed)."""
    data = Dataset()
    data.graph(graph(name)).parse(data=PREFIXES + turtle, format="turtle")
    return data


def graph(name: str) -> URIRef:
    return URIRef(f"{BASE}graph/{name}")


@pytest.fixture()
def store() -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(None)
    store.replace_graphs(dataset("registry", REGISTRY))
    yield store
    store.close()


@pytest.fixture()
def index(tmp_path: Path, store: EmbeddedStore) -> Iterator[SearchIndex]:
    with SearchIndex(tmp_path / "search.sqlite", writable=True) as index:
        index.rebuild(store)
        yield index


def write(store: EmbeddedStore, index: SearchIndex, turtle: str, name: str) -> None:
    store.replace_graphs(dataset(name, turtle))
    index.refresh_graphs(store, [graph(name)])


def found(index: SearchIndex, text: str, kind: str | None = None) -> list[str]:
    return [h.iri.removeprefix(BASE) for h in index.search(text, kind)]


def test_rebuild_indexes_labels_and_aliases(index: SearchIndex) -> None:
    assert found(index, "Ruritania") == ["actor/ruritania"]
    assert found(index, "Strelsau") == ["actor/ruritania"]
    assert found(index, "ruritanian government") == ["actor/ruritania"]
    assert found(index, "Elphberg", "actor") == ["actor/elphberg"]
    assert found(index, "Elphberg", "event") == []


def test_a_document_added_replaced_and_removed(store: EmbeddedStore, index: SearchIndex) -> None:
    write(store, index, report("a", "Rudolf Elphberg met envoys in Zenda.", label=True), "a")
    assert found(index, "Zenda") == ["event/1894-05-01-meeting"]
    assert found(index, "Report a", "document") == ["document/a"]
    # a second document reports the same meeting: both sentences find it, as one row
    write(store, index, report("b", "The envoys dined at Tarlenheim.", label=False), "b")
    assert found(index, "Tarlenheim") == ["event/1894-05-01-meeting"]
    assert found(index, "Zenda") == ["event/1894-05-01-meeting"]
    assert found(index, "envoys", "event") == ["event/1894-05-01-meeting"]
    # a's new version no longer says Zenda
    write(store, index, report("a", "Rudolf Elphberg met envoys at the castle.", label=True), "a")
    assert found(index, "Zenda") == []
    assert found(index, "castle") == ["event/1894-05-01-meeting"]
    # a removed: the meeting stays, with b's sentence only; a's document leaves the index
    write(store, index, "", "a")
    assert found(index, "castle") == []
    assert found(index, "Tarlenheim") == ["event/1894-05-01-meeting"]
    assert found(index, "Report", "document") == ["document/b"]
    # b removed too: nothing describes the meeting any more
    write(store, index, "", "b")
    assert found(index, "envoys") == []
    assert found(index, "Ruritania") == ["actor/ruritania"]


def test_refresh_agrees_with_a_rebuild(
    store: EmbeddedStore, index: SearchIndex, tmp_path: Path
) -> None:
    write(store, index, report("a", "Rudolf Elphberg met envoys in Zenda.", label=True), "a")
    write(store, index, report("b", "The envoys dined at Tarlenheim.", label=False), "b")
    write(store, index, "", "a")
    with SearchIndex(tmp_path / "again.sqlite", writable=True) as again:
        again.rebuild(store)
        for text in ("envoys", "Zenda", "Tarlenheim", "Report", "Ruritania"):
            assert found(again, text) == found(index, text), text
        assert len(again) == len(index)


def test_names_rank_above_sentences(store: EmbeddedStore, index: SearchIndex) -> None:
    write(store, index, report("a", "Officials of Ruritania met envoys in Zenda.", label=True), "a")
    hits = index.search("Ruritania")
    assert [h.iri.removeprefix(BASE) for h in hits][:2] == [
        "actor/ruritania",
        "event/1894-05-01-meeting",
    ]
    assert hits[0].score > hits[1].score > 0
    sentence = next(h for h in hits if h.kind == "event").snippet
    assert f"{MARK_START}Ruritania{MARK_END}" in sentence


def test_prefix_search_and_every_word_required(index: SearchIndex) -> None:
    assert found(index, "Rurit*") == ["actor/ruritania"]
    assert found(index, "Rurit") == []
    assert found(index, "Rudolf Ruritania") == []


@pytest.mark.parametrize(
    "text",
    [
        '"',
        'Ruritania"',
        "NEAR(a b)",
        "a OR b",
        "NOT x",
        "col:x",
        "^x",
        "x AND",
        "(",
        "'; DROP TABLE resources; --",
        "\\",
        "é\u0301",
        "x\ue000y",
        "{x}",
        "a*b*",
    ],
    ids=lambda t: repr(t),
)
def test_any_text_is_a_valid_query(index: SearchIndex, text: str) -> None:
    try:
        index.search(text)  # never an error from FTS5's query syntax
    except QueryError as exc:  # punctuation only: the one refusal, a 400 over HTTP
        assert exc.message.startswith("Nothing to search for")
    assert len(index) == 2  # the index is as it was: the two actors


@pytest.mark.parametrize("text", ["", "   ", "***", "-- ..."], ids=repr)
def test_nothing_to_search_for_is_a_query_error(text: str) -> None:
    with pytest.raises(QueryError, match="Nothing to search for") as caught:
        match_expression(text)
    assert caught.value.parameter == "q"


def test_an_unknown_kind_is_refused(index: SearchIndex) -> None:
    with pytest.raises(QueryError, match="Unknown type 'place'") as caught:
        index.search("Ruritania", "place")
    assert caught.value.parameter == "type"


def test_a_missing_index_says_how_to_make_it(tmp_path: Path) -> None:
    from kg.query.search import SearchIndexError

    with pytest.raises(SearchIndexError, match="no search index") as caught:
        SearchIndex(tmp_path / "none.sqlite")
    assert "dipkg index" in (caught.value.hint or "")
