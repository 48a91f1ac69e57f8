"""One table of every format dipkg reads or writes: its name, media type, file extensions, kind,
and what each library calls it.

Kinds: ``results`` (SELECT/ASK results), ``rdf`` (graphs and datasets), ``document`` (articles),
``table`` (the event-data tables shaped like POLECAT and CAMEO, written as CSV).
The CLI's ``--format`` choices, the server's content negotiation, the dumps, the RDF file
reader, the bulk loader and the article reader all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.errors import UsageError


@dataclass(frozen=True, slots=True)
class Format:
    """One format."""

    name: str
    media_type: str
    extension: str
    kind: str  # "results", "rdf" or "document"
    rdflib: str | None = None
    has_graphs: bool = False
    aliases: tuple[str, ...] = ()
    """Other media types clients use for it."""
    nicknames: tuple[str, ...] = ()
    """Other names for it in ``format`` parameters (SPARQLWrapper sends ``format=turtle``)."""
    extensions: tuple[str, ...] = ()
    """File extensions read as this format (default: ``.{extension}``)."""
    oxigraph: str | None = None
    """The name of its ``pyoxigraph.RdfFormat`` / ``QueryResultsFormat`` member."""
    bulk: bool = False
    """Oxigraph's bulk loader reads it (``dipkg load --bulk``)."""
    dump: bool = False
    """The server offers a dump in it (``/dump.{extension}``) and ``dipkg export`` writes it."""
    table: str | None = None
    """The internal query (``kg/query/sparql/{table}.rq``) whose rows its export writes as CSV."""

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The file extensions read as this format."""
        return self.extensions or (f".{self.extension}",)


FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "application/sparql-results+json",
        "srj",
        "results",
        aliases=("application/json",),
        oxigraph="JSON",
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        "srx",
        "results",
        aliases=("application/xml", "text/xml"),
        oxigraph="XML",
    ),
    Format("csv", "text/csv", "csv", "results", oxigraph="CSV", dump=True, table="event-table"),
    Format("tsv", "text/tab-separated-values", "tsv", "results", oxigraph="TSV"),
    Format(
        "ttl",
        "text/turtle",
        "ttl",
        "rdf",
        "turtle",
        aliases=("application/x-turtle", "application/turtle"),
        nicknames=("turtle", "n3"),
        extensions=(".ttl", ".turtle"),
        oxigraph="TURTLE",
        bulk=True,
        dump=True,
    ),
    Format(
        "nt",
        "application/n-triples",
        "nt",
        "rdf",
        "nt",
        aliases=("text/plain",),
        nicknames=("ntriples", "n-triples"),
        oxigraph="N_TRIPLES",
        bulk=True,
        dump=True,
    ),
    Format(
        "jsonld",
        "application/ld+json",
        "jsonld",
        "rdf",
        "json-ld",
        nicknames=("json-ld", "json"),
        extensions=(".jsonld", ".json"),
        oxigraph="JSON_LD",
        dump=True,
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        "rdf",
        "rdf",
        "xml",
        nicknames=("xml", "rdf+xml"),
        extensions=(".rdf", ".owl", ".xml"),
        oxigraph="RDF_XML",
    ),
    Format(
        "trig",
        "application/trig",
        "trig",
        "rdf",
        "trig",
        has_graphs=True,
        oxigraph="TRIG",
        bulk=True,
        dump=True,
    ),
    Format(
        "nq",
        "application/n-quads",
        "nq",
        "rdf",
        "nquads",
        has_graphs=True,
        oxigraph="N_QUADS",
        bulk=True,
        dump=True,
    ),
    Format("polecat", "text/csv", "polecat.csv", "table", dump=True, table="polecat-table"),
    Format("cameo", "text/csv", "cameo.csv", "table", dump=True, table="cameo-table"),
    Format("text", "text/plain", "txt", "document", extensions=(".txt", ".text")),
    Format("markdown", "text/markdown", "md", "document", extensions=(".md", ".markdown")),
    Format("html", "text/html", "html", "document", extensions=(".html", ".htm")),
)
BY_NAME = {f.name: f for f in FORMATS}
DUMP_FORMATS = tuple(f.name for f in FORMATS if f.dump)
"""The dump and export formats, in the table's order."""
DUMP_BY_EXTENSION = {f.extension: f for f in FORMATS if f.dump}
"""The dump formats by the extension of their ``/dump.{extension}`` route."""
DOCUMENT_SUFFIXES = tuple(s for f in FORMATS if f.kind == "document" for s in f.suffixes)
"""The file extensions of articles (plain text, Markdown, HTML)."""


def names(kind: str) -> tuple[str, ...]:
    """The names of the formats of one kind, in the table's order.

    >>> names("results")
    ('json', 'xml', 'csv', 'tsv')
    """
    return tuple(f.name for f in FORMATS if f.kind == kind)


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


def format_of_path(path: Path, kind: str) -> Format | None:
    """The format of a file of one kind, by its extension; None if no format has it.

    >>> format_of_path(Path("dump.trig"), "rdf").name
    'trig'
    >>> format_of_path(Path("story.HTM"), "document").name
    'html'
    """
    suffix = path.suffix.lower()
    return next((f for f in FORMATS if f.kind == kind and suffix in f.suffixes), None)
