"""Reading RDF files safely: no remote contexts, no XML entities, errors naming the file."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Dataset

from kg.errors import InputError

_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


def rdf_format_of(path: Path) -> str:
    """The rdflib parser name for a file, by extension.

    >>> rdf_format_of(Path("a.trig"))
    'trig'

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

    Raises:
        InputError: unreadable, malformed, an XML DOCTYPE/ENTITY, or a remote JSON-LD context.
    """
    fmt = rdf_format_of(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc}).") from exc
    if fmt == "xml" and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        raise InputError(
            f"{path}: XML with a DOCTYPE or ENTITY declaration is refused (entity expansion).",
            hint="Remove the DOCTYPE, or convert the file to Turtle or N-Triples.",
        )
    if fmt == "json-ld":
        _check_jsonld_contexts(path, data)
    target = dataset.graph(default_graph) if default_graph else dataset.default_context
    try:
        if fmt in ("trig", "nquads"):
            dataset.parse(data=data, format=fmt, publicID=default_graph)
        else:
            target.parse(data=data, format=fmt)
    except Exception as exc:  # rdflib's parsers raise many exception types
        raise InputError(f"{path}: does not parse as {fmt}: {exc}") from exc


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
