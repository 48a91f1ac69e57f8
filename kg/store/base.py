"""The store interface every backend implements, and the neutral query result."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Protocol

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node


@dataclass
class QueryResult:
    """A SPARQL result: SELECT rows, an ASK boolean, or CONSTRUCT/DESCRIBE triples.

    ``rows`` hold rdflib terms (``None`` for unbound). ``truncated`` is True when the row cap
    cut the result; the renderers and the server state it.
    """

    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Amendment:
    """A change to one named graph that a write keeps rather than replaces (the graph of
    retired IRIs grows with history, so it is never rewritten whole): every triple of
    ``subjects`` in it is deleted, then ``triples`` are added to it."""

    graph: URIRef
    subjects: frozenset[URIRef] = frozenset()
    triples: Graph = field(default_factory=Graph)


def replacement_update(
    dataset: Dataset,
    retract: Sequence[tuple[URIRef, URIRef]] = (),
    amend: Sequence[Amendment] = (),
    *,
    merge: bool = True,
) -> str:
    """The one SPARQL Update that replaces every named graph of ``dataset`` (drop, then insert
    its triples), after deleting each ``(subject, predicate)`` of ``retract`` from every graph,
    and then makes each change of ``amend``; "" when there is nothing to do. Both stores run
    it as one transaction.

    The store's default graph is kept as the RDF merge of its named graphs, each distinct
    triple once (RDF 1.1 Semantics 4.1; SPARQL 1.1 Service Description's union default graph
    means a set, not a bag): a triple leaves it when the last graph stating it does, and a
    graph's triples enter it in the same INSERT DATA (so blank nodes are the same nodes).
    Without ``merge`` (a server whose default graph is the union of its graphs) only the
    named graphs are written."""
    parts = []
    for s, p in retract:
        parts.append(f"DELETE WHERE {{ GRAPH ?g {{ {s.n3()} {p.n3()} ?o }} }}")
        if merge:
            parts.append(f"DELETE WHERE {{ {s.n3()} {p.n3()} ?o }}")
    for graph in dataset.graphs():
        if graph.identifier == dataset.default_graph.identifier:
            if len(graph):
                raise ValueError("every triple of a replacement belongs to a named graph")
            continue
        name = graph.identifier.n3()
        if merge:
            parts.append(_unmerged(name))
        parts.append(f"DROP SILENT GRAPH {name}")
        parts.append(_inserted(name, graph, merge))
    for change in amend:
        name = change.graph.n3()
        if change.subjects:
            only = f"VALUES ?s {{ {' '.join(s.n3() for s in sorted(change.subjects))} }} "
            if merge:
                parts.append(_unmerged(name, only))
            pattern = f"GRAPH {name} {{ ?s ?p ?o }}"
            parts.append(f"DELETE {{ {pattern} }} WHERE {{ {only}{pattern} }}")
        if len(change.triples):
            parts.append(_inserted(name, change.triples, merge))
    return " ;\n".join(parts)


def _unmerged(name: str, only: str = "") -> str:
    """Delete from the default graph the triples of graph ``name`` (those of ``only``'s
    subjects) that no other graph states."""
    return (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ {only}GRAPH {name} {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != {name}) }} }}"
    )


def _inserted(name: str, graph: Graph, merge: bool) -> str:
    """Insert ``graph``'s triples into graph ``name`` (and, with ``merge``, the default graph)."""
    body = graph.serialize(format="nt")
    merged = body if merge else ""
    return f"INSERT DATA {{ GRAPH {name} {{\n{body}}}\n{merged}}}"


class Queryable(Protocol):
    """Anything that answers SPARQL queries: a store, or the killable query executor."""

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a read-only SPARQL query over the default graph, the RDF merge of the named
        graphs (or over the given graphs)."""
        ...


class Store(Queryable, Protocol):
    """What the rest of dipkg needs from a store; it never knows which backend it has."""

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a read-only SPARQL query over the default graph, the RDF merge of the named
        graphs (or over the given graphs)."""
        ...

    def replace_graphs(
        self,
        dataset: Dataset,
        retract: Sequence[tuple[URIRef, URIRef]] = (),
        amend: Sequence[Amendment] = (),
    ) -> None:
        """Replace every named graph of ``dataset`` in one atomic step, first deleting each
        ``(subject, predicate)`` of ``retract`` from every graph (a superseded value), then
        making the changes of ``amend`` to graphs it keeps."""
        ...

    def graph_names(self) -> list[URIRef]:
        """The named graphs in the store."""
        ...

    def __len__(self) -> int:
        """Number of quads in the named graphs."""
        ...

    def triple_count(self) -> int:
        """Number of distinct triples: the default graph, the merge of the named graphs."""
        ...

    def add_merge(self) -> None:
        """Fill the default graph with the merge of the named graphs if it is empty (a store
        written before it held the merge, or loaded by a server's own bulk loader)."""
        ...

    def dump(self, out: IO[bytes], rdf_format: str) -> None:
        """Stream the named graphs' quads (``nq``, ``trig``) or the merge's triples (``nt``,
        ``ttl``: names of :data:`kg.formats.FORMATS`) to ``out``."""
        ...

    def graph_triples(self, graph: URIRef) -> Iterator[tuple[Node, Node, Node]]:
        """One named graph's triples, grouped by subject."""
        ...

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node | None]]:
        """Every quad of the named graphs as rdflib terms."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...
