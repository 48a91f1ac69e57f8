"""Results of the W3C SPARQL tests read with rdflib's parsers, and compared the way the suite's
rules say: solutions as multisets (a sequence where the query has ORDER BY; a set under
mf:LaxCardinality), blank nodes up to renaming, graphs by isomorphism
(:func:`rdflib.compare.isomorphic`). Rules: https://www.w3.org/2009/sparql/docs/tests/README.html
("Query Evaluation Tests"). Expected results written in RDF use the DAWG result-set vocabulary
(rs:, with rs:index where order counts).

rdflib normalises literals as it builds them (``"01"^^xsd:integer`` becomes ``"1"``), which
would hide a wrong lexical form on either side; results are read with normalisation off.
"""

from __future__ import annotations

import io
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import BNode, Graph, Literal, Namespace
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.query import Result
from rdflib.term import Node

from tests.w3c.manifest import file_iri

RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
RESULT_FORMATS = {".srx": "xml", ".srj": "json", ".csv": "csv", ".tsv": "tsv"}
"""Expected-result files in a SPARQL results format, by extension (the rest are RDF)."""


@dataclass
class Answer:
    """A query's answer: ``boolean`` (ASK), ``bindings`` (SELECT) or ``graph``."""

    kind: str
    boolean: bool | None = None
    variables: set[str] = field(default_factory=set)
    rows: list[dict[str, Node]] = field(default_factory=list)
    graph: Graph | None = None


@contextmanager
def _exact_literals() -> Iterator[None]:
    """Build literals as written; rdflib's warnings on ill-typed ones are not the test's."""
    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


def read_expected(path: Path) -> Answer:
    """The expected result of a test: a results file (.srx, .srj, .csv, .tsv), a result set in
    the rs: vocabulary (.ttl, .rdf), or a graph (a CONSTRUCT's)."""
    fmt = RESULT_FORMATS.get(path.suffix)
    if fmt is not None:
        return read_body(path.read_bytes(), fmt)
    with _exact_literals():
        graph = Graph().parse(
            path, format=rdflib.util.guess_format(str(path)), publicID=file_iri(path)
        )
    results = graph.value(predicate=RDF.type, object=RS.ResultSet)
    if results is None:
        return Answer("graph", graph=graph)
    boolean = graph.value(results, RS.boolean)
    if boolean is not None:
        return Answer("boolean", boolean=bool(boolean.toPython()))  # type: ignore[union-attr]
    solutions = sorted(
        graph.objects(results, RS.solution),
        key=lambda s: int(graph.value(s, RS["index"]) or 0),  # type: ignore[call-overload]
    )
    rows = [
        {
            str(graph.value(b, RS.variable)): _term(graph.value(b, RS.value))
            for b in graph.objects(s, RS.binding)
        }
        for s in solutions
    ]
    variables = {str(v) for v in graph.objects(results, RS.resultVariable)}
    return Answer("bindings", variables=variables, rows=rows)  # type: ignore[arg-type]


def read_body(body: bytes, fmt: str) -> Answer:
    """An answer as serialised in ``fmt``: a results format (``json``, ``xml``, ``csv``,
    ``tsv``) or N-Triples (``nt``)."""
    with _exact_literals():
        if fmt == "nt":
            return Answer("graph", graph=Graph().parse(data=body, format="nt"))
        result = Result.parse(io.BytesIO(body), format=fmt)
    if result.type == "ASK":
        return Answer("boolean", boolean=bool(result.askAnswer))
    rows = [{str(k): _term(v) for k, v in row.items() if v is not None} for row in result.bindings]
    return Answer("bindings", variables={str(v) for v in result.vars or ()}, rows=rows)


def _term(node: Node | None) -> Node:
    """A result term as RDF 1.1 has it: ``"a"^^xsd:string`` is the simple literal ``"a"``
    (the SPARQL 1.0 results write the datatype, rdflib keeps the two apart)."""
    if isinstance(node, Literal) and node.datatype == XSD.string:
        return Literal(str(node))
    assert node is not None
    return node


def is_ordered(query: str) -> bool:
    """Whether the query's solutions come in an order (ORDER BY at its top level, not only in
    a subquery), read with rdflib's SPARQL parser.

    >>> is_ordered("SELECT * { { SELECT * {} ORDER BY ?x } }"), is_ordered("ASK {} ORDER BY ?x")
    (False, True)
    """
    return "orderby" in parseQuery(query)[1]


def difference(expected: Answer, actual: Answer, *, ordered: bool, lax: bool = False) -> str | None:
    """Why ``actual`` is not the ``expected`` answer, or None when it is.

    >>> def answer(*values): return Answer("bindings", variables={"x"}, rows=[{"x": v} for v in values])
    >>> difference(answer(BNode("a"), BNode("a")), answer(BNode("b"), BNode("b")), ordered=False)
    >>> difference(answer(BNode("a"), BNode("a")), answer(BNode("b"), BNode("c")), ordered=False)
    'the solutions differ'
    >>> difference(answer(Literal("01")), answer(Literal("1")), ordered=False)
    'the solutions differ; missing: ?x="01"; unexpected: ?x="1"'
    """
    if expected.kind != actual.kind:
        return f"expected a {expected.kind} answer, got a {actual.kind} answer"
    if expected.kind == "boolean":
        return (
            None
            if expected.boolean == actual.boolean
            else f"expected {expected.boolean}, got {actual.boolean}"
        )
    if expected.kind == "graph":
        assert expected.graph is not None and actual.graph is not None
        if isomorphic(expected.graph, actual.graph):
            return None
        return f"graphs differ: expected {len(expected.graph)} triples, got {len(actual.graph)}"
    if expected.variables != actual.variables:
        return f"expected variables {sorted(expected.variables)}, got {sorted(actual.variables)}"
    if lax:
        expected_rows, actual_rows = _distinct(expected.rows), _distinct(actual.rows)
    else:
        expected_rows, actual_rows = expected.rows, actual.rows
    if _same_solutions(expected_rows, actual_rows, ordered):
        return None
    return _describe(expected_rows, actual_rows, ordered)


Row = dict[str, Node]


def _distinct(rows: list[Row]) -> list[Row]:
    return list({frozenset(row.items()): row for row in rows}.values())


def _same_solutions(expected: list[Row], actual: list[Row], ordered: bool) -> bool:
    """Whether one renaming of blank nodes makes ``actual`` ``expected`` (as sequences when
    ``ordered``, else as multisets). Solutions without blank nodes are counted; those with
    them are matched by a search (graph isomorphism would do, but rdflib's canonicaliser
    takes factorial time on duplicate solutions, which are indistinguishable blank nodes)."""
    if len(expected) != len(actual):
        return False
    if ordered:
        return _extend({}, list(zip(expected, actual, strict=True))) is not None
    ground: Counter[frozenset[tuple[str, Node]]] = Counter()
    for row in expected:
        if not _has_bnode(row):
            ground[frozenset(row.items())] += 1
    for row in actual:
        if not _has_bnode(row):
            ground[frozenset(row.items())] -= 1
    if any(ground.values()):
        return False
    return _match({}, [r for r in expected if _has_bnode(r)], [r for r in actual if _has_bnode(r)])


def _has_bnode(row: Row) -> bool:
    return any(isinstance(v, BNode) for v in row.values())


def _match(mapping: dict[Node, Node], expected: list[Row], actual: list[Row]) -> bool:
    """Pair every row of ``expected`` with one of ``actual`` under one blank-node mapping."""
    if not expected:
        return True
    first, rest = expected[0], expected[1:]
    for i, candidate in enumerate(actual):
        extended = _extend(mapping, [(first, candidate)])
        if extended is not None and _match(extended, rest, actual[:i] + actual[i + 1 :]):
            return True
    return False


def _extend(mapping: dict[Node, Node], pairs: list[tuple[Row, Row]]) -> dict[Node, Node] | None:
    """``mapping`` (expected blank node -> actual, one to one) extended so that each pair of
    rows is equal, or None if no extension does it."""
    mapping = dict(mapping)
    for wanted, got in pairs:
        if wanted.keys() != got.keys():
            return None
        for variable, value in wanted.items():
            other = got[variable]
            if not isinstance(value, BNode) or not isinstance(other, BNode):
                if value != other:
                    return None
                continue
            if value in mapping:
                if mapping[value] != other:
                    return None
            elif other in mapping.values():  # another blank node is already renamed to it
                return None
            else:
                mapping[value] = other
    return mapping


def _describe(expected: list[Row], actual: list[Row], ordered: bool) -> str:
    def text(row: Row) -> str:
        return " ".join(f"?{k}={v.n3()}" for k, v in sorted(row.items())) or "(empty)"

    if len(expected) != len(actual):
        reason = f"expected {len(expected)} solutions, got {len(actual)}"
    elif ordered:
        reason = "the solutions differ or are in another order"
    else:
        reason = "the solutions differ"
    wanted, got = [text(r) for r in expected], [text(r) for r in actual]
    missing = sorted(t for t in wanted if t not in got and "_:" not in t)[:3]
    unexpected = sorted(t for t in got if t not in wanted and "_:" not in t)[:3]
    if missing:
        reason += "; missing: " + ", ".join(missing)
    if unexpected:
        reason += "; unexpected: " + ", ".join(unexpected)
    return reason
