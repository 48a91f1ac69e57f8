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


def replacement_update(dataset: Dataset, retract: Sequence[tuple[URIRef, URIRef]] = ()) -> str:
    """The one SPARQL Update that replaces every named graph of ``dataset`` (drop, then insert
    its triples), after deleting each ``(subject, predicate)`` of ``retract`` from every graph;
    "" when there is nothing to do. Both stores run it as one transaction."""
    parts = [f"DELETE WHERE {{ GRAPH ?g {{ {s.n3()} {p.n3()} ?o }} }}" for s, p in retract]
    for graph in dataset.graphs():
        if graph.identifier == dataset.default_graph.identifier and not len(graph):
            continue
        name = graph.identifier
        body = graph.serialize(format="nt")
        parts.append(f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{body}}} }}")
    return " ;\n".join(parts)


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
        """Run a read-only SPARQL query over the union of graphs (or the given graphs)."""
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
        """Run a read-only SPARQL query over the union of graphs (or the given graphs)."""
        ...

    def replace_graphs(
        self, dataset: Dataset, retract: Sequence[tuple[URIRef, URIRef]] = ()
    ) -> None:
        """Replace every named graph of ``dataset`` in one atomic step, first deleting each
        ``(subject, predicate)`` of ``retract`` from every graph (a superseded value)."""
        ...

    def graph_names(self) -> list[URIRef]:
        """The named graphs in the store."""
        ...

    def __len__(self) -> int:
        """Number of quads."""
        ...

    def dump(self, out: IO[bytes], rdf_format: str) -> None:
        """Stream every quad (or triple) to ``out`` in an N-Quads/TriG/N-Triples/Turtle form."""
        ...

    def graph_triples(self, graph: URIRef) -> Iterator[tuple[Node, Node, Node]]:
        """One named graph's triples, grouped by subject."""
        ...

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node | None]]:
        """Every quad as rdflib terms (graph None for the default graph)."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...
