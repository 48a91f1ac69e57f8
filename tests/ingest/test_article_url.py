"""An article's URL from its metadata is kept on its document (``dcterms:source``) and given
in the event tables' ``url`` column; a malformed one is a rejection naming the field."""

from __future__ import annotations

import csv
import io

import pytest
from rdflib import URIRef

from kg.flows.ingest import Ingester
from kg.query.export import export
from kg.store import EmbeddedStore
from tests.support import ARTICLES, ROOT, select, snapshot

ID = "https://w3id.org/dipkg/id/"
URL = "https://news.example.org/2023/10/widodo-beijing?ref=rss#top"


@pytest.mark.slow
def test_the_url_is_kept_and_exported(store: EmbeddedStore, ingester: Ingester) -> None:
    outcome = ingester.ingest_file(store, ARTICLES / "widodo_beijing.txt", {"url": URL})
    assert outcome.status == "added", outcome.reasons
    document = URIRef(ID + "document/widodo_beijing")
    assert select(store, f"SELECT ?u WHERE {{ <{document}> dcterms:source ?u }}") == [
        (URIRef(URL),)
    ]
    for fmt in ("polecat", "cameo"):
        out = io.BytesIO()
        export(store, fmt, out, ROOT / "ontology" / "context.jsonld")
        rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))
        mine = [r for r in rows if r["document"] == str(document)]
        assert mine, fmt
        assert {r["url"] for r in mine} == {URL}
        assert {r["url"] for r in rows if r["document"] != str(document)} == {""}


@pytest.mark.parametrize("url", ["ftp://example.org/a", "https://exa mple.org", "news.example.org"])
def test_a_malformed_url_is_rejected_naming_the_field(
    store: EmbeddedStore, ingester: Ingester, url: str
) -> None:
    before = snapshot(store)
    outcome = ingester.ingest_file(store, ARTICLES / "widodo_beijing.txt", {"url": url})
    assert outcome.status == "rejected"
    assert "url" in outcome.reasons[0] and "absolute http or https URL" in outcome.reasons[0]
    assert snapshot(store) == before
