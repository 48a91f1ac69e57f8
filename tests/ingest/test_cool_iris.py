"""Cool IRIs: an IRI that was published keeps answering. A re-ingest that renames a node
records what replaced it (chains collapsed, an IRI that comes back revived), a node left
out is recorded as gone, the store stays valid, and IRIs never depend on the order in which
documents arrive."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import URIRef

from kg.flows.ingest import Ingester, Outcome
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


def both_orders(
    store_dir: Path, ingester: Ingester, tmp_path: Path, a: Path, b: Path
) -> list[tuple[EmbeddedStore, list[Outcome]]]:
    """Copies of the store with ``a`` then ``b`` ingested, and with ``b`` then ``a`` (each
    copy open for reading, with the outcomes)."""
    results = []
    for order in ([a, b], [b, a]):
        copy = tmp_path / f"store-{order[0].stem}"
        shutil.copytree(store_dir, copy)
        with writing(copy) as store:
            outcomes = list(ingester.ingest_many(store, order))
        assert [o.status for o in outcomes] == ["added", "added"], outcomes
        results.append((EmbeddedStore(copy, read_only=True), outcomes))
    return results


def test_iris_do_not_depend_on_the_order_documents_arrive_in(
    store_dir: Path, ingester: Ingester, tmp_path: Path
) -> None:
    text = "Summit\n\nLeaders gathered for the G20 summit. Biden met Xi on its sidelines."
    a = write_article(tmp_path / "a", "summit_a", text, SUMMIT)
    b = write_article(tmp_path / "b", "summit_b", text, SUMMIT)
    results = [_subjects(store) for store, _ in both_orders(store_dir, ingester, tmp_path, a, b)]
    assert results[0] == results[1]
    summits = sorted(str(s) for s in results[0] if str(s).startswith(ID + "event/undated-summit"))
    assert len(summits) == 2, "two reports the rule keeps apart, each told by its own content"
    assert ID + "event/undated-meeting-joe-biden-xi-jinping" in {str(s) for s in results[0]}


def _graphs(store: EmbeddedStore) -> dict[str, set[tuple[str, str, str]]]:
    """Each document graph's triples but merge reasons (which record the order of arrival by
    design), the graph of retired IRIs and the history of changes. Which graph holds a value two documents both
    support (a participation's role) may follow their order; what the graph says may not."""
    rows = select(
        store,
        f"""SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
            FILTER(?g NOT IN (<{ID}graph/retired>, <{ID}graph/changes>))
            FILTER NOT EXISTS {{ GRAPH ?g {{ ?s a dip:MergeReason }} }}
            FILTER NOT EXISTS {{ GRAPH ?g {{ ?o a dip:MergeReason }} }} }}""",
    )
    graphs: dict[str, set[tuple[str, str, str]]] = {}
    for g, s, p, o in rows:
        graphs.setdefault(str(g), set()).add((s.n3(), p.n3(), o.n3()))
    return graphs


def _dated_call(date: str) -> str:
    """:func:`call_coding` with the call, the pledge and its step all dated ``date``."""
    return call_coding(date, pledge=True).replace(
        "    steps:\n      - status: made\n",
        f"    date: {date}\n    steps:\n      - status: made\n        date: {date}\n",
    )


@pytest.mark.slow
def test_a_later_report_that_dates_a_node_better_gives_the_iris_and_graph_of_either_order(
    store_dir: Path, ingester: Ingester, tmp_path: Path
) -> None:
    month = write_article(tmp_path / "a", "call_a", CALL_TEXT, _dated_call("2024-07"))
    day = write_article(tmp_path / "b", "call_b", CALL_TEXT, _dated_call("2024-07-02"))
    results = []
    for store, outcomes in both_orders(store_dir, ingester, tmp_path, month, day):
        assert outcomes[1].merged, "the second report joins the first one's nodes"
        assert conforms(store)
        results.append((_graphs(store), replacements(store), outcomes))
    merged = [set().union(*graphs.values()) for graphs, _, _ in results]
    assert merged[0] == merged[1], "the same graph whichever came first"
    call = ID + "event/2024-07-02-phone-call-joe-biden-xi-jinping"
    pledge = ID + "pledge/2024-07-02-joe-biden-bilateral-relations"
    ours = (ID + "graph/call_a", ID + "graph/call_b")
    subjects = {s for g in ours for s, _, _ in results[0][0][g]}
    assert {f"<{call}>", f"<{pledge}>"} <= subjects
    assert not [s for s in subjects if "2024-07-phone" in s or "2024-07-joe" in s]
    month_call = ID + "event/2024-07-phone-call-joe-biden-xi-jinping"
    retired = results[0][1]  # the month first: its IRIs were renamed, and answer 301
    assert retired[month_call] == call
    assert retired[ID + "pledge/2024-07-joe-biden-bilateral-relations"] == pledge
    assert retired[f"{month_call}/participant/joe-biden"] == f"{call}/participant/joe-biden"
    assert results[0][2][1].retired[month_call] == call
    assert not results[1][1], "the day first: nothing to rename"
