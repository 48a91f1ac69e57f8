"""Query results -> SPARQL 1.1 JSON, XML, CSV and TSV; multi-valued cells sorted here.

Specs: https://www.w3.org/TR/sparql11-results-json/, https://www.w3.org/TR/rdf-sparql-XMLres/,
https://www.w3.org/TR/sparql11-results-csv-tsv/. The CLI and the HTTP API both render through
this module, so the same query and parameters give byte-identical bodies both ways.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.formats import get_format
from kg.store.base import QueryResult
from kg.vocab import DIP, PREFIXES

SEPARATOR = "; "
TRUNCATED = str(DIP.truncatedResult)
"""Link in the head of a JSON or XML result that the row cap cut (the HTTP API also says so
in a header)."""


def sort_multivalued(result: QueryResult, columns: Iterable[str]) -> QueryResult:
    """Split each ``; ``-joined cell of ``columns``, sort, deduplicate and join it again, as a
    plain string whatever the engine made of it (a one-value GROUP_CONCAT keeps its language
    tag on Oxigraph and loses it on Jena and Virtuoso).

    >>> r = QueryResult("select", ["p"], [(Literal("b; a; b"),), (Literal("a", lang="en"),)])
    >>> [sort_multivalued(r, ["p"]).rows[i][0] for i in (0, 1)]
    [rdflib.term.Literal('a; b'), rdflib.term.Literal('a')]
    """
    indexes = [result.variables.index(c) for c in columns if c in result.variables]
    if not indexes or result.kind != "select":
        return result
    rows = []
    for row in result.rows:
        cells = list(row)
        for i in indexes:
            cell = cells[i]
            if isinstance(cell, Literal):
                parts = sorted({p for p in str(cell).split(SEPARATOR) if p})
                cells[i] = Literal(SEPARATOR.join(parts))
        rows.append(tuple(cells))
    return QueryResult("select", result.variables, rows, truncated=result.truncated)


def render(result: QueryResult, fmt: str) -> bytes:
    """Serialise a SELECT or ASK result as ``json``, ``xml``, ``csv`` or ``tsv``."""
    if fmt == "json":
        return _json(result)
    if fmt == "xml":
        return _xml(result)
    if fmt == "csv":
        return _csv(result)
    if fmt == "tsv":
        return _tsv(result)
    raise ValueError(f"not a results format: {fmt}")


def render_graph(graph: Graph, fmt: str, context: str | Path = "") -> bytes:
    """Serialise a CONSTRUCT/DESCRIBE result in an RDF format (``ttl``, ``nt``, ``jsonld``,
    ``rdfxml``, ``trig``, ``nq``; the quad formats put it in the default graph). JSON-LD is
    compacted with the JSON-LD ``context`` file when one is given (never a remote context)."""
    rdf_format = get_format(fmt, "rdf")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    if rdf_format.name == "jsonld":
        compact: object = None
        if context:
            document = json.loads(Path(context).read_text(encoding="utf-8"))
            compact = document.get("@context", document)
        return graph.serialize(format="json-ld", context=compact).encode("utf-8")
    if rdf_format.has_graphs:
        return _default_graph_quads(graph, rdf_format.name)
    return graph.serialize(format=rdf_format.rdflib or "turtle").encode("utf-8")


def _default_graph_quads(graph: Graph, fmt: str) -> bytes:
    import pyoxigraph as ox

    from kg.store.terms import to_oxigraph

    quads = [
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        for s, p, o in graph
    ]
    target = ox.RdfFormat.N_QUADS if fmt == "nq" else ox.RdfFormat.TRIG
    return ox.serialize(quads, format=target) or b""


def term_json(term: Node) -> dict[str, str]:
    """One RDF term in SPARQL JSON results form."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def _json(result: QueryResult) -> bytes:
    if result.kind == "ask":
        body: dict[str, object] = {"head": {}, "boolean": bool(result.boolean)}
    else:
        bindings = [
            {v: term_json(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows
        ]
        body = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
        if result.truncated:
            body["head"]["link"] = [TRUNCATED]  # type: ignore[index]
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _xml(result: QueryResult) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n']
    if result.kind == "ask":
        out.append("<head/>\n<boolean>" + ("true" if result.boolean else "false") + "</boolean>\n")
    else:
        out.append("<head>")
        out.extend(f"<variable name={quoteattr(v)}/>" for v in result.variables)
        if result.truncated:
            out.append(f"<link href={quoteattr(TRUNCATED)}/>")
        out.append("</head>\n<results>\n")
        for row in result.rows:
            out.append("<result>")
            for var, term in zip(result.variables, row, strict=True):
                if term is not None:
                    out.append(f"<binding name={quoteattr(var)}>{_xml_term(term)}</binding>")
            out.append("</result>\n")
        out.append("</results>\n")
    out.append("</sparql>\n")
    return "".join(out).encode("utf-8")


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    assert isinstance(term, Literal)
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(str(term))}</literal>"
    if term.datatype:
        return f"<literal datatype={quoteattr(str(term.datatype))}>{escape(str(term))}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv(result: QueryResult) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["_askResult"])
        writer.writerow(["true" if result.boolean else "false"])
    else:
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow(["" if t is None else _csv_term(t) for t in row])
    return buffer.getvalue().encode("utf-8")


def _csv_term(term: Node) -> str:
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _tsv(result: QueryResult) -> bytes:
    if result.kind == "ask":
        return ("?_askResult\n" + ("true" if result.boolean else "false") + "\n").encode()
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else _tsv_term(t) for t in row))
    return ("\n".join(lines) + "\n").encode("utf-8")


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SHORTHAND = {
    XSD.integer: re.compile(r"[+-]?[0-9]+"),
    XSD.decimal: re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD.boolean: re.compile(r"true|false"),
}


def _tsv_term(term: Node) -> str:
    r"""One RDF term in a TSV cell: Turtle syntax on one line, a literal's tab, line breaks,
    quotes and backslashes escaped (SPARQL 1.1 CSV/TSV 3.2; rdflib's ``n3()`` writes a
    literal with a line break as a long string, and neither escapes a tab); integers,
    decimals and booleans in their short form, as Oxigraph writes them.

    >>> print(_tsv_term(Literal('has "quotes"\tand a tab')))
    "has \"quotes\"\tand a tab"
    >>> _tsv_term(Literal(3)), _tsv_term(Literal("x", lang="en")), _tsv_term(URIRef("http://e/a"))
    ('3', '"x"@en', '<http://e/a>')
    """
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal)
    shorthand = _SHORTHAND.get(term.datatype) if term.datatype else None
    if shorthand is not None and shorthand.fullmatch(str(term)):
        return str(term)
    quoted = '"' + str(term).translate(_ESCAPES) + '"'
    if term.language:
        return f"{quoted}@{term.language}"
    if term.datatype and term.datatype != XSD.string:
        return f"{quoted}^^<{term.datatype}>"
    return quoted
