"""Synthetic diplomatic corpora and graphs for benchmarks, made by dipkg's own pipeline.

Articles are written from sentence templates (meetings, calls, visits, pledges, demands and
quotes between generated actors, in generated places, on generated dates), with the records
and exact spans of what each says. Graphs are produced by the real resolution and mapping code,
batch by batch, and streamed to N-Quads, so a 10M-triple graph needs no more memory than a batch.

    python bench/synth.py graph --triples 1000000 --out var/bench/1m.nq
    python bench/synth.py corpus --documents 500 --out var/bench/corpus
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import URIRef

from kg import iris
from kg.query.export import write_nquads
from kg.rdf.mapping import map_codings, map_registry
from kg.rdf.ontology import load_vocabulary
from kg.records import (
    Actor,
    Coding,
    DateValue,
    Demand,
    Document,
    Event,
    OfficeTerm,
    Participation,
    Place,
    Pledge,
    Span,
    Statement,
    StatusStep,
)
from kg.resolve import Resolution, resolve
from kg.sources.registry import Registry

BASE = "https://w3id.org/dipkg/id/"
ROOT = Path(__file__).resolve().parent.parent
TOPICS = [
    "narcotics",
    "elections",
    "military_communication",
    "climate",
    "taiwan",
    "trade",
    "technology",
    "artificial_intelligence",
    "human_rights",
    "cybersecurity",
]
CONTENT = {
    "narcotics": "curb the flow of precursor chemicals",
    "elections": "stay out of the coming election",
    "military_communication": "reopen military hotlines",
    "climate": "cut methane emissions together",
    "taiwan": "respect the status quo in the strait",
    "trade": "lower tariffs on farm goods",
    "technology": "ease export controls on chips",
    "artificial_intelligence": "hold talks on military uses of AI",
    "human_rights": "release detained journalists",
    "cybersecurity": "stop attacks on power grids",
}
EVENT_WORDS = {
    "meeting": "met with",
    "phone_call": "held a phone call with",
    "visit": "visited",
    "talks": "held talks with",
}


def make_registry(states: int = 60, people_per_state: int = 8) -> Registry:
    """Generated states, offices, people with office terms, and a place per state."""
    actors: dict[str, Actor] = {}
    places: dict[str, Place] = {}
    for s in range(states):
        state = f"state-{s:03d}"
        actors[state] = Actor(
            state, f"Republic of Testland {s}", "state", aliases=(f"Testland {s}",)
        )
        places[f"{state}-land"] = Place(f"{state}-land", f"Testland {s}")
        places[f"{state}-capital"] = Place(
            f"{state}-capital", f"Capital {s}", parent=f"{state}-land"
        )
        for role in ("president", "foreign-minister"):
            office = f"{role}-of-{state}"
            actors[office] = Actor(
                office,
                f"{role.replace('-', ' ').title()} of Testland {s}",
                "office",
                office_of=state,
            )
        for p in range(people_per_state):
            person = f"person-{s:03d}-{p}"
            terms = ()
            if p < 2:
                office = f"{('president', 'foreign-minister')[p]}-of-{state}"
                terms = (OfficeTerm(office, DateValue.parse("2015")),)
            actors[person] = Actor(person, f"Envoy {s}-{p}", "person", country=state, terms=terms)
    return Registry(actors, places)


@dataclass
class _Writer:
    """Appends sentences to an article and records the spans of what they say."""

    document_id: str
    parts: list[str] = field(default_factory=list)
    length: int = 0

    def sentence(self, text: str) -> Span:
        if self.parts:
            self.parts.append(" ")
            self.length += 1
        span = Span(self.document_id, self.length, self.length + len(text), text)
        self.parts.append(text)
        self.length += len(text)
        return span

    @property
    def text(self) -> str:
        return "".join(self.parts)


def make_coding(index: int, registry: Registry, rng: random.Random) -> Coding:
    """One generated article and its coding: events, pledges, demands and statements."""
    doc_id = f"synth-{index:07d}"
    writer = _Writer(doc_id)
    people = [a for a in registry.actors.values() if a.kind == "person"]
    day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(365 * 5))
    date = DateValue.parse(day.isoformat())
    events, pledges, demands, statements = [], [], [], []
    for n in range(rng.randint(2, 4)):
        a, b = rng.sample(people, 2)
        kind = rng.choice(list(EVENT_WORDS))
        place = f"{b.country}-capital"
        span = writer.sentence(
            f"{a.label} {EVENT_WORDS[kind]} {b.label} in {registry.places[place].label} "
            f"on {day:%d %B %Y}."
        )
        role_a, role_b = ("visitor", "host") if kind == "visit" else ("participant", "participant")
        events.append(
            Event(
                f"e{n}",
                doc_id,
                kind,
                "held",
                (
                    Participation(a.id, represents=a.country, role=role_a, evidence=(span,)),
                    Participation(b.id, represents=b.country, role=role_b, evidence=(span,)),
                ),
                (span,),
                date=date,
                location=place,
            )
        )
        topic = rng.choice(TOPICS)
        span = writer.sentence(f"{a.label} pledged to {CONTENT[topic]}.")
        pledges.append(
            Pledge(
                f"p{n}",
                doc_id,
                "pledge",
                (a.id,),
                CONTENT[topic],
                (topic,),
                (StatusStep("made", doc_id, (span,), date=date, at=f"e{n}"),),
                on_behalf_of=(a.country or "",),
                recipients=(b.id,),
                made_at=f"e{n}",
                date=date,
            )
        )
        topic = rng.choice(TOPICS)
        span = writer.sentence(f"{b.label} urged {a.label} to {CONTENT[topic]}.")
        demands.append(
            Demand(
                f"d{n}",
                doc_id,
                "demand",
                (b.id,),
                CONTENT[topic],
                (topic,),
                (span,),
                addressees=(a.id,),
                at=f"e{n}",
                date=date,
            )
        )
        quote = f"We had a frank exchange on {topic.replace('_', ' ')} number {index}-{n}"
        span = writer.sentence(f"\u201c{quote},\u201d {a.label} said.")
        statements.append(Statement(f"s{n}", doc_id, a.id, quote, (span,), at=f"e{n}", date=date))
    document = Document(doc_id, writer.text, f"Synthetic report {index}", date)
    return Coding(document, tuple(events), tuple(pledges), tuple(demands), tuple(statements))


def codings(count: int, registry: Registry, seed: int = 7) -> Iterator[Coding]:
    """``count`` generated codings, deterministic for a seed."""
    rng = random.Random(seed)
    for index in range(count):
        yield make_coding(index, registry, rng)


class _Minted:
    """The IRIs earlier batches gave out, so a batch never reuses one for another node (a
    :class:`kg.resolve.Known` that matches nothing: batches are independent reports)."""

    def __init__(self) -> None:
        self.iris: set[URIRef] = set()

    def add(self, resolution: Resolution) -> None:
        self.iris.update(n.iri for n in resolution.nodes)

    def match_event(self, group: object) -> None:
        return None

    def match_pledge(self, group: object, event_of: object) -> None:
        return None

    def match_demand(self, group: object, event_of: object) -> None:
        return None

    def match_statement(self, group: object) -> None:
        return None

    def is_taken(self, iri: URIRef) -> bool:
        return iri in self.iris


def write_graph(target_triples: int, out: Path, batch: int = 100, seed: int = 7) -> int:
    """Stream a graph of about ``target_triples`` to N-Quads; returns the quads written."""
    registry = make_registry()
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with out.open("wb") as stream:
        head = map_registry(registry, BASE)
        vocabulary = load_vocabulary(ROOT / "ontology")
        for name, graph in (
            (iris.registry_graph_iri(BASE), head),
            (iris.vocabulary_graph_iri(BASE), vocabulary),
        ):
            for s, p, o in graph:
                stream.write(f"{s.n3()} {p.n3()} {o.n3()} <{name}> .\n".encode())
                written += 1
        generator = codings(10**9, registry, seed)
        minted = _Minted()
        while written < target_triples:
            chunk = [next(generator) for _ in range(batch)]
            resolution = resolve(chunk, registry, BASE, minted)
            minted.add(resolution)
            written += write_nquads(map_codings(chunk, resolution, registry, BASE), stream)
    return written


def write_corpus(documents: int, out: Path, seed: int = 7) -> None:
    """Write generated articles as .txt + .meta.yaml (+ gold .coding.yaml) and a registry."""
    registry = make_registry()
    out.mkdir(parents=True, exist_ok=True)
    for coding in codings(documents, registry, seed):
        doc = coding.document
        (out / f"{doc.id}.txt").write_text(doc.text, encoding="utf-8")
        meta = {"title": doc.title, "published": doc.published.iso if doc.published else None}
        (out / f"{doc.id}.meta.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    sections: dict[str, list[dict[str, object]]] = {
        "states": [],
        "people": [],
        "offices": [],
        "places": [],
    }
    for actor in registry.actors.values():
        entry: dict[str, object] = {"id": actor.id, "label": actor.label}
        if actor.aliases:
            entry["aliases"] = list(actor.aliases)
        if actor.country:
            entry["country"] = actor.country
        if actor.office_of:
            entry["of"] = actor.office_of
        if actor.terms:
            entry["offices"] = [
                {"office": t.office, "from": t.start.iso if t.start else None} for t in actor.terms
            ]
        key = {"state": "states", "person": "people", "office": "offices"}[actor.kind]
        sections[key].append(entry)
    for place in registry.places.values():
        item: dict[str, object] = {"id": place.id, "label": place.label}
        if place.parent:
            item["in"] = place.parent
        sections["places"].append(item)
    (out / "registry.yaml").write_text(yaml.safe_dump(sections, sort_keys=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    graph = sub.add_parser("graph", help="write an N-Quads graph")
    graph.add_argument("--triples", type=int, default=1_000_000)
    graph.add_argument("--out", type=Path, required=True)
    corpus = sub.add_parser("corpus", help="write generated articles and a registry")
    corpus.add_argument("--documents", type=int, default=500)
    corpus.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "graph":
        count = write_graph(args.triples, args.out)
        print(f"wrote {count} quads to {args.out}", file=sys.stderr)
    else:
        write_corpus(args.documents, args.out)
        print(f"wrote {args.documents} articles to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
