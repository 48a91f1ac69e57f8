"""The history of changes through Flask's client: ``/api/changes`` (newest first, ``since=``,
paging) and ``/changes.atom`` (Atom 1.0, parsed with xml.etree) after a build, an ingest, a
re-ingest and a removal, with the right kinds, documents and triple counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kg.config import Settings
from kg.flows.build import build
from kg.flows.ingest import Ingester
from kg.flows.remove import remove_documents
from kg.store import writing
from server import create_app
from tests.support import CURATED, select

ATOM = "{http://www.w3.org/2005/Atom}"
ID = "https://w3id.org/dipkg/id/"
NAME = "hotline_fulfilled"


def test_the_bundled_build_is_recorded(client: FlaskClient) -> None:
    [change] = client.get("/api/changes").json["changes"]
    assert (change["kind"], change["by"], change["triplesRemoved"]) == ("build", "cli", 0)
    assert change["added"] == ["000_6aee4f90ec08fcc7", "001_8a1da5cde644e144"]
    assert change["triplesAdded"] > 1000 and change["softwareVersion"]
    assert change["started"] <= change["ended"]


def test_since_after_the_last_change_lists_none(client: FlaskClient) -> None:
    assert client.get("/api/changes?since=2999-01-01").json["changes"] == []
    assert len(client.get("/api/changes?since=2000-01-01T00:00:00Z").json["changes"]) == 1


def test_a_bad_since_is_a_400_naming_it(client: FlaskClient) -> None:
    response = client.get("/api/changes?since=yesterday")
    assert response.status_code == 400 and response.json["parameter"] == "since"


def test_pages_announce_the_feed(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept": "text/html"}).text
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/changes.atom"' in page


def test_the_feed_is_atom(client: FlaskClient) -> None:
    response = client.get("/changes.atom")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{name}") or "").strip(), name
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    [entry] = feed.findall(f"{ATOM}entry")
    assert (entry.findtext(f"{ATOM}id") or "").startswith(ID + "change/")
    related = [link.get("href") for link in entry.findall(f"{ATOM}link[@rel='related']")]
    assert any(str(href).endswith("/id/document/000_6aee4f90ec08fcc7") for href in related)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FlaskClient, dict]]:
    """A store built fresh, then one curated article ingested, ingested again and removed;
    the client of an app over it, and the sizes measured along the way."""
    store = tmp_path_factory.mktemp("history") / "store"
    settings = Settings(store=str(store))
    build(settings)
    sizes: dict[str, int] = {}
    ingester = Ingester(settings)
    with writing(store) as target:
        sizes["built"] = len(target)
        [(n,)] = select(
            target, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ID}graph/changes> {{ ?s ?p ?o }} }}"
        )
        sizes["record"] = int(str(n))
        outcome = ingester.ingest_file(target, CURATED / f"{NAME}.txt")
        assert outcome.status == "added", outcome.reasons
        [(n,)] = select(
            target, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ID}graph/{NAME}> {{ ?s ?p ?o }} }}"
        )
        sizes["graph"] = int(str(n))
        assert ingester.ingest_file(target, CURATED / f"{NAME}.txt").status == "replaced"
        sizes["removed"] = remove_documents(target, settings, [NAME]).triples_removed
    app = create_app(settings)
    yield app.test_client(), sizes
    app.extensions["dipkg"].executor.close()


@pytest.mark.slow
def test_the_log_has_every_change_newest_first(history: tuple[FlaskClient, dict]) -> None:
    client, sizes = history
    changes = client.get("/api/changes").json["changes"]
    assert [c["kind"] for c in changes] == ["remove", "replace", "ingest", "build"]
    remove, replace, ingest, built = changes
    assert {c["by"] for c in changes} == {"cli"}
    assert built["triplesRemoved"] == 0
    assert built["triplesAdded"] == sizes["built"] - sizes["record"], "every quad but its record"
    assert ingest["added"] == [NAME] and ingest["triplesAdded"] >= sizes["graph"]
    assert replace["replaced"] == [NAME]
    assert (replace["triplesAdded"], replace["triplesRemoved"]) == (0, 0), "the same again"
    assert remove["removed"] == [NAME]
    assert remove["triplesRemoved"] == sizes["removed"] >= sizes["graph"]


@pytest.mark.slow
def test_since_and_paging(history: tuple[FlaskClient, dict]) -> None:
    client, _ = history
    changes = client.get("/api/changes").json["changes"]
    since = changes[2]["ended"]  # the ingest's
    later = client.get("/api/changes", query_string={"since": since}).json["changes"]
    assert [c["kind"] for c in later] == ["remove", "replace", "ingest"]
    page = client.get("/api/changes?_limit=3")
    assert [c["kind"] for c in page.json["changes"]] == ["remove", "replace", "ingest"]
    assert 'rel="next"' in page.headers["Link"]
    rest = client.get("/api/changes?_limit=3&_offset=3")
    assert [c["kind"] for c in rest.json["changes"]] == ["build"]
    assert 'rel="next"' not in rest.headers["Link"]


@pytest.mark.slow
def test_the_feed_has_an_entry_per_change_linking_its_documents(
    history: tuple[FlaskClient, dict],
) -> None:
    client, _ = history
    feed = ET.fromstring(client.get("/changes.atom").data)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 4
    removal = entries[0]
    assert feed.findtext(f"{ATOM}updated") == removal.findtext(f"{ATOM}updated")
    [related] = removal.findall(f"{ATOM}link[@rel='related']")
    assert str(related.get("href")).endswith(f"/id/document/{NAME}")
    assert "removed" in str(related.get("title"))


@pytest.mark.slow
def test_a_page_says_when_its_resource_was_created_and_changed(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(Settings(store=str(store)))
    app = create_app(Settings(store=str(store)))
    try:
        page = (
            app.test_client()
            .get(
                "/id/event/2023-11-15-meeting-joe-biden-xi-jinping", headers={"Accept": "text/html"}
            )
            .text
        )
    finally:
        app.extensions["dipkg"].executor.close()
    section = page[page.index('class="recorded"') :]
    section = section[: section.index("</p>")]
    assert "Created" in section and "last changed" in section
    assert 'href="/id/document/000_6aee4f90ec08fcc7"' in section
    assert 'href="/id/change/' in section
