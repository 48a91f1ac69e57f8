"""Linked-data pages, in process (Flask's test client): evidence shown equals the document
text, the document page highlights its spans, the ontology and schemes dereference, and the
timeline SVG has a mark per dated item, and a retired IRI answers 301 to what replaced it
(every format) or 410 Gone. Content negotiation, the dumps and VoID are in
``tests/e2e/test_linked_data.py``, over real HTTP."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from kg.config import Settings
from kg.flows.ingest import Ingester
from kg.store import writing
from server import create_app
from tests.support import CALL_TEXT, KINDS, call_coding, write_article


def test_pages_show_evidence_equal_to_the_document(client: FlaskClient) -> None:
    corpus = Settings().corpus_dir
    for kind in ("event", "pledge"):
        page = client.get(f"/id/{KINDS[kind]}", headers={"Accept": "text/html"}).text
        quotes = re.findall(
            r'<blockquote>(.*?)</blockquote>\s*<a class="source" '
            r'href="/id/document/([^#]+)#char=(\d+),(\d+)"',
            page,
            re.S,
        )
        assert quotes, kind
        for quote, document, start, end in quotes:
            text = (corpus / f"{document}.txt").read_text(encoding="utf-8")
            assert text[int(start) : int(end)] == html.unescape(quote)
    both = client.get(f"/id/{KINDS['event']}", headers={"Accept": "text/html"}).text
    assert "000_6aee4f90ec08fcc7" in both and "001_8a1da5cde644e144" in both


def test_document_page_highlights_spans(client: FlaskClient) -> None:
    page = client.get(f"/id/{KINDS['document']}", headers={"Accept": "text/html"}).text
    assert page.count("<mark") >= 10
    assert 'id="char=87,228"' in page


def test_ontology_and_schemes_dereference(client: FlaskClient) -> None:
    page = client.get("/def", headers={"Accept": "text/html"}).text
    assert 'id="Pledge"' in page and 'id="maker"' in page
    turtle = client.get("/def", headers={"Accept": "text/turtle"})
    assert (URIRef("https://w3id.org/dipkg/def#Pledge"), None, None) in Graph().parse(
        data=turtle.text
    )
    scheme = client.get("/concept/topic", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=scheme.text)
    assert (URIRef("https://w3id.org/dipkg/concept/topic/taiwan"), None, None) in graph


@pytest.mark.parametrize(
    ("params", "title"),
    [({"actor": "Xi"}, "Timeline of Xi"), ({"actor": "Xi", "counterpart": "Biden"}, "with Biden")],
    ids=["actor", "pair"],
)
def test_timeline_svg_has_a_mark_per_dated_item(
    client: FlaskClient, params: dict[str, str], title: str
) -> None:
    response = client.get("/timeline", query_string=params)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(
        "image/svg+xml"
    )
    assert title in response.text
    rows = client.get("/api/queries/timeline", query_string={"actor": params["actor"]}).json
    items = {b["item"]["value"] for b in rows["results"]["bindings"] if "date" in b}
    if "counterpart" in params:
        other = client.get(
            "/api/queries/timeline", query_string={"actor": params["counterpart"]}
        ).json
        items &= {b["item"]["value"] for b in other["results"]["bindings"]}
    assert response.text.count('class="mark"') == len(items) > 0


def test_actor_page_embeds_the_timeline(client: FlaskClient) -> None:
    page = client.get(f"/id/{KINDS['actor']}", headers={"Accept": "text/html"}).text
    assert "<svg" in page and 'class="mark"' in page


def test_event_page_says_why_the_reports_are_one_event(client: FlaskClient) -> None:
    page = client.get(f"/id/{KINDS['event']}", headers={"Accept": "text/html"}).text
    section = page[page.index("Why these reports are one event") :]
    section = section[: section.index("</ul>")]
    assert 'href="/id/document/001_8a1da5cde644e144"' in section  # it joined 000's meeting
    assert "score 0.88" in section and "place Filoli estate" in section
    assert "participants Joe Biden, Xi Jinping" in section and "date 2023-11-15" in section


ID = Settings().base_iri


@pytest.fixture(scope="module")
def renamed_client(
    built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlaskClient]:
    """A client over a store where a curated article was ingested three times: undated with a
    pledge, dated 2024-07-02 without it, then dated 2024-07-09."""
    work = tmp_path_factory.mktemp("renamed")
    store = work / "store"
    shutil.copytree(built_store_dir, store)
    ingester = Ingester(Settings())
    with writing(store) as opened:
        for date, pledge in ((None, True), ("2024-07-02", False), ("2024-07-09", False)):
            path = write_article(work / "docs", "call", CALL_TEXT, call_coding(date, pledge))
            assert ingester.ingest_file(opened, path).status in ("added", "replaced")
    application = create_app(Settings(store=str(store)))
    yield application.test_client()
    application.extensions["dipkg"].executor.close()


CURRENT = "event/2024-07-09-phone-call-joe-biden-xi-jinping"


@pytest.mark.parametrize(
    ("accept", "query"),
    [
        ("text/html", ""),
        ("text/turtle", ""),
        ("application/ld+json", ""),
        ("application/n-triples", ""),
        ("*/*", "?format=nt"),
    ],
)
@pytest.mark.parametrize(
    "old",
    [
        "event/undated-phone-call-joe-biden-xi-jinping",  # A -> B, then B -> C: A -> C
        "event/2024-07-02-phone-call-joe-biden-xi-jinping",
    ],
    ids=["first", "second"],
)
def test_a_replaced_iri_answers_301_to_the_current_one_in_every_format(
    renamed_client: FlaskClient, old: str, accept: str, query: str
) -> None:
    response = renamed_client.get(f"/id/{old}{query}", headers={"Accept": accept})
    assert response.status_code == 301
    assert response.headers["Location"] == f"/id/{CURRENT}{query}"
    followed = renamed_client.get(response.headers["Location"], headers={"Accept": accept})
    assert followed.status_code == 200


def test_a_participation_follows_its_event(renamed_client: FlaskClient) -> None:
    old = "event/undated-phone-call-joe-biden-xi-jinping/participant/xi-jinping"
    response = renamed_client.get(f"/id/{old}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/id/{CURRENT}/participant/xi-jinping"


def test_an_iri_left_out_with_no_replacement_is_410_gone(renamed_client: FlaskClient) -> None:
    response = renamed_client.get(
        "/id/pledge/undated-joe-biden-bilateral-relations",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 410
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json is not None and response.json["type"] == "/problems/gone"
    assert renamed_client.get("/id/pledge/never-was").status_code == 404


@pytest.mark.parametrize(
    "params", [{"actor": "Xi"}, {"actor": "Xi", "counterpart": "Biden"}], ids=["actor", "pair"]
)
def test_timeline_items_are_the_saved_querys_dated_rows(
    client: FlaskClient, params: dict[str, str]
) -> None:
    body = client.get("/timeline/items", query_string=params).json
    rows = client.get("/api/queries/timeline", query_string={"actor": params["actor"]}).json
    dated = {
        b["item"]["value"]: b["date"]["value"] for b in rows["results"]["bindings"] if "date" in b
    }
    if "counterpart" in params:
        other = client.get(
            "/api/queries/timeline", query_string={"actor": params["counterpart"]}
        ).json
        kept = {b["item"]["value"] for b in other["results"]["bindings"]}
        dated = {item: date for item, date in dated.items() if item in kept}
    assert sorted(i["date"] for i in body["items"]) == sorted(dated.values())
    assert all(i["link"].startswith("/id/") and i["start"] <= i["end"] for i in body["items"])
    window = body["window"]
    inside = [i for i in body["items"] if window["start"] <= i["start"] <= window["end"]]
    assert len(inside) + body["before"] + body["after"] == len(body["items"])


def test_the_first_view_leaves_out_a_far_earlier_year(client: FlaskClient) -> None:
    body = client.get("/timeline/items", query_string={"actor": "Xi"}).json
    years = sorted(int(i["start"][:4]) for i in body["items"])
    assert years[0] == 1985 and years[1] >= 2017  # the bundled corpus's outlier
    assert body["before"] == 1 and body["window"]["start"] > "2016"


def test_timeline_view_page_and_missing_actor(client: FlaskClient) -> None:
    page = client.get("/timeline/view?actor=Xi&counterpart=Biden").text
    assert "Timeline of Xi with Biden" in page
    assert 'data-items="/timeline/items?actor=Xi&amp;counterpart=Biden"' in page
    assert '<img src="/timeline?actor=Xi&amp;counterpart=Biden"' in page  # without scripts
    missing = client.get("/timeline/items")
    assert missing.status_code == 400 and missing.json["parameter"] == "actor"
