"""Re-reports of the Woodside meeting of 15 November 2023 in other words (an analysis piece
written months later, an official-style readout) join the event node the bundled store has,
with the reason in the graph: what matched and the score (``dip:MergeReason``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kg.config import Settings
from kg.flows.ingest import Ingester
from kg.store import EmbeddedStore, writing
from server import create_app
from tests.support import conforms, select

ID = "https://w3id.org/dipkg/id/"
REREPORTS = Path(__file__).parent / "rereports"
WOODSIDE = ID + "event/2023-11-15-meeting-joe-biden-xi-jinping"


def _events(store: EmbeddedStore) -> int:
    [(n,)] = select(store, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a dip:Event }")
    return int(str(n))


@pytest.mark.parametrize("name", ["woodside_analysis", "woodside_readout"])
def test_a_rereport_joins_the_woodside_meeting_and_says_why(
    store: EmbeddedStore, ingester: Ingester, name: str
) -> None:
    before = _events(store)
    outcome = ingester.ingest_file(store, REREPORTS / f"{name}.txt")
    assert outcome.status == "added", outcome.reasons
    assert WOODSIDE in outcome.merged
    assert not [c for c in outcome.created if "/event/" in c]
    assert _events(store) == before
    assert conforms(store)
    rows = select(
        store,
        f"""SELECT ?score ?type ?date (COUNT(?who) AS ?people) WHERE {{
          GRAPH <{ID}graph/{name}> {{
            <{WOODSIDE}> prov:qualifiedDerivation ?reason .
            ?reason a dip:MergeReason ; prov:entity <{ID}document/{name}> ;
              dip:matchScore ?score ; dip:matchedType ?type ; dip:matchedDate ?date ;
              dip:matchedParticipant ?who }} }} GROUP BY ?score ?type ?date""",
    )
    [(score, kind, date, people)] = rows
    assert str(kind).endswith("/event-type/meeting") and str(date) == "2023-11-15"
    assert int(str(people)) == 2 and 0.5 <= float(str(score)) <= 1


def test_the_event_page_lists_the_documents_merged_and_why(
    store_dir: Path, ingester: Ingester
) -> None:
    with writing(store_dir) as store:
        ingester.ingest_file(store, REREPORTS / "woodside_analysis.txt")
    app = create_app(Settings(store=str(store_dir)))
    try:
        client: FlaskClient = app.test_client()
        page = client.get(
            "/id/event/2023-11-15-meeting-joe-biden-xi-jinping", headers={"Accept": "text/html"}
        ).text
    finally:
        app.extensions["dipkg"].executor.close()
    section = page[page.index("Why these reports are one event") :]
    section = section[: section.index("</ul>")]
    assert 'href="/id/document/woodside_analysis"' in section
    assert 'href="/id/document/001_8a1da5cde644e144"' in section  # merged at build time
    assert "type Meeting" in section and "date 2023-11-15" in section
    assert "Joe Biden, Xi Jinping" in section
