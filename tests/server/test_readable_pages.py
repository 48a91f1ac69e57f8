"""Resource pages read as words (issue 17, item 8), in process over the bundled store:
properties named by their labels in the ontology and grouped by the module defining them,
links to the resource grouped by role and sorted by the numbers in them (span 229 before
span 1223), long groups cut to ten with the rest behind a "more" toggle."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kg.config import Settings
from kg.vocab import DIP
from tests.support import KINDS

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in sorted(Settings().ontology_dir.glob("dip-*.ttl")):
        graph.parse(path)
    return graph


def page(client: FlaskClient, kind: str) -> str:
    response = client.get(f"/id/{KINDS[kind]}", headers=HTML)
    assert response.status_code == 200
    return response.text


def property_cells(text: str) -> dict[str, str]:
    """Property IRI -> the text of its heading cell."""
    found = re.findall(r'<th scope="row"><a href="[^"]*" title="([^"]+)">([^<]*)</a></th>', text)
    return {iri: html.unescape(shown) for iri, shown in found}


@pytest.mark.parametrize("kind", ["event", "pledge", "actor", "demand", "statement"])
def test_properties_are_named_by_the_ontology(
    client: FlaskClient, ontology: Graph, kind: str
) -> None:
    cells = property_cells(page(client, kind))
    own = {iri: shown for iri, shown in cells.items() if iri.startswith(str(DIP))}
    assert own, kind
    for iri, shown in own.items():
        assert shown == str(ontology.value(URIRef(iri), RDFS.label)), iri
    assert not any(re.search(r"[a-z][A-Z]", shown) for shown in cells.values())


def test_the_event_page_names_its_type_and_groups_properties(client: FlaskClient) -> None:
    text = page(client, "event")
    assert property_cells(text)[str(DIP.eventType)] == "event type"
    groups = re.findall(r'<h3 class="property-group">([^<]+)</h3>', text)
    assert groups[0] == "Diplomatic events"  # the group holding most of an event's properties
    assert len(groups) == len(set(groups))


def test_linked_from_sorts_spans_by_number_and_cuts_long_lists(client: FlaskClient) -> None:
    text = page(client, "document")
    section = text[text.index("<h2>Linked from</h2>") :]
    role = section[
        section.index(">has source") : section.index("</section>", section.index(">has source"))
    ]
    starts = [int(n) for n in re.findall(r">span (\d+)-\d+</a>", role)]
    assert starts == sorted(starts) and len(starts) > 10
    assert any(a < 1000 <= b for a, b in zip(starts, starts[1:], strict=False))  # 229 ... 1223
    shown = int(re.search(r'has source <span class="count">(\d+)</span>', role)[1])  # type: ignore[index]
    assert shown == len(starts)
    assert f"<summary>{shown - 10} more</summary>" in role
    assert role.index("<details>") > role.index(f">span {starts[9]}-")
