"""Cool IRIs: which IRIs a write of new graph versions retires, and what replaces each
(docs/model.md, "Retired IRIs").

When a write replaces document graphs (a re-ingest, a build over an existing store after a
correction), every IRI under the base that only those graphs described and that their new
versions leave out is retired. A retired event, pledge, demand or statement is replaced by
the node of the same kind in the new versions that the most of its evidence texts now
support (the same sentences report it: the same-event rule cannot say, since the change, a
date for instance, is what it compares); an IRI under it (a participation, a status step, a
merge reason) by the same path under its replacement, when the new versions have that. Any
other retired IRI is gone. Chains collapse: what replaced an IRI that retires now is
replaced by what replaces it (A by B, then B by C: A by C); an IRI the new versions describe
again is no longer retired.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rdflib import Dataset, URIRef
from rdflib.namespace import PROV, RDF
from rdflib.term import Node

from kg import iris
from kg.query.internal import internal_query
from kg.store.base import Queryable
from kg.vocab import DIP, OA

REPORTED = (DIP.Event, DIP.Pledge, DIP.Demand, DIP.Statement)
"""The kinds of node a retired IRI is matched to its replacement for by evidence."""

Reports = Mapping[URIRef, tuple[URIRef, frozenset[str]]]
"""The events, pledges, demands and statements of some graphs: each one's class and the
texts of its evidence spans."""


@dataclass(frozen=True, slots=True)
class Retirement:
    """A retired IRI and what replaced it (None: it is gone)."""

    iri: URIRef
    replacement: URIRef | None


@dataclass(frozen=True, slots=True)
class Retirements:
    """What a write does to the graph of retired IRIs: each IRI of ``cleared`` loses its
    record, then ``records`` are written."""

    records: tuple[Retirement, ...] = ()
    cleared: frozenset[URIRef] = frozenset()


def match_versions(
    retired: Iterable[URIRef], old: Reports, new: Reports, alive: Collection[URIRef]
) -> list[Retirement]:
    """What replaces each retired IRI (pure: the old and new versions' reports in, one
    record per retired IRI out, in IRI order).

    >>> from rdflib import URIRef as U
    >>> event = U("https://w3id.org/dipkg/def#Event")
    >>> old = {U("x:e/undated"): (event, frozenset({"They met."}))}
    >>> new = {U("x:e/2024"): (event, frozenset({"They met.", "On Monday."}))}
    >>> retired = [U("x:e/undated"), U("x:e/undated/participant/a"), U("x:span")]
    >>> alive = {U("x:e/2024"), U("x:e/2024/participant/a")}
    >>> [str(r.replacement) for r in match_versions(retired, old, new, alive)]
    ['x:e/2024', 'x:e/2024/participant/a', 'None']
    """
    by_text: dict[tuple[URIRef, str], set[URIRef]] = defaultdict(set)
    for node, (kind, texts) in new.items():
        for text in texts:
            by_text[(kind, text)].add(node)
    retired = sorted(set(retired))
    replaced: dict[URIRef, URIRef | None] = {}
    for iri in retired:
        if iri in old:
            kind, texts = old[iri]
            shared: dict[URIRef, int] = defaultdict(int)
            for text in texts:
                for node in by_text[(kind, text)]:
                    shared[node] += 1
            # the most texts in common, then the first IRI: the same answer in any order
            replaced[iri] = min(shared, key=lambda n: (-shared[n], str(n))) if shared else None
    records = []
    for iri in retired:
        if iri not in replaced:
            parent = next((p for p in replaced if str(iri).startswith(f"{p}/")), None)
            target = replaced.get(parent) if parent is not None else None
            under = URIRef(f"{target}{str(iri)[len(str(parent)) :]}") if target else None
            replaced[iri] = under if under in alive else None
        records.append(Retirement(iri, replaced[iri]))
    return records


def retirements(store: Queryable, dataset: Dataset, base: str) -> Retirements:
    """What writing ``dataset`` (its named graphs replaced whole) does to the graph of
    retired IRIs of ``store``: the IRIs it retires, the records that now point at them
    (collapsed onto their replacements), and the retired IRIs it describes again.

    Queries: ``kg/query/sparql/own-subjects.rq``, ``reports.rq``, ``replaced-by.rq``,
    ``retired.rq``.
    """
    history = iris.retired_graph_iri(base)
    graphs = sorted(
        g.identifier
        for g in dataset.graphs()
        if isinstance(g.identifier, URIRef) and g.identifier != history
    )
    if not graphs:
        return Retirements()
    alive = {s for s, _, _, _ in dataset.quads() if isinstance(s, URIRef)}
    own = store.query(internal_query("own-subjects", graph=graphs, apart=[*graphs, history]))
    retired = [
        URIRef(str(row[0]))
        for row in own.rows
        if str(row[0]).startswith(base) and URIRef(str(row[0])) not in alive
    ]
    records: list[Retirement] = []
    if retired:
        old = store.query(internal_query("reports", graph=graphs, **{"class": list(REPORTED)}))
        records = match_versions(retired, _reports(old.rows), _new_reports(dataset, graphs), alive)
        pointing = store.query(
            internal_query("replaced-by", graph=history, replacement=[r.iri for r in records])
        ).rows
        onto = {r.iri: r.replacement for r in records}
        records += [
            Retirement(URIRef(str(x)), onto[URIRef(str(o))])
            for x, o in pointing
            if URIRef(str(x)) not in alive
        ]
    described = sorted(i for i in alive if i.startswith(base))
    revived = store.query(internal_query("retired", graph=history, resource=described)).rows
    return Retirements(
        tuple(records),
        frozenset(r.iri for r in records) | {URIRef(str(row[0])) for row in revived},
    )


def _reports(rows: Iterable[Sequence[Node | None]]) -> dict[URIRef, tuple[URIRef, frozenset[str]]]:
    """The rows of ``reports.rq`` as :data:`Reports`."""
    texts: dict[URIRef, set[str]] = defaultdict(set)
    kinds: dict[URIRef, URIRef] = {}
    for node, kind, exact in rows:
        texts[URIRef(str(node))].add(str(exact))
        kinds[URIRef(str(node))] = URIRef(str(kind))
    return {node: (kinds[node], frozenset(found)) for node, found in texts.items()}


def _new_reports(dataset: Dataset, graphs: Iterable[URIRef]) -> Reports:
    """What ``reports.rq`` answers on the store, read from the new versions in memory (rdflib's
    SPARQL over a Dataset goes through its deprecated ``default_context``)."""
    rows = []
    for name in graphs:
        graph = dataset.graph(name)
        for kind in REPORTED:
            for node in graph.subjects(RDF.type, kind):
                for span in graph.objects(node, PROV.wasDerivedFrom):
                    for selector in graph.objects(span, OA.hasSelector):
                        rows += [(node, kind, e) for e in graph.objects(selector, OA.exact)]
    return _reports(rows)
