"""Ingest against a real copy of the bundled store: facts land with evidence and confidence,
re-reports merge into what the graph knows, new names become provisional actors, and a
document that fails anywhere leaves the store exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

from rdflib import Literal, URIRef

from kg.config import Settings
from kg.flows.ingest import Ingester
from kg.store import EmbeddedStore
from tests.support import ARTICLES, CURATED, conforms, select, snapshot

ID = "https://w3id.org/dipkg/id/"


def test_new_article_becomes_its_own_graph_with_evidence_and_confidence(
    store: EmbeddedStore, ingester: Ingester
) -> None:
    outcome = ingester.ingest_file(store, ARTICLES / "widodo_beijing.txt")
    assert outcome.status == "added", outcome.reasons
    assert outcome.source == "automatic"
    assert outcome.counts["events"] >= 1 and outcome.created
    graph = URIRef(ID + "graph/widodo_beijing")
    assert graph in store.graph_names()
    text = str(
        select(store, f"SELECT ?t WHERE {{ <{ID}document/widodo_beijing> dip:text ?t }}")[0][0]
    )
    rows = select(
        store,
        f"""SELECT ?fact ?confidence ?start ?end ?exact WHERE {{ GRAPH <{graph}> {{
          ?fact dip:confidence ?confidence ; prov:wasDerivedFrom ?span .
          ?span oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end ; oa:exact ?exact }} }}""",
    )
    assert rows, "automatic facts carry a confidence and evidence"
    for _, confidence, start, end, exact in rows:
        assert 0 <= float(confidence) <= 1
        assert text[int(start) : int(end)] == str(exact)
    source = select(
        store, f"SELECT ?s WHERE {{ <{ID}document/widodo_beijing> dip:codingSource ?s }}"
    )
    assert source == [(Literal("automatic"),)]
    assert conforms(store)


def test_unknown_person_becomes_a_provisional_actor_not_dropped(
    store: EmbeddedStore, ingester: Ingester
) -> None:
    outcome = ingester.ingest_file(store, ARTICLES / "widodo_beijing.txt")
    assert outcome.provisional, "Joko Widodo is not in the registry"
    rows = select(
        store,
        f"""SELECT ?actor WHERE {{ GRAPH <{ID}graph/widodo_beijing> {{
          ?actor dip:isProvisional true }}
          ?event dip:participant ?actor }}""",
    )
    assert {str(r[0]).rsplit("/", 1)[-1] for r in rows} & set(outcome.provisional)


def test_rereported_meeting_is_merged_keeping_every_mention(
    store: EmbeddedStore, ingester: Ingester
) -> None:
    meeting = select(
        store,
        """SELECT ?e WHERE { ?e dip:eventType <https://w3id.org/dipkg/concept/event-type/meeting> ;
             dip:date "2023-11-15"^^<http://www.w3.org/2001/XMLSchema#date> }""",
    )[0][0]
    sources_before = _sources(store, meeting)
    outcome = ingester.ingest_file(store, ARTICLES / "woodside_followup.txt")
    assert outcome.status == "added", outcome.reasons
    assert str(meeting) in outcome.merged
    assert str(meeting) not in outcome.created
    assert _sources(store, meeting) == sources_before | {"woodside_followup"}
    dates = select(store, f"SELECT ?d WHERE {{ <{meeting}> dip:date ?d }}")
    labels = select(
        store, f"SELECT ?l WHERE {{ <{meeting}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    )
    assert len(dates) == 1 and len(labels) == 1, "single values are not repeated"
    assert conforms(store)


def _sources(store: EmbeddedStore, node: object) -> set[str]:
    rows = select(
        store,
        f"""SELECT DISTINCT ?id WHERE {{ <{node}> prov:wasDerivedFrom ?span .
          ?span oa:hasSource ?doc . ?doc dcterms:identifier ?id }}""",
    )
    return {str(r[0]) for r in rows}


def test_pledge_reported_again_gains_a_status_step_and_its_current_status(
    store: EmbeddedStore, ingester: Ingester
) -> None:
    hotline = select(
        store,
        """SELECT ?p WHERE { ?p a dip:Pledge ; dip:content ?c FILTER(CONTAINS(?c, "hotline")) }""",
    )[0][0]
    steps_before = select(store, f"SELECT ?s WHERE {{ <{hotline}> dip:statusStep ?s }}")
    outcome = ingester.ingest_file(store, CURATED / "hotline_fulfilled.txt")
    assert (outcome.status, outcome.source) == ("added", "curated"), outcome.reasons
    assert str(hotline) in outcome.merged
    steps = select(
        store,
        f"""SELECT ?s ?status WHERE {{ GRAPH <{ID}graph/hotline_fulfilled> {{
          <{hotline}> dip:statusStep ?s . ?s dip:status ?status }} }}""",
    )
    assert [str(r[1]).rsplit("/", 1)[-1] for r in steps] == ["fulfilled"]
    assert (
        len(select(store, f"SELECT ?s WHERE {{ <{hotline}> dip:statusStep ?s }}"))
        == len(steps_before) + 1
    )
    status = select(store, f"SELECT ?s WHERE {{ <{hotline}> dip:status ?s }}")
    assert [str(r[0]).rsplit("/", 1)[-1] for r in status] == ["fulfilled"], "one current status"
    assert conforms(store)


def test_reingesting_keeps_the_iris_and_adds_nothing_twice(
    store: EmbeddedStore, ingester: Ingester
) -> None:
    first = ingester.ingest_file(store, ARTICLES / "woodside_followup.txt")
    before = snapshot(store, history=False)
    again = ingester.ingest_file(store, ARTICLES / "woodside_followup.txt")
    assert again.status == "replaced"
    assert (again.created, again.merged) == (first.created, first.merged)
    assert snapshot(store, history=False) == before  # the history of changes has one more


def test_document_failing_shacl_with_its_neighbourhood_is_rejected_and_the_store_unchanged(
    store: EmbeddedStore, ingester: Ingester
) -> None:
    before = snapshot(store)
    outcome = ingester.ingest_file(store, CURATED / "hotline_backdated.txt")
    assert outcome.status == "rejected"
    assert any("before" in reason for reason in outcome.reasons), outcome.reasons
    assert snapshot(store) == before


def test_bad_metadata_is_rejected_naming_the_field(
    store: EmbeddedStore, ingester: Ingester
) -> None:
    before = snapshot(store)
    outcome = ingester.ingest_file(
        store, ARTICLES / "widodo_beijing.txt", {"language": "Indonesian English"}
    )
    assert outcome.status == "rejected"
    assert "language" in outcome.reasons[0] and "not a language tag" in outcome.reasons[0]
    assert snapshot(store) == before


def test_automatic_coding_never_replaces_a_curated_one(
    store: EmbeddedStore, ingester: Ingester, tmp_path: Path
) -> None:
    corpus = Settings().corpus_dir
    name = sorted(corpus.glob("*.txt"))[0]
    shutil.copy(name, tmp_path / name.name)
    shutil.copy(name.with_name(name.stem + ".meta.yaml"), tmp_path)
    before = snapshot(store)
    outcome = ingester.ingest_file(store, tmp_path / name.name)
    assert outcome.status == "kept"
    assert snapshot(store) == before


def test_without_a_publication_date_relative_dates_stay_unresolved(
    store: EmbeddedStore, ingester: Ingester
) -> None:
    outcome = ingester.ingest_file(store, ARTICLES / "undated_call.txt")
    assert outcome.status == "added", outcome.reasons
    assert any("last Tuesday" in u for u in outcome.unresolved)
    dated = select(
        store, f"SELECT ?e WHERE {{ GRAPH <{ID}graph/undated_call> {{ ?e dip:date ?d }} }}"
    )
    assert dated == [], "no date is guessed"


def test_unreadable_files_are_rejected_with_the_reason(
    store: EmbeddedStore, ingester: Ingester, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"%PDF-1.4")
    spaced = tmp_path / "two words.txt"
    spaced.write_text("Xi met Biden.", encoding="utf-8")
    before = snapshot(store)
    outcomes = list(ingester.ingest_many(store, [bad, spaced]))
    assert [o.status for o in outcomes] == ["rejected", "rejected"]
    assert "unsupported document type" in outcomes[0].reasons[0]
    assert "two words" in outcomes[1].reasons[0]
    assert snapshot(store) == before
