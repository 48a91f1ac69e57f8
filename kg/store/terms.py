"""rdflib terms <-> pyoxigraph terms, and an rdflib Dataset as pyoxigraph quads: the one place
the two libraries' models meet."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

from kg.errors import StoreError


def to_rdflib(term: object) -> Node | None:
    """A pyoxigraph term as the equal rdflib term: the same term, so a literal keeps its
    lexical form (rdflib would otherwise rewrite ``"3"^^xsd:double`` as ``"3.0"``, a
    different RDF term, and every result serialised through rdflib would say so: W3C
    SPARQL test ``sparql10/expr-ops/add-numbers-cast``).

    >>> to_rdflib(ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")))
    rdflib.term.Literal('3', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#double'))
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    if isinstance(term, ox.DefaultGraph):
        return None
    raise StoreError(f"unsupported term from the store: {term!r}")


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the equal pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"unsupported rdflib term: {term!r}")


def dataset_quads(dataset: Dataset, *, merge: bool = False) -> Iterator[ox.Quad]:
    """Every quad of an rdflib Dataset as pyoxigraph quads (default graph without a name);
    with ``merge``, each named graph's triples also in the default graph (for bulk loads into
    a store whose default graph is the merge)."""
    default = dataset.default_graph.identifier
    for graph in dataset.graphs():
        name = ox.DefaultGraph() if graph.identifier == default else to_oxigraph(graph.identifier)
        for s, p, o in graph:
            quad = ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)  # type: ignore[arg-type]
            yield quad
            if merge and not isinstance(name, ox.DefaultGraph):
                yield ox.Quad(quad.subject, quad.predicate, quad.object)
