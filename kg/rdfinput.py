"""Reading RDF files safely: no remote contexts, no XML entities, errors naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from kg.errors import InputError
from kg.store.embedded import to_rdflib

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


def rdf_format_of(path: Path) -> ox.RdfFormat:
    """The parser for a file, by extension.

    >>> rdf_format_of(Path("a.trig")).name
    'TriG'

    Raises:
        InputError: the extension is not an RDF format dipkg reads.
    """
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{path}: unknown RDF file extension {path.suffix!r}.",
            hint=f"Use one of: {', '.join(sorted(_FORMATS))}.",
        )
    return fmt


def parse_rdf_file(path: Path, dataset: Dataset, default_graph: str | None = None) -> None:
    """Parse one RDF file into ``dataset``; triples without a graph go to ``default_graph``.

    Parsing is Oxigraph's: it never fetches anything. Files are refused before parsing when
    they carry an XML DOCTYPE/ENTITY or a remote JSON-LD context.

    Raises:
        InputError: unreadable, malformed, an XML DOCTYPE/ENTITY, or a remote JSON-LD context.
    """
    fmt = rdf_format_of(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc}).") from exc
    if fmt == ox.RdfFormat.RDF_XML and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        raise InputError(
            f"{path}: XML with a DOCTYPE or ENTITY declaration is refused (entity expansion).",
            hint="Remove the DOCTYPE, or convert the file to Turtle or N-Triples.",
        )
    if fmt == ox.RdfFormat.JSON_LD:
        _check_jsonld_contexts(path, data)
    target = dataset.graph(URIRef(default_graph)) if default_graph else dataset.default_graph
    try:
        for quad in ox.parse(data, fmt, base_iri=path.resolve().as_uri()):
            triple = (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
            if isinstance(quad.graph_name, ox.DefaultGraph):
                target.add(triple)  # type: ignore[arg-type]
            else:
                dataset.graph(to_rdflib(quad.graph_name)).add(triple)  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise InputError(f"{path}: does not parse as {fmt.name}: {exc}") from exc


def _check_jsonld_contexts(path: Path, data: bytes) -> None:
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from exc

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    contexts = value if isinstance(value, list) else [value]
                    if any(isinstance(c, str) for c in contexts):
                        raise InputError(
                            f"{path}: a remote JSON-LD @context ({contexts}) is refused; "
                            "dipkg never fetches contexts.",
                            hint="Inline the context object in the file.",
                        )
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
