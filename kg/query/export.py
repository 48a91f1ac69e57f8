"""Bodies for ``dipkg export`` and the ``/dump.*`` routes, written to a binary stream.

N-Quads, TriG, N-Triples and Turtle stream straight from the store; JSON-LD is compacted with
the project's own context (never a remote one); the tables (``csv``: dipkg's event table;
``polecat`` and ``cameo``: shaped like those event data sets, docs/exports.md) are the rows of
an internal query, written as CSV.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal
from rdflib.namespace import RDF, XSD

from kg.formats import get_format
from kg.query.internal import internal_query
from kg.query.results import render, sort_multivalued
from kg.store.base import Store
from kg.store.terms import dataset_quads

MULTIVALUED = {
    "event-table": ("participants", "sources"),
    "polecat-table": ("event", "mode", "context", "source", "recipient", "sources"),
    "cameo-table": ("sources",),
}
"""The ``; ``-joined columns of each table query, sorted in every cell."""


def export(store: Store, fmt_name: str, out: IO[bytes], context_path: Path) -> None:
    """Write the whole store to ``out`` in one of the export formats.

    Args:
        store: the store to export.
        fmt_name: one of :data:`kg.formats.DUMP_FORMATS`.
        out: a binary stream.
        context_path: the project's JSON-LD context file.
    """
    fmt = get_format(fmt_name)
    if not fmt.dump:
        raise ValueError(f"{fmt.name} is not an export format")
    if fmt.table is not None:
        table = store.query(internal_query(fmt.table))
        out.write(render(sort_multivalued(table, MULTIVALUED[fmt.table]), "csv"))
    elif fmt.name == "jsonld":
        context = json.loads(context_path.read_text(encoding="utf-8"))
        write_jsonld(store, out, context.get("@context", context))
    else:
        store.dump(out, fmt.name)


def write_jsonld(store: Store, out: IO[bytes], context: object) -> None:
    """Stream the store as JSON-LD: one ``@graph`` per named graph, one node object per
    subject (subjects come grouped from the store's index), full IRIs, the project's context.
    Memory stays at one subject's triples, whatever the store's size."""
    out.write(b'{"@context": ' + json.dumps(context).encode() + b', "@graph": [')
    first_graph = True
    for graph in store.graph_names():
        out.write(
            (b"" if first_graph else b",")
            + b'\n{"@id": '
            + json.dumps(str(graph)).encode()
            + b', "@graph": ['
        )
        first_graph = False
        first_node = True
        subject = None
        node: dict[str, list[object]] = {}
        for s, p, o in store.graph_triples(graph):
            if s != subject and subject is not None:
                out.write(_node_json(subject, node, first_node))
                first_node, node = False, {}
            subject = s
            node.setdefault(str(p), []).append(_value_json(o))
        if subject is not None:
            out.write(_node_json(subject, node, first_node))
        out.write(b"]}")
    out.write(b"\n]}\n")


def _node_json(subject: object, node: dict[str, list[object]], first: bool) -> bytes:
    types = node.pop(str(RDF.type), [])
    body: dict[str, object] = {"@id": _id_of(subject)}
    if types:
        body["@type"] = [t["@id"] for t in types]  # type: ignore[index]
    body.update(node)
    return (b"" if first else b",") + b"\n" + json.dumps(body, ensure_ascii=False).encode("utf-8")


def _id_of(term: object) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _value_json(term: object) -> object:
    if isinstance(term, Literal):
        if term.language:
            return {"@value": str(term), "@language": term.language}
        if term.datatype is not None and term.datatype != XSD.string:
            return {"@value": str(term), "@type": str(term.datatype)}
        return {"@value": str(term)}
    return {"@id": _id_of(term)}


def write_nquads(dataset: Dataset, out: IO[bytes]) -> int:
    """Write every graph of ``dataset`` as N-Quads (the default graph's triples without a name).

    Returns:
        The number of quads written.
    """
    quads = list(dataset_quads(dataset))
    ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
    return len(quads)
