"""Cool IRIs: an IRI that was published keeps answering. A re-ingest that renames a node
records what replaced it (chains collapsed, an IRI that comes back revived), a node left
out is recorded as gone, the store stays valid, and IRIs never depend on the order in which
documents arrive."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import URIRef

from kg.flows.ingest import Ingester
from kg.store import EmbeddedStore, writing
from tests.support import (
    ARTICLES,
    CALL_TEXT,
    call_coding,
    conforms,
    select,
    write_article,
)

ID = "https://w3id.org/dipkg/id/"
UNDATED = ID + "event/undated-phone-call-joe-biden-xi-jinping"


def replacements(store: EmbeddedStore) -> dict[str, str | None]:
    """Every retired IRI (from the default graph, the merge) and what replaced it."""
    rows = select(
        store,
        """SELECT ?old ?new WHERE { ?old a dip:RetiredResource
           OPTIONAL { ?old dcterms:isReplacedBy ?new } }""",
    )
    return {str(old): (str(new) if new is not None else None) for old, new in rows}


def described(store: EmbeddedStore, iri: str) -> bool:
    """Whether a graph but the graph of retired IRIs describes ``iri``."""
    query = f"SELECT ?p WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} FILTER(?g != <{ID}graph/retired>) }}"
    return bool(select(store, query))


def test_reingest_with_a_publication_date_renames_the_undated_event_and_records_it(
    store: EmbeddedStore, ingester: Ingester, tmp_path: Path
) -> None:
    article = tmp_path / "undated_call.txt"
    shutil.copy(ARTICLES / "undated_call.txt", article)
    first = ingester.ingest_file(store, article)
    assert UNDATED in first.created
    (tmp_path / "undated_call.meta.yaml").write_text(
        "title: Biden and Xi speak by phone\npublished: 2024-07-04\n", encoding="utf-8"
    )
    again = ingester.ingest_file(store, article)
    assert again.status == "replaced", again.reasons
    dated = ID + "event/2024-07-02-phone-call-joe-biden-xi-jinping"  # "last Tuesday"
    assert again.created == [dated]
    assert again.retired[UNDATED] == dated
    found = replacements(store)
    assert found[UNDATED] == dated
    assert found[f"{UNDATED}/participant/xi-jinping"] == f"{dated}/participant/xi-jinping"
    assert not described(store, UNDATED) and described(store, dated)
    assert conforms(store)


@pytest.mark.slow
def test_chains_collapse_a_node_left_out_is_gone_and_an_iri_can_come_back(
    store: EmbeddedStore, ingester: Ingester, tmp_path: Path
) -> None:
    def ingest(date: str | None, pledge: bool = False) -> None:
        path = write_article(tmp_path, "call", CALL_TEXT, call_coding(date, pledge))
        outcome = ingester.ingest_file(store, path)
        assert outcome.status in ("added", "replaced"), outcome.reasons

    first, second = (ID + f"event/2024-07-0{d}-phone-call-joe-biden-xi-jinping" for d in (2, 9))
    pledge = ID + "pledge/undated-joe-biden-bilateral-relations"
    ingest(None, pledge=True)
    ingest("2024-07-02")
    assert replacements(store)[pledge] is None, "left out by the new version: gone"
    assert replacements(store)[f"{pledge}/step/call-1"] is None
    ingest("2024-07-09")
    found = replacements(store)
    assert found[UNDATED] == second and found[first] == second, "A -> B, B -> C: A -> C"
    assert conforms(store)
    ingest(None, pledge=True)  # the first version again: its IRIs come back
    found = replacements(store)
    assert UNDATED not in found and pledge not in found
    assert found[first] == UNDATED and found[second] == UNDATED
    assert described(store, UNDATED)
    assert conforms(store)


SUMMIT = (
    "events:\n  - id: g20\n    type: summit\n    name: G20 summit\n"
    '    evidence:\n      - "Leaders gathered for the G20 summit"\n'
    "  - id: talks\n    type: meeting\n"
    "    participants:\n      - actor: Biden\n      - actor: Xi\n"
    '    evidence:\n      - "Biden met Xi on its sidelines"\n'
)


def _subjects(store: EmbeddedStore) -> set[URIRef]:
    """Every IRI the documents' graphs describe but merge reasons: a merge reason says which
    report joined which, so it records the order of arrival by design (as the records of
    changes do, in their own graph)."""
    rows = select(
        store,
        f"""SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
            FILTER(?g NOT IN (<{ID}graph/retired>, <{ID}graph/changes>)) FILTER NOT EXISTS {{ ?s a dip:MergeReason }} }}""",
    )
    return {URIRef(str(r[0])) for r in rows}


def test_iris_do_not_depend_on_the_order_documents_arrive_in(
    store_dir: Path, ingester: Ingester, tmp_path: Path
) -> None:
    text = "Summit\n\nLeaders gathered for the G20 summit. Biden met Xi on its sidelines."
    a = write_article(tmp_path / "a", "summit_a", text, SUMMIT)
    b = write_article(tmp_path / "b", "summit_b", text, SUMMIT)
    results = []
    for order in ([a, b], [b, a]):
        copy = tmp_path / f"store-{order[0].stem}"
        shutil.copytree(store_dir, copy)
        with writing(copy) as store:
            outcomes = list(ingester.ingest_many(store, order))
            assert [o.status for o in outcomes] == ["added", "added"], outcomes
            results.append(_subjects(store))
    assert results[0] == results[1]
    summits = sorted(str(s) for s in results[0] if str(s).startswith(ID + "event/undated-summit"))
    assert len(summits) == 2, "two reports the rule keeps apart, each told by its own content"
    assert ID + "event/undated-meeting-joe-biden-xi-jinping" in {str(s) for s in results[0]}
