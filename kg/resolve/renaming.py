"""Renaming stored nodes: when a new report gives a node the IRI it would have had if that
report had come first (:class:`kg.resolve._Identity`), every document graph that names the
node is rewritten with the new IRI in the same write, and the old IRI is retired to the new
one by :mod:`kg.resolve.retirement` (its evidence is the same)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rdflib import Graph, URIRef
from rdflib.term import Node

from kg.query.internal import internal_query
from kg.store.base import Store


def renamed_term(term: Node, renames: Mapping[URIRef, URIRef]) -> Node:
    """``term`` under ``renames``: a renamed IRI, or an IRI under one (a participation, a
    status step, a merge reason: ``{node}/...``), takes the new name.

    >>> from rdflib import URIRef as U
    >>> renames = {U("x:e/undated-a"): U("x:e/2024-a")}
    >>> renamed_term(U("x:e/undated-a/participant/b"), renames)
    rdflib.term.URIRef('x:e/2024-a/participant/b')
    >>> renamed_term(U("x:e/undated-ab"), renames)
    rdflib.term.URIRef('x:e/undated-ab')
    """
    if not isinstance(term, URIRef):
        return term
    if term in renames:
        return renames[term]
    for old, new in renames.items():
        if str(term).startswith(f"{old}/"):
            return URIRef(f"{new}{str(term)[len(old) :]}")
    return term


def rename_graph(
    triples: Iterable[tuple[Node, Node, Node]],
    renames: Mapping[URIRef, URIRef],
    retract: Sequence[tuple[URIRef, URIRef]] = (),
) -> Graph:
    """A graph of ``triples`` without the ``(subject, predicate)`` values of ``retract`` (a
    subject named before or after renaming) and with every IRI under ``renames`` renamed."""
    dropped = set(retract)
    graph = Graph()
    for s, p, o in triples:
        subject = renamed_term(s, renames)
        if (s, p) in dropped or (subject, p) in dropped:
            continue
        graph.add((subject, p, renamed_term(o, renames)))
    return graph


def graphs_naming(
    store: Store, nodes: Iterable[URIRef], exclude: URIRef | None = None
) -> list[URIRef]:
    """The named graphs (but ``exclude``) that name any of ``nodes``, in IRI order."""
    slots: dict[str, URIRef | list[URIRef]] = {"node": list(nodes)}
    if exclude is not None:
        slots["excluded"] = exclude
    rows = store.query(internal_query("graphs-naming", **slots)).rows
    return sorted(URIRef(str(row[0])) for row in rows)
