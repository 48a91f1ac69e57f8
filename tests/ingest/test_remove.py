"""Taking a document out (kg.flows.remove), on the embedded store and on a real Oxigraph
server: its graph goes, the merged nodes keep the other document's mentions and stay
complete, what only it supported is retired (410), the store stays valid, an unknown
document changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.config import Settings
from kg.errors import UnknownDocumentError
from kg.flows.remove import remove_documents
from kg.store import writing
from kg.store.base import Store
from tests.support import conforms, oxigraph_server, select

ID = "https://w3id.org/dipkg/id/"
FIRST, SECOND = "000_6aee4f90ec08fcc7", "001_8a1da5cde644e144"
WOODSIDE = ID + "event/2023-11-15-meeting-joe-biden-xi-jinping"
NARCOTICS = ID + "pledge/2023-11-15-china-united-states-narcotics"
TAIWAN_DEMAND = ID + "demand/2023-11-15-joe-biden-taiwan"  # reported by FIRST only


@pytest.fixture(params=["embedded", "remote"])
def backend(request: pytest.FixtureRequest, store_dir: Path, tmp_path: Path) -> Iterator[Store]:
    """A writable copy of the bundled store: embedded, or loaded into an Oxigraph server."""
    if request.param == "embedded":
        with writing(store_dir) as store:
            yield store
        return
    with oxigraph_server(store_dir, tmp_path / "oxigraph") as url, writing(url) as store:
        yield store


def _sources(store: Store, node: str) -> set[str]:
    rows = select(
        store,
        f"""SELECT DISTINCT ?id WHERE {{ <{node}> prov:wasDerivedFrom ?span .
          ?span oa:hasSource ?doc . ?doc dcterms:identifier ?id }}""",
    )
    return {str(r[0]) for r in rows}


def _one(store: Store, node: str, predicate: str) -> list[str]:
    return [str(r[0]) for r in select(store, f"SELECT ?o WHERE {{ <{node}> {predicate} ?o }}")]


@pytest.mark.slow
def test_a_removal_keeps_merged_nodes_whole_and_retires_the_rest(backend: Store) -> None:
    assert _sources(backend, WOODSIDE) == {FIRST, SECOND}
    removal = remove_documents(backend, Settings(), [FIRST])
    assert removal.documents == [FIRST]
    assert WOODSIDE in removal.kept and NARCOTICS in removal.kept
    assert TAIWAN_DEMAND in removal.gone and f"{ID}document/{FIRST}" in removal.gone
    assert ID + f"graph/{FIRST}" not in [str(g) for g in backend.graph_names()]
    # the merged meeting keeps the other document's mentions, and its single values
    assert _sources(backend, WOODSIDE) == {SECOND}
    assert len(_one(backend, WOODSIDE, "<http://www.w3.org/2000/01/rdf-schema#label>")) == 1
    assert _one(backend, WOODSIDE, "dip:date") == ["2023-11-15"]
    assert len(_one(backend, WOODSIDE, "dip:eventStatus")) == 1
    assert _sources(backend, NARCOTICS) == {SECOND}
    # the demand only the removed document reported is retired without a replacement
    assert _one(backend, TAIWAN_DEMAND, "a") == ["https://w3id.org/dipkg/def#RetiredResource"]
    assert _one(backend, TAIWAN_DEMAND, "dcterms:isReplacedBy") == []
    assert conforms(backend)


@pytest.mark.slow
def test_a_pledge_takes_its_status_from_its_latest_remaining_step(store_dir: Path) -> None:
    with writing(store_dir) as store:
        assert _one(store, NARCOTICS, "dip:status")[0].endswith("/reviewed")  # SECOND's step
        removal = remove_documents(store, Settings(), [f"{ID}document/{SECOND}"])
        assert removal.documents == [SECOND], "a document IRI names it too"
        assert [s.rsplit("/", 1)[-1] for s in _one(store, NARCOTICS, "dip:status")] == ["made"]
        assert _sources(store, WOODSIDE) == {FIRST}
        assert conforms(store)


@pytest.mark.slow  # a store copy opened for writing; the CLI's and HTTP's fast tests check it too
def test_an_unknown_document_changes_nothing(store_dir: Path) -> None:
    with writing(store_dir) as store:
        before = set(store.quads())
        with pytest.raises(UnknownDocumentError, match="no document 'nope'") as caught:
            remove_documents(store, Settings(), [FIRST, "nope"])
        assert caught.value.document == "nope" and caught.value.exit_code == 2
        assert set(store.quads()) == before


@pytest.mark.slow
def test_the_removal_is_recorded_with_its_counts(backend: Store) -> None:
    graph = f"<{ID}graph/{FIRST}>"
    [(size,)] = select(backend, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    removal = remove_documents(backend, Settings(), [FIRST])
    rows = select(
        backend,
        f"""SELECT ?kind ?by ?added ?removed ?document WHERE {{ GRAPH <{ID}graph/changes> {{
          <{removal.change}> a dip:Change ; dip:changeKind ?kind ; dip:changedBy ?by ;
            dip:triplesAdded ?added ; dip:triplesRemoved ?removed ;
            dip:documentRemoved ?document }} }}""",
    )
    [(kind, by, added, removed, document)] = rows
    assert str(kind).endswith("/change-kind/remove") and str(by) == "cli"
    assert str(document) == f"{ID}document/{FIRST}"
    assert int(str(removed)) == removal.triples_removed == int(str(size))
    # what is added: the single values handed over and one record per retired IRI (its type)
    assert int(str(added)) == removal.handed + len(removal.gone)
