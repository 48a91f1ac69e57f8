"""One table of every serialisation dipkg speaks: name, media type, extension, rdflib format.

The CLI's ``--format``, the server's content negotiation and the dumps all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import UsageError


@dataclass(frozen=True, slots=True)
class Format:
    """One serialisation."""

    name: str
    media_type: str
    extension: str
    kind: str  # "results" (SELECT/ASK) or "rdf" (graphs)
    rdflib: str | None = None
    has_graphs: bool = False
    aliases: tuple[str, ...] = ()
    """Other media types clients use for it."""
    nicknames: tuple[str, ...] = ()
    """Other names for it in ``format`` parameters (SPARQLWrapper sends ``format=turtle``)."""


FORMATS: tuple[Format, ...] = (
    Format(
        "json", "application/sparql-results+json", "srj", "results", aliases=("application/json",)
    ),
    Format("xml", "application/sparql-results+xml", "srx", "results"),
    Format("csv", "text/csv", "csv", "results"),
    Format("tsv", "text/tab-separated-values", "tsv", "results"),
    Format(
        "ttl",
        "text/turtle",
        "ttl",
        "rdf",
        "turtle",
        aliases=("application/x-turtle", "application/turtle"),
        nicknames=("turtle", "n3"),
    ),
    Format(
        "nt",
        "application/n-triples",
        "nt",
        "rdf",
        "nt",
        aliases=("text/plain",),
        nicknames=("ntriples", "n-triples"),
    ),
    Format(
        "jsonld", "application/ld+json", "jsonld", "rdf", "json-ld", nicknames=("json-ld", "json")
    ),
    Format("rdfxml", "application/rdf+xml", "rdf", "rdf", "xml", nicknames=("xml", "rdf+xml")),
    Format("trig", "application/trig", "trig", "rdf", "trig", has_graphs=True),
    Format("nq", "application/n-quads", "nq", "rdf", "nquads", has_graphs=True),
)
BY_NAME = {f.name: f for f in FORMATS}


def get_format(name: str, kind: str | None = None) -> Format:
    """The format called ``name`` (optionally of one kind).

    >>> get_format("csv").media_type
    'text/csv'

    Raises:
        UsageError: no such format (of that kind).
    """
    fmt = BY_NAME.get(name)
    if fmt is None or (kind is not None and fmt.kind != kind):
        known = ", ".join(f.name for f in FORMATS if kind is None or f.kind == kind)
        raise UsageError(f"Unknown format {name!r}.", hint=f"Known formats: {known}.")
    return fmt
