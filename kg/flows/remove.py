"""Taking documents out of the store (``dipkg remove``, ``DELETE /api/documents/ID``), in one
transaction that leaves the store as if they had never been ingested, as far as the graph can
tell:

- each document's named graph goes, and with it every mention it made of a merged node (its
  evidence, participants, status steps, merge reasons): the event, pledge, demand or
  statement other documents also report stays with theirs;
- a value a merged node states once (:data:`kg.rdf.mapping.KEPT_ONCE`: its label, kept date,
  place, status, ...) that only a removed document's graph held passes to the graph of the
  first other document reporting the node, so the node stays complete. It is the value the
  node had; ingesting that document again writes the value the document supports itself. A
  pledge's status is not passed on but taken from its latest remaining status step;
- every IRI only the removed documents described (the nodes no other document reports, their
  spans, the documents themselves) is retired without a replacement: it answers 410 Gone
  (:mod:`kg.resolve.retirement`), and so does every retired IRI that pointed at one of them;
  links from other graphs to them go;
- SHACL checks what the write leaves, the way ingest checks a document: the new versions of
  the graphs it changes, with their neighbourhood in the store. A removal that would leave a
  violation is refused whole; the store stays as it was;
- the removal is recorded in the graph of changes with the rest, in the same transaction.

After the transaction, the search index follows (:func:`kg.flows.write.index_graphs`): the
documents' entries go, and the nodes they shared keep the rows the other documents give them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, URIRef

from kg import iris
from kg.config import Settings
from kg.errors import UnknownDocumentError, ValidationError
from kg.flows.validate import Gate
from kg.flows.write import (
    begin_change,
    index_graphs,
    retirement_amendment,
    write_recorded,
    written_graphs,
)
from kg.query.internal import internal_query
from kg.rdf.mapping import KEPT_ONCE, change_node
from kg.rdf.validation import validate_in_store
from kg.resolve.retirement import Retirement, Retirements
from kg.resolve.rules import status_rank
from kg.store.base import Store
from kg.vocab import DIP


@dataclass
class Removal:
    """What a removal did.

    Attributes:
        documents: the ids of the documents taken out.
        kept: the events, pledges, demands and statements that other documents also
            report: they stay, without the removed documents' mentions.
        gone: the IRIs retired without a replacement (410 Gone), the removed-only nodes
            among them.
        handed: how many single values of kept nodes passed to another document's graph.
        change: the IRI of the removal's record in the graph of changes.
        triples_removed: triples taken out of the named graphs.
    """

    documents: list[str]
    kept: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    handed: int = 0
    change: str = ""
    triples_removed: int = 0

    def as_json(self) -> dict[str, object]:
        """The removal as plain JSON values."""
        return dataclasses.asdict(self)


"""A hook run once a removal is committed (for what lives outside the store)."""


@dataclass
class _Plan:
    """The write a removal makes: the new versions of the graphs it changes (the removed
    ones empty), the retirements, and what it keeps and hands over."""

    dataset: Dataset
    changed: list[URIRef]
    retirements: Retirements
    kept: list[str]
    handed: int


def document_id(argument: str, base: str) -> str:
    """The id of a document named by its id or its IRI (``{base}document/{id}``).

    >>> document_id("https://w3id.org/dipkg/id/document/doc_1", "https://w3id.org/dipkg/id/")
    'doc_1'
    >>> document_id("doc_1", "https://w3id.org/dipkg/id/")
    'doc_1'
    """
    return argument.removeprefix(f"{base}document/")


def remove_documents(
    store: Store,
    settings: Settings,
    documents: Sequence[str],
    agent: str = "cli",
) -> Removal:
    """Take documents out of ``store`` in one transaction (see the module), recorded as a
    ``remove`` by ``agent``; then the search index of ``settings`` follows.

    Args:
        store: an open, writable store.
        settings: the base IRI and the ontology directory (shapes, vocabulary).
        documents: ids or IRIs of the documents.
        agent: ``cli``, or the name of the write token of the request.

    Raises:
        UnknownDocumentError: the store holds no such document (nothing was changed).
        ValidationError: what would be left violates the shapes (nothing was changed).
    """
    base = settings.base_iri
    ids = list(dict.fromkeys(document_id(d, base) for d in documents))
    change = begin_change("remove", agent, removed=tuple(ids))
    for name in ids:
        graph = iris.document_graph_iri(base, name)
        there = internal_query(
            "document-graph", graph=graph, document=iris.document_iri(base, name)
        )
        if not store.query(there).boolean:
            raise UnknownDocumentError(
                f"The store holds no document {name!r}; nothing was removed.",
                document=name,
                hint="`GET /api/documents` (or the home page) lists the documents.",
            )
    removed = [iris.document_graph_iri(base, name) for name in ids]
    plan = _plan(store, base, removed)
    if plan.changed:
        changed = Graph()
        for name in plan.changed:
            for triple in plan.dataset.graph(name):
                changed.add(triple)
        report = validate_in_store(store, changed, [*removed, *plan.changed], Gate(settings))
        if not report.conforms:
            raise ValidationError(
                f"Removing {', '.join(ids)} would leave {len(report.violations)} shape "
                "violation(s); nothing was removed.",
                report=report,
                hint="Ingest a corrected version of the documents that still report these "
                "nodes, or remove them too.",
            )
    change = write_recorded(
        store, plan.dataset, change, base, amend=[retirement_amendment(plan.retirements, base)]
    )
    removal = Removal(
        documents=ids,
        kept=plan.kept,
        gone=sorted(str(r.iri) for r in plan.retirements.records),
        handed=plan.handed,
        change=str(change_node(change, base)),
        triples_removed=change.triples_removed,
    )
    index_graphs(settings, store, [*removed, *written_graphs(plan.dataset)])
    return removal


def _plan(store: Store, base: str, removed: list[URIRef]) -> _Plan:
    """The write that takes the graphs ``removed`` out (see the module).

    Queries: ``kg/query/sparql/own-subjects.rq``, ``shared-subjects.rq``,
    ``orphaned-values.rq``, ``links-to.rq``, ``replaced-by.rq``, ``remaining-steps.rq``."""
    history = iris.retired_graph_iri(base)
    apart = [*removed, history, iris.changes_graph_iri(base)]
    own = store.query(internal_query("own-subjects", graph=removed, apart=apart)).rows
    gone = sorted({URIRef(str(row[0])) for row in own})
    shared = store.query(internal_query("shared-subjects", graph=removed, apart=apart)).rows
    holders: dict[URIRef, set[URIRef]] = {}
    kinds: dict[URIRef, URIRef] = {}
    for subject, graph, kind in shared:
        holders.setdefault(URIRef(str(subject)), set()).add(URIRef(str(graph)))
        if kind is not None:
            kinds[URIRef(str(subject))] = URIRef(str(kind))
    dataset = Dataset()
    for name in removed:
        dataset.graph(name)  # replaced by nothing: dropped
    versions: dict[URIRef, Graph] = {}

    def version(name: URIRef) -> Graph:
        if name not in versions:
            versions[name] = dataset.graph(name)
            for triple in store.graph_triples(name):
                versions[name].add(triple)
        return versions[name]

    orphaned = store.query(
        internal_query("orphaned-values", graph=removed, predicate=sorted(KEPT_ONCE), apart=apart)
    ).rows
    handed = 0
    statuses = []
    lost = set(gone)
    for subject, predicate, value in orphaned:
        node = URIRef(str(subject))
        if value in lost:
            continue  # a link to what goes (a part of an event only these documents report)
        if predicate == DIP.status and kinds.get(node) == DIP.Pledge:
            statuses.append(node)
            continue
        version(_heir(holders[node], base)).add((node, predicate, value))  # type: ignore[arg-type]
        handed += 1
    for pledge, status in _latest_statuses(store, statuses, apart).items():
        version(_heir(holders[pledge], base)).add((pledge, DIP.status, status))
        handed += 1
    if gone:
        links = store.query(internal_query("links-to", resource=gone, apart=apart)).rows
        for graph, subject, predicate, value in links:
            version(URIRef(str(graph))).remove((subject, predicate, value))
    records = [Retirement(iri, None) for iri in gone if str(iri).startswith(base)]
    if records:
        pointing = store.query(
            internal_query("replaced-by", graph=history, replacement=[r.iri for r in records])
        ).rows
        records += [Retirement(URIRef(str(x)), None) for x, _ in pointing]
    retirements = Retirements(tuple(records), frozenset(r.iri for r in records))
    return _Plan(dataset, sorted(versions), retirements, sorted(map(str, kinds)), handed)


def _heir(graphs: set[URIRef], base: str) -> URIRef:
    """The graph a kept node's single value passes to: the first document graph among those
    describing it (else the first graph)."""
    own = {iris.registry_graph_iri(base), iris.vocabulary_graph_iri(base)}
    return min(graphs - own or graphs)


def _latest_statuses(
    store: Store, pledges: list[URIRef], apart: list[URIRef]
) -> dict[URIRef, URIRef]:
    """Each pledge's status from its latest status step outside the graphs ``apart`` (by
    first day, then by status, as resolution orders steps); pledges without one are left
    out (the shapes then say so)."""
    if not pledges:
        return {}
    rows = store.query(internal_query("remaining-steps", node=pledges, apart=apart)).rows
    latest: dict[URIRef, tuple[str, int, URIRef]] = {}
    for pledge, status, day in rows:
        key = (str(day or ""), status_rank(str(status).rsplit("/", 1)[-1]), URIRef(str(status)))
        node = URIRef(str(pledge))
        if node not in latest or key > latest[node]:
            latest[node] = key
    return {node: key[2] for node, key in latest.items()}
