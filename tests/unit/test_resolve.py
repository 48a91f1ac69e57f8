"""Cross-document resolution and mapping: one node per real-world fact, one graph per document."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace as dataclasses_replace

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF

from kg import iris
from kg.rdf.mapping import map_codings
from kg.records import (
    Actor,
    Coding,
    DateValue,
    Document,
    Event,
    Participation,
    Place,
    Pledge,
    Span,
    StatusStep,
)
from kg.resolve import resolve
from kg.resolve.candidates import period_starts
from kg.sources.registry import Registry
from kg.vocab import DIP

BASE = "http://example.org/"
REGISTRY = Registry(
    {
        "xi": Actor("xi", "Xi Jinping", "person", country="china"),
        "biden": Actor("biden", "Joe Biden", "person", country="us"),
        "china": Actor("china", "China", "state"),
        "us": Actor("us", "United States", "state"),
    },
    {
        "bay": Place("bay", "Bay Area"),
        "woodside": Place("woodside", "Woodside", parent="bay"),
    },
)


def _doc(doc_id: str, text: str) -> Document:
    return Document(doc_id, text, doc_id, DateValue.parse("2023-11"))


def _meeting(doc: Document, date: str, location: str, key: str = "m") -> Event:
    span = Span(doc.id, 0, 5, doc.text[:5])
    return Event(
        key,
        doc.id,
        "meeting",
        "held",
        (Participation("xi", evidence=(span,)), Participation("biden", evidence=(span,))),
        (span,),
        date=DateValue.parse(date),
        location=location,
    )


def _pledge(doc: Document, status: str, date: str) -> Pledge:
    span = Span(doc.id, 0, 5, doc.text[:5])
    step = StatusStep(status, doc.id, (span,), date=DateValue.parse(date))
    return Pledge(
        "p",
        doc.id,
        "pledge",
        ("china",),
        "curb fentanyl",
        ("narcotics",),
        (step,),
        made_at="m",
        date=DateValue.parse("2023-11-15"),
    )


def test_same_event_in_two_documents_is_one_node_with_the_best_values() -> None:
    a, b = _doc("a", "Hello world"), _doc("b", "Howdy world")
    codings = [
        Coding(a, events=(_meeting(a, "2023-11", "bay"),)),
        Coding(b, events=(_meeting(b, "2023-11-15", "woodside"),)),
    ]
    resolution = resolve(codings, REGISTRY, BASE)
    [node] = resolution.events
    assert node.iri == URIRef(BASE + "event/2023-11-15-meeting-biden-xi")
    assert node.date is not None and (node.date.value.iso, node.date.document_id) == (
        "2023-11-15",
        "b",
    )
    assert node.location is not None and node.location.value == "woodside"
    dataset = map_codings(codings, resolution, REGISTRY, BASE)
    graph_a = dataset.graph(iris.document_graph_iri(BASE, "a"))
    graph_b = dataset.graph(iris.document_graph_iri(BASE, "b"))
    assert (node.iri, RDF.type, DIP.Event) in graph_a and (node.iri, RDF.type, DIP.Event) in graph_b
    assert graph_a.value(node.iri, DIP.date) is None  # the kept date lives with its source
    assert graph_b.value(node.iri, DIP.date) == Literal(
        "2023-11-15", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")
    )
    spans = {s for g in (graph_a, graph_b) for s in g.objects(node.iri, PROV.wasDerivedFrom)}
    assert spans == {iris.span_iri(BASE, "a", 0, 5), iris.span_iri(BASE, "b", 0, 5)}


def test_different_dates_are_different_events() -> None:
    a, b = _doc("a", "Hello world"), _doc("b", "Howdy world")
    codings = [
        Coding(a, events=(_meeting(a, "2023-11-15", "bay"),)),
        Coding(b, events=(_meeting(b, "2024-04-02", "bay"),)),
    ]
    assert len(resolve(codings, REGISTRY, BASE).events) == 2


def test_pledge_reported_again_gets_a_step_and_the_latest_status() -> None:
    a, b = _doc("a", "Hello world"), _doc("b", "Howdy world")
    codings = [
        Coding(
            a,
            events=(_meeting(a, "2023-11-15", "bay"),),
            pledges=(_pledge(a, "made", "2023-11-15"),),
        ),
        Coding(
            b,
            events=(_meeting(b, "2023-11-15", "bay"),),
            pledges=(_pledge(b, "reviewed", "2024-04-02"),),
        ),
    ]
    resolution = resolve(codings, REGISTRY, BASE)
    [node] = resolution.pledges
    assert [step.status for _, step, _ in node.steps] == ["made", "reviewed"]
    assert node.status is not None and node.status.value == "reviewed"
    assert node.made_at is not None and node.made_at.value == resolution.events[0].iri


def test_iri_clash_is_told_apart_by_content() -> None:
    a = _doc("a", "Hello world")
    first = _meeting(a, "2023-11-15", "bay", key="m1")
    second = dataclasses_replace(
        _meeting(a, "2023-11-15", "woodside", key="m2"),  # same document: never merged
        evidence=(Span("a", 6, 11, "world"),),
    )
    third = _meeting(a, "2023-11-15", "woodside", key="m3")  # reported by the first's span
    iris_minted = [
        n.iri for n in resolve([Coding(a, events=(first, second, third))], REGISTRY, BASE).events
    ]
    plain = str(iris_minted[0])
    assert iris_minted[1] == URIRef(f"{plain}-{iris.discriminator('a', '6-11')}")
    told = f"{plain}-{iris.discriminator('a', '0-5')}"
    assert iris_minted[2] == URIRef(told), "its first report's span, not its place in line"


def test_an_event_without_participants_is_named_by_its_first_report() -> None:
    a, b = _doc("a", "Hello world"), _doc("b", "Hello world")
    summit = Event("s", "a", "summit", "held", (), (Span("a", 0, 5, "Hello"),), name="G20")
    minted = {
        str(n.iri)
        for n in resolve(
            [
                Coding(a, events=(summit,)),
                Coding(b, events=(dataclasses_replace(summit, document_id="b"),)),
            ],
            REGISTRY,
            BASE,
        ).events
    }
    assert minted == {
        f"{BASE}event/undated-summit-{iris.discriminator(d, 'G20', '')}" for d in ("a", "b")
    }


def test_period_starts_cover_every_precision_and_give_up_on_long_spans() -> None:
    week = period_starts([DateValue.parse("2024-W14")])  # Monday 1 April to Sunday 7 April
    assert week is not None
    days = {dt.date(2024, 4, d) for d in range(1, 8)}
    month_starts = {dt.date(2023 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(4, 17)}
    thirty_before = {dt.date(2024, 4, 1) - dt.timedelta(days=n) for n in range(1, 31)}
    assert set(week) == days | month_starts | thirty_before
    day = period_starts([DateValue.parse("2024-03-14")])
    assert day is not None
    # its day, its Monday, its month and year, and where EDTF intervals holding it start:
    # mid-March (the 11th), spring (1 March), winter (1 December), a 31-day interval
    for start in ("2024-03-14", "2024-03-11", "2024-03-01", "2024-01-01", "2023-12-01"):
        assert dt.date.fromisoformat(start) in day, start
    assert dt.date(2024, 2, 13) in day and dt.date(2024, 2, 12) not in day
    assert dt.date(2024, 3, 15) not in day  # an interval starting after it does not hold it
    february = period_starts([DateValue.parse("2024-02")])
    assert february is not None and dt.date(2024, 1, 29) in february and len(february) == 71
    assert period_starts([DateValue.parse("2024")]) is None
    months = ["2024-02", "2024-05", "2024-08"]
    assert period_starts([DateValue.parse(m) for m in months]) is None


def test_a_statement_merged_across_events_that_stay_apart_keeps_one_event() -> None:
    # document b places the same quote at a call the same-event rule keeps apart from a's
    # meeting: one statement, at a's meeting (written in a's graph only), b's event recorded
    from kg.records import Statement

    a, b = _doc("a", "Hello world"), _doc("b", "Howdy world")
    call = dataclasses_replace(_meeting(b, "2023-11-15", "bay", key="c"), type="phone_call")

    def said(doc: Document, at: str) -> Statement:
        span = Span(doc.id, 6, 11, doc.text[6:11])
        return Statement("s", doc.id, "xi", "world", (span,), at=at)

    codings = [
        Coding(a, events=(_meeting(a, "2023-11-15", "bay"),), statements=(said(a, "m"),)),
        Coding(b, events=(call,), statements=(said(b, "c"),)),
    ]
    resolution = resolve(codings, REGISTRY, BASE)
    meeting, other = (e.iri for e in resolution.events)
    [statement] = resolution.statements
    assert statement.at == meeting and statement.elsewhere == {"b": other}
    dataset = map_codings(codings, resolution, REGISTRY, BASE)
    links = {
        (g.identifier, o) for g in dataset.graphs() for o in g.objects(statement.iri, DIP.atEvent)
    }
    assert links == {(iris.document_graph_iri(BASE, "a"), meeting)}
