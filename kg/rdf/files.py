"""Reading RDF files safely: no remote contexts, no XML entities, bounded nesting and size,
errors naming the file and the limit.

Untrusted JSON, JSON-LD and Turtle are measured by iterative scans before any recursive or
memory-hungry parser sees them: nesting deeper than :data:`MAX_NESTING` is refused (100,000
nested arrays made Python's JSON parser raise RecursionError; 2 MB of nested Turtle
collections took a parser to 11 GB), and a file is parsed into memory up to
:data:`MAX_TRIPLES` triples (larger ones go through ``dipkg load --bulk``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from kg.errors import InputError
from kg.formats import FORMATS, Format, format_of_path
from kg.store.terms import to_rdflib

MAX_NESTING = 64
MAX_TRIPLES = 2_000_000


def rdf_format_of(path: Path) -> Format:
    """The RDF format of a file, by extension.

    >>> rdf_format_of(Path("a.trig")).name
    'trig'

    Raises:
        InputError: the extension is not an RDF format dipkg reads.
    """
    fmt = format_of_path(path, "rdf")
    if fmt is None:
        known = sorted(s for f in FORMATS if f.kind == "rdf" for s in f.suffixes)
        raise InputError(
            f"{path}: unknown RDF file extension {path.suffix!r}.",
            hint=f"Use one of: {', '.join(known)}.",
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
    parser = getattr(ox.RdfFormat, str(fmt.oxigraph))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc}).") from exc
    if fmt.name == "rdfxml" and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        raise InputError(
            f"{path}: XML with a DOCTYPE or ENTITY declaration is refused (entity expansion).",
            hint="Remove the DOCTYPE, or convert the file to Turtle or N-Triples.",
        )
    if fmt.name == "jsonld":
        _check_jsonld_contexts(path, data)
    if fmt.name in ("ttl", "trig"):
        check_turtle_nesting(data, str(path))
    target = dataset.graph(URIRef(default_graph)) if default_graph else dataset.default_graph
    try:
        for count, quad in enumerate(ox.parse(data, parser, base_iri=path.resolve().as_uri())):
            if count >= MAX_TRIPLES:
                raise InputError(
                    f"{path}: more than {MAX_TRIPLES} triples; a file is validated in memory "
                    "only up to that size.",
                    hint="Load it into a new store with `dipkg load --bulk`, then run "
                    "`dipkg validate`.",
                )
            triple = (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
            if isinstance(quad.graph_name, ox.DefaultGraph):
                target.add(triple)  # type: ignore[arg-type]
            else:
                dataset.graph(to_rdflib(quad.graph_name)).add(triple)  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise InputError(f"{path}: does not parse as {parser.name}: {exc}") from exc


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.S)
_TURTLE_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)'
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)"
    r'|"(?:[^"\\\n\r]|\\.)*"?'
    r"|'(?:[^'\\\n\r]|\\.)*'?"
    r"|<[^>\s]*>?|#[^\r\n]*|[()\[\]]",
    re.S,
)


def check_json_nesting(data: bytes | str, source: str, limit: int = MAX_NESTING) -> None:
    """Refuse JSON nested deeper than ``limit`` (arrays and objects), scanning past strings.

    >>> check_json_nesting('{"a": [[1]], "b": "[[[["}', "x", limit=3)

    Raises:
        InputError: naming ``source`` and the limit.
    """
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    _check_depth(_JSON_TOKENS, text, "[{", "]}", limit, f"{source}: JSON nested")


def check_turtle_nesting(data: bytes, source: str, limit: int = MAX_NESTING) -> None:
    """Refuse Turtle or TriG whose collections and blank-node lists nest deeper than
    ``limit``, scanning past strings, IRIs and comments.

    >>> check_turtle_nesting(b'<a> <b> ( ( "(((" ) ) . # ((((', "x", limit=2)

    Raises:
        InputError: naming ``source`` and the limit.
    """
    where = f"{source}: collections or blank nodes nested"
    _check_depth(_TURTLE_TOKENS, data.decode("utf-8", "replace"), "([", ")]", limit, where)


def _check_depth(
    tokens: re.Pattern[str], text: str, opening: str, closing: str, limit: int, what: str
) -> None:
    depth = 0
    for match in tokens.finditer(text):
        token = match.group(0)
        if token in opening:
            depth += 1
            if depth > limit:
                raise InputError(
                    f"{what} deeper than {limit} levels (at character {match.start()}).",
                    hint="Flatten the data; deeper nesting is refused before parsing.",
                )
        elif token in closing:
            depth -= 1


def _check_jsonld_contexts(path: Path, data: bytes) -> None:
    check_json_nesting(data, str(path))
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from exc
    stack = [document]
    while stack:  # iteratively, over every object and array
        node = stack.pop()
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
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
