"""Responses to demands end to end: a rejection in a curated coding and one found by extraction
in a new article are answered by the ``responses`` saved query, shown on the demand's page, and
go when their document is taken out."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.config import Settings
from kg.flows.ingest import Ingester
from kg.flows.remove import remove_documents
from kg.query.saved import TermResolver, load_queries, run_saved_query
from kg.store import EmbeddedStore, writing
from kg.vocab import DIP
from server import create_app
from tests.support import ARTICLES, ROOT, conforms, select, write_article

ID = "https://w3id.org/dipkg/id/"
PRC = "People's Republic of China"
TEXT = (
    "Taipei asks Beijing to pull back its ships\n\n"
    "Taiwan on Monday demanded that China withdraw its coast guard ships from the waters "
    "around Kinmen. China rejected the demand on Wednesday."
)
CODING = """\
demands:
  - id: withdraw
    kind: demand
    by: [Taiwan]
    to: [China]
    content: withdraw its coast guard ships from the waters around Kinmen
    topics: [south_china_sea]
    date: 2024-03-04
    evidence:
      - "Taiwan on Monday demanded that China withdraw its coast guard ships from the waters around Kinmen."
responses:
  - id: no
    demand: withdraw
    kind: rejected
    by: [Beijing]
    date: 2024-03-06
    evidence: ["China rejected the demand on Wednesday."]
"""


def responses(store: EmbeddedStore, **params: str) -> list[dict[str, str]]:
    query = load_queries(ROOT / "queries")["responses"]
    result = run_saved_query(store, query, params, TermResolver(store, Settings().base_iri))
    return [
        {name: str(value) for name, value in zip(result.variables, row, strict=True) if value}
        for row in result.rows
    ]


@pytest.fixture()
def curated(store_dir: Path, tmp_path: Path, ingester: Ingester) -> str:
    """The bundled store with the curated Kinmen article ingested; the demand's IRI."""
    path = write_article(tmp_path / "in", "kinmen", TEXT, CODING, published="2024-03-06")
    with writing(store_dir) as store:
        outcome = ingester.ingest_file(store, path)
        assert outcome.status == "added", outcome.reasons
        assert conforms(store)
    return ID + "demand/2024-03-04-taiwan-south-china-sea"


def test_a_rejection_in_a_curated_coding_is_answered_by_responses(
    store_dir: Path, curated: str
) -> None:
    with writing(store_dir) as store:
        rows = responses(store, demand=curated, by="China", kind="rejected")
        assert responses(store, demand=curated, kind="accepted") == []
    [row] = rows
    assert row["response"] == curated + "/response/kinmen-1"
    assert row["label"].startswith(f"Rejected by {PRC}: withdraw its coast guard ships")
    assert row["demand"] == curated
    assert row["requester"] == "Taiwan" and row["by"] == PRC
    assert row["kind"] == "rejected"
    assert (row["date"], row["datePrecision"]) == ("2024-03-06", "day")
    assert row["evidence"] == "China rejected the demand on Wednesday."
    assert row["sources"] == "kinmen"


def test_the_demand_page_shows_its_response(store_dir: Path, curated: str) -> None:
    app = create_app(Settings(store=str(store_dir)))
    path = curated.removeprefix("https://w3id.org/dipkg")
    page = app.test_client().get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    section = html[html.index("<h2>Responses</h2>") :]
    assert "Rejected by People&#39;s Republic of China: withdraw its coast guard" in section
    assert "<strong>rejected</strong>" in section
    assert "<blockquote>China rejected the demand on Wednesday.</blockquote>" in section


def test_removing_the_document_takes_its_responses(store_dir: Path, curated: str) -> None:
    with writing(store_dir) as store:
        assert responses(store, demand=curated)
        remove_documents(store, Settings(store=str(store_dir)), ["kinmen"])
        assert responses(store, demand=curated) == []
        assert [r["sources"] for r in responses(store)] == ["000_6aee4f90ec08fcc7"]
        retired = select(store, f"SELECT ?t WHERE {{ <{curated}/response/kinmen-1> a ?t }}")
        assert [str(t) for (t,) in retired] == [str(DIP.RetiredResource)]
        assert conforms(store)


def test_a_rejection_in_an_extracted_article_is_answered_by_responses(
    store_dir: Path, ingester: Ingester
) -> None:
    with writing(store_dir) as store:
        outcome = ingester.ingest_file(store, ARTICLES / "journalists_rejected.txt")
        assert outcome.status == "added" and outcome.source == "automatic", outcome.reasons
        assert conforms(store)
        rows = responses(store, by="Beijing", kind="rejected")
    [row] = [r for r in rows if r["sources"] == "journalists_rejected"]
    assert row["demandContent"] == "release two detained American journalists"
    assert row["requester"] == "United States" and row["by"] == PRC
    assert row["date"] == "2024-03-05"
    assert row["evidence"].startswith("China rejected the demand on Tuesday")


def test_responses_come_in_pages_that_make_the_whole_result(
    store_dir: Path, curated: str, ingester: Ingester
) -> None:
    with writing(store_dir) as store:
        ingester.ingest_file(store, ARTICLES / "journalists_rejected.txt")
        whole = responses(store)
        pages = [responses(store, page=str(n), pageSize="1") for n in range(1, len(whole) + 2)]
    assert len(whole) == 3, "the bundled corpus's one, the curated one, the extracted one"
    assert [row for page in pages for row in page] == whole
    assert [len(page) for page in pages] == [1, 1, 1, 0]
    assert [row["date"] for row in whole] == ["2023-11-15", "2024-03-05", "2024-03-06"]
