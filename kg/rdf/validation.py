"""SHACL validation: the shapes, loaded once; reports rendered as text, Turtle or JUnit XML.

pySHACL is the reference engine (``--engine pyshacl``); the default engine,
:mod:`kg.rdf.shacl_sparql`, is tested against it and makes the same report. Data is always
passed as parsed graphs (a string would be read as a path or URL), and SPARQL constraints
never load remote graphs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

import pyshacl
import rdflib.plugin
import rdflib.plugins.sparql
import rdflib.query
from pyshacl.errors import ReportableRuntimeError
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier, Node

from kg.errors import InputError
from kg.query.internal import internal_query
from kg.store.base import Queryable, Store
from kg.vocab import DIP, DIPC

Triple = tuple[Node, Node, Node]

rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # FROM <url> must never fetch anything


class PreparedProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor with each query text parsed once per process.

    pySHACL runs a SPARQL constraint's text once per focus node, and rdflib parses it every
    time: parsing was 80% of validating one ingested document. A parsed-and-translated query
    is what rdflib's own ``prepareQuery`` gives and is made for reuse; this only caches it.
    """

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,  # noqa: N803 (rdflib's parameter names)
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803
        initNs: Mapping[str, Any] | None = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Mapping[str, Any]:
        query = strOrQuery
        if isinstance(query, str):
            query = _prepared(query, base, tuple(sorted((initNs or {}).items())))
        return super().query(query, initBindings, initNs, base, DEBUG)


@functools.lru_cache(maxsize=1024)
def _prepared(text: str, base: str | None, namespaces: tuple[tuple[str, Any], ...]) -> Query:
    return translateQuery(parseQuery(text), base, dict(namespaces))


rdflib.plugin.register("sparql", rdflib.query.Processor, __name__, "PreparedProcessor")


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """One SHACL result: which node broke which shape, and the shape's message."""

    focus: str
    shape: str
    severity: str
    message: str
    path: str | None = None
    value: str | None = None
    component: str = ""  # the constraint component (sh:sourceConstraintComponent)
    # the result's own triples in pySHACL's report (its node first), for the Turtle report
    triples: tuple[tuple[Node, Node, Node], ...] = field(default=(), compare=False, repr=False)


@dataclass
class ValidationReport:
    """Whether the data conforms, and every result (violations and warnings)."""

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    # pySHACL's own report of a whole graph; None where the results were chosen (a focus, a
    # merge of batches), whose Turtle report is made from the results when it is asked for
    graph: Graph | None = None

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity != "Violation"]

    def render(self, fmt: str) -> str:
        """The report as ``text``, ``turtle`` or ``junit``."""
        if fmt == "turtle":
            graph = self.graph if self.graph is not None else _report_graph(self)
            return graph.serialize(format="turtle")
        if fmt == "junit":
            return _junit(self)
        return _text(self)


@functools.cache
def load_shapes(ontology_dir: Path) -> Graph:
    """shapes.ttl and shapes-recommended.ttl of ``ontology_dir``, parsed once per process.

    Raises:
        InputError: a shapes file is missing or does not parse.
    """
    shapes = Graph()
    for name in ("shapes.ttl", "shapes-recommended.ttl"):
        path = ontology_dir / name
        try:
            shapes.parse(path, format="turtle")
        except FileNotFoundError as exc:
            raise InputError(f"{path}: shapes file not found.") from exc
        except Exception as exc:  # rdflib raises several parser exception types
            raise InputError(f"{path}: does not parse as Turtle: {exc}") from exc
    return shapes


def validate_graph(
    data: Graph, shapes: Graph, focus: Iterable[URIRef] | None = None
) -> ValidationReport:
    """Validate ``data`` (which must include the vocabulary graph) against ``shapes``.

    Args:
        data: the graph; validated in place (callers build it for the purpose).
        shapes: the shapes graph.
        focus: report only results about these nodes (the rest of ``data`` is context, and
            its own results, about nodes whose context may be cut off, are dropped); default
            every result. Not pySHACL's ``focus_nodes`` option: pySHACL 0.40 applies it to
            nested checks too (sh:or, sh:node on a value), which then pass unchecked.
    """
    try:
        conforms, results_graph, _ = pyshacl.validate(
            data_graph=data,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            allow_infos=True,
            inplace=True,
        )
    except (ReportableRuntimeError, TypeError, ValueError) as exc:
        raise InputError(
            f"SHACL validation could not run on this data: {exc}",
            hint="The data holds values of a kind the shapes cannot evaluate; check its datatypes.",
        ) from exc
    wanted = None if focus is None else {str(n) for n in focus}
    results = []
    for node in results_graph.objects(None, SH.result):  # not the nested sh:detail results
        focus_node = str(results_graph.value(node, SH.focusNode))
        if wanted is not None and focus_node not in wanted:
            continue
        severity = results_graph.value(node, SH.resultSeverity)
        result = ValidationResult(
            focus=focus_node,
            shape=str(results_graph.value(node, SH.sourceShape)),
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            message=str(results_graph.value(node, SH.resultMessage) or ""),
            path=_opt(results_graph.value(node, SH.resultPath)),
            value=_opt(results_graph.value(node, SH.value)),
            component=str(results_graph.value(node, SH.sourceConstraintComponent)),
            triples=_result_triples(results_graph, node),
        )
        results.append(result)
    results.sort(key=lambda r: (r.severity != "Violation", r.shape, r.focus))
    is_conforming = not any(r.severity == "Violation" for r in results)
    if wanted is not None:  # the report of the focus nodes only, not of their context
        return ValidationReport(is_conforming, results)
    return ValidationReport(bool(conforms) or is_conforming, results, results_graph)


def _result_triples(graph: Graph, node: Node) -> tuple[tuple[Node, Node, Node], ...]:
    """A result node's triples and those of the blank nodes it leads to (sh:detail, lists),
    not following the shape."""
    triples, stack, seen = [], [node], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for predicate, obj in graph.predicate_objects(current):
            triples.append((current, predicate, obj))
            if isinstance(obj, BNode) and predicate != SH.sourceShape:
                stack.append(obj)
    return tuple(triples)


def _report_graph(report: ValidationReport) -> Graph:
    """A SHACL validation report of ``report``'s results (their triples from pySHACL's)."""
    graph = Graph()
    graph.bind("sh", SH)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.conforms)))
    for result in report.results:
        if result.triples:
            graph.add((node, SH.result, result.triples[0][0]))
            for triple in result.triples:
                graph.add(triple)
    return graph


def _opt(term: object) -> str | None:
    return None if term is None else str(term)


def _text(report: ValidationReport) -> str:
    lines = []
    for r in report.results:
        where = f" (path {r.path})" if r.path else ""
        value = f" value {r.value!r}" if r.value else ""
        lines.append(f"{r.severity}: {r.focus}{where}{value}\n  {r.message}\n  shape {r.shape}")
    verdict = "conforms" if report.conforms else "does not conform"
    summary = (
        f"Data {verdict}: {len(report.violations)} violation(s), {len(report.warnings)} warning(s)."
    )
    return "\n".join([*lines, summary]) + "\n"


def _junit(report: ValidationReport) -> str:
    cases = []
    for r in report.results:
        name = quoteattr(f"{r.shape} {r.focus}")
        body = escape(f"{r.message}\npath: {r.path}\nvalue: {r.value}")
        if r.severity == "Violation":
            cases.append(
                f'  <testcase classname="shacl" name={name}>'
                f"<failure message={quoteattr(r.message)}>{body}</failure></testcase>"
            )
        else:
            cases.append(
                f'  <testcase classname="shacl" name={name}>'
                f"<system-out>{body}</system-out></testcase>"
            )
    if not cases:
        cases.append('  <testcase classname="shacl" name="conforms"/>')
    failures = len(report.violations)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuite name="dipkg-shacl" tests="{len(cases)}" failures="{failures}">\n'
        + "\n".join(cases)
        + "\n</testsuite>\n"
    )


def union_graph(graphs: list[Graph]) -> Graph:
    """One graph holding the triples of all ``graphs`` (the data pySHACL sees)."""
    union = Graph()
    for g in graphs:
        for triple in g:
            union.add(triple)
    return union


# -- validating part of a store with its neighbourhood as context ---------------------------

_RETIRED = (RDF.type, DIP.RetiredResource)
_HOPS = 8  # neighbourhood depth; the data's trees (event -> participation -> span -> selector)


def neighbourhood(
    store: Queryable, start: Iterable[URIRef], exclude: Sequence[URIRef] = ()
) -> Iterator[tuple[Node, Node, Node]]:
    """The store's triples about ``start`` and the nodes they lead to, outwards (object
    links, up to a depth of 8), in every graph but those of ``exclude`` (being replaced or
    removed), each
    distinct triple once. Terms of the vocabulary are not followed (the vocabulary is part of
    every validation), nor links to other documents' evidence: each document's own evidence
    is in its own graph, and was checked with it, so a node reported by a thousand documents
    is checked with its own triples, not a thousand documents' spans and texts. Of a pledge's
    status steps only those the shapes compare a new step with are followed
    (:func:`_deciding_steps`). Queries: ``kg/query/sparql/neighbourhood.rq``,
    ``deciding-steps.rq``."""
    seen: set[URIRef] = set()
    frontier = {n for n in start if _followed(n)}
    excluded = {"excluded": list(exclude)} if exclude else {}
    for hop in range(_HOPS):
        frontier -= seen
        if not frontier:
            return
        seen |= frontier
        nodes = sorted(frontier)
        rows = store.query(internal_query("neighbourhood", node=nodes, **excluded)).rows
        if hop == 0:
            rows += _deciding_steps(store, nodes, excluded)
        frontier = set()
        for s, p, o in rows:
            yield s, p, o  # type: ignore[misc]
            if isinstance(o, URIRef) and _followed(o):
                frontier.add(o)


class Validator(Protocol):
    """What checks a graph: :class:`kg.flows.validate.Gate` (either engine)."""

    def validate(
        self, data: Iterable[Triple], focus: Iterable[URIRef] | None = None
    ) -> ValidationReport:
        """The report on ``data``'s triples (the vocabulary is the validator's), about
        ``focus``."""
        ...


def validate_in_store(
    store: Store,
    graph: Graph,
    exclude: Sequence[URIRef],
    validator: Validator,
    retract: Sequence[tuple[URIRef, URIRef]] = (),
    revived: Iterable[URIRef] = (),
) -> ValidationReport:
    """SHACL on the nodes of ``graph`` (the new versions of graphs about to be written), with
    their neighbourhood in the store outside the graphs ``exclude`` (those being replaced or
    removed; every node they name, followed outwards, without the values ``retract``
    supersedes and the records of the retired IRIs ``revived``), by ``validator`` (which
    adds the vocabulary): the cost follows the graphs written, not the store."""
    nodes = graph_nodes(graph)
    retracted = set(retract)
    retired = set(revived)
    # a set of triples, not an rdflib graph: the engine takes them as they are (an rdflib
    # graph of the neighbourhood was a third of the gate's time)
    data = {
        (s, p, o)
        for s, p, o in neighbourhood(store, nodes, exclude=exclude)
        if (s, p) not in retracted
        and not (s in retired and (p == DCTERMS.isReplacedBy or (p, o) == _RETIRED))
    }
    data.update(graph)
    return validator.validate(data, nodes)


def _deciding_steps(
    store: Queryable, nodes: list[URIRef], excluded: dict[str, list[URIRef]]
) -> list[tuple[Node | None, ...]]:
    """``(pledge, dip:statusStep, step)`` for the steps that decide whether a pledge's status
    is its latest step's (dipsh:PledgeShape-statusIsLatest): its latest step, and its latest
    step with the pledge's current status (with a new document's steps, these two are all
    the rule needs)."""
    rows = store.query(internal_query("deciding-steps", node=nodes, **excluded)).rows
    latest: dict[tuple[Node | None, bool], tuple[str, Node | None]] = {}
    for pledge, step, status, day, current in rows:
        for key in ((pledge, False), (pledge, True)) if status == current else ((pledge, False),):
            if key not in latest or str(day) > latest[key][0]:
                latest[key] = (str(day), step)
    return [(key[0], DIP.statusStep, step) for key, (_, step) in latest.items()]


def graph_nodes(graph: Graph) -> set[URIRef]:
    """Every IRI a graph names, as subject or object."""
    nodes: set[URIRef] = set()
    for s, _, o in graph:  # one pass: each of rdflib's is slow
        nodes.update(n for n in (s, o) if isinstance(n, URIRef))
    return nodes


def _followed(node: URIRef) -> bool:
    return not str(node).startswith((str(DIP), str(DIPC), str(RDF)))


def validate_batch(
    store: Store, names: Sequence[URIRef], shapes: Graph, vocabulary: Graph
) -> ValidationReport:
    """Validate some named graphs of a store: the nodes they name (as focus), with their
    neighbourhood and the vocabulary as context; a node in several graphs is checked with all
    its triples."""
    data = Graph()
    for name in names:
        for triple in store.graph_triples(name):
            data.add(triple)
    focus = graph_nodes(data)
    for triple in neighbourhood(store, focus):
        data.add(triple)
    for triple in vocabulary:
        data.add(triple)
    return validate_graph(data, shapes, focus)


def merge_reports(reports: Iterable[ValidationReport]) -> ValidationReport:
    """One report of several batches' reports: each result once, in the usual order (memory
    follows the results, not the batches)."""
    results: dict[tuple[str | None, ...], ValidationResult] = {}
    for report in reports:
        for r in report.results:
            results.setdefault((r.focus, r.shape, r.path, r.message, r.value), r)
    ordered = sorted(results.values(), key=lambda r: (r.severity != "Violation", r.shape, r.focus))
    conforms = not any(r.severity == "Violation" for r in ordered)
    return ValidationReport(conforms, ordered)
