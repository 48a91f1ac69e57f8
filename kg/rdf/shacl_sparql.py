"""SHACL validation where the data is: the shapes compiled into SPARQL SELECT queries that
find the violations, run by the store's own engine (Oxigraph for the embedded store and the
ingest gate; any SPARQL 1.1 store through the Store protocol).

One query per node shape that has targets: a UNION of one branch per constraint, each
branch finding every focus node (and value) that breaks it, so the cost is a few index scans
per shape, not a query per focus node. The report is the same :class:`ValidationReport` as
pySHACL's (:mod:`kg.rdf.validation`), with the SHACL result triples for the Turtle report.

What it covers (SHACL 1.0, https://www.w3.org/TR/shacl/), the constructs dipkg's shapes use:

- targets: ``sh:targetClass`` (instances of the class and of its subclasses);
- on property shapes with a predicate path: ``sh:minCount``, ``sh:maxCount``, ``sh:hasValue``;
- on the value nodes of a property shape, or on the focus node of a node shape:
  ``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:pattern`` (with ``sh:flags``),
  ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:node``, ``sh:or``;
- ``sh:property`` and ``sh:sparql`` (SELECT-based SPARQL constraints) on node shapes;
- ``sh:severity``, ``sh:message`` and ``sh:deactivated``; a SPARQL result's value is
  ``?value``, else the focus node (SHACL 5.3.2).

Inside a shape reached through ``sh:node`` or ``sh:or`` only the checks that are a boolean
expression of the value node are supported (``sh:minCount 1``, ``sh:hasValue`` and the value
checks above); ``sh:maxCount``, a larger ``sh:minCount`` or a SPARQL constraint there, any
other constraint component, target, path kind or ``sh:message`` template, a recursive shape,
and a SPARQL constraint using MINUS, VALUES, SERVICE or binding ``$this`` (which SHACL 5.3.1.1
forbids) are errors when the shapes are compiled, never skipped. No ``sh:detail`` is
reported (it is optional in SHACL): a failed ``sh:node`` or ``sh:or`` is one result.

Where SPARQL engines differ: ``sh:datatype`` fails an ill-typed literal (``"x"^^xsd:date``)
as SHACL says; a literal is well-typed when the engine can cast it to its own XSD datatype
(``xsd:date("x")`` is an error), for the XSD datatypes of :data:`_CASTABLE`, and an
``rdf:langString`` when it has a language tag; other datatypes are compared by IRI only.
A SPARQL constraint is joined with the targets inside its own WHERE group (the targets added
as its first pattern) rather than run once per focus node with ``$this`` pre-bound: the same
results for every constraint whose WHERE binds ``$this`` by a triple pattern in each branch,
as dipkg's do (tests/shapes/test_sparql_engine.py compares each with pySHACL's pre-binding).
``sh:pattern`` is evaluated by the engine's REGEX, whose dialect (XPath's in SPARQL) may differ
from another engine's in corners. Oxigraph evaluates a FILTER inside NOT EXISTS that reads an
outer variable by a nested loop (quote-in-evidence took 170 s at 1M triples so): shapes.ttl
states that rule as an aggregate instead.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.errors import InputError
from kg.rdf.validation import ValidationReport, ValidationResult
from kg.store import memory_store
from kg.store.base import Queryable

_TYPE_PATH = f"{RDF.type.n3()}/{RDFS.subClassOf.n3()}*"

# XSD datatypes whose lexical forms a SPARQL 1.1 engine checks by casting (XPath casts)
_CASTABLE = frozenset(
    XSD[name]
    for name in (
        "string boolean decimal integer float double dateTime date time gYear gYearMonth "
        "gMonth gDay gMonthDay duration dayTimeDuration yearMonthDuration"
    ).split()
)

_NODE_KINDS = {  # sh:nodeKind -> the SPARQL test a value node fails
    SH.IRI: "!isIRI({v})",
    SH.BlankNode: "!isBlank({v})",
    SH.Literal: "!isLiteral({v})",
    SH.BlankNodeOrIRI: "isLiteral({v})",
    SH.BlankNodeOrLiteral: "isIRI({v})",
    SH.IRIOrLiteral: "isBlank({v})",
}
_COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<="}
_VALUE_CHECKS = (
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH.node,
    SH["or"],
    *_COMPARISONS,
)
_COUNTS = frozenset({SH.minCount, SH.maxCount, SH.hasValue})
_COMPONENT = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}
# what a shape may say besides its constraints (anything else of sh: is an error)
_DESCRIPTIVE = frozenset(
    {SH.path, SH.property, SH.targetClass, SH.severity, SH.message, SH.name, SH.description}
    | {SH.order, SH.group, SH.flags, SH.deactivated, SH.declare}
)
_FORBIDDEN_SPARQL = re.compile(r"\b(MINUS|VALUES|SERVICE)\b|\bAS\s+[?$]this\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Rule:
    """One constraint of one shape: what each of its results says."""

    shape: Node
    component: URIRef
    severity: URIRef
    messages: tuple[Literal, ...]
    path: URIRef | None = None
    constraint: Node | None = None  # a SPARQL constraint's own node (sh:sourceConstraint)


@dataclass(frozen=True)
class CompiledShapes:
    """The shapes as violation queries: each selects ``?rule ?this ?value`` per result,
    ``?rule`` an index into ``rules``."""

    queries: tuple[str, ...]
    rules: tuple[_Rule, ...] = field(repr=False)

    def validate(self, store: Queryable, focus: Iterable[Node] | None = None) -> ValidationReport:
        """Run every query over ``store``'s default graph, which must hold the vocabulary
        (classes, schemes) too.

        Args:
            store: what answers the queries.
            focus: report only results about these nodes (the rest is context); default all.
        """
        wanted = None if focus is None else {str(n) for n in focus}
        seen: set[tuple[Node | None, ...]] = set()
        results = []
        for query in self.queries:
            for row in store.query(query).rows:
                if row in seen or (wanted is not None and str(row[1]) not in wanted):
                    continue
                seen.add(row)
                results.append(_result(self.rules[int(str(row[0]))], row[1], row[2]))  # type: ignore[arg-type]
        results.sort(key=lambda r: (r.severity != "Violation", r.shape, r.focus))
        return ValidationReport(not any(r.severity == "Violation" for r in results), results)


def _result(rule: _Rule, focus: Node, value: Node | None) -> ValidationResult:
    node = BNode()
    triples: list[tuple[Node, Node, Node]] = [
        (node, RDF.type, SH.ValidationResult),
        (node, SH.focusNode, focus),
        (node, SH.sourceShape, rule.shape),
        (node, SH.sourceConstraintComponent, rule.component),
        (node, SH.resultSeverity, rule.severity),
    ]
    if value is None and rule.constraint is not None:
        value = focus  # SHACL 5.3.2: a SPARQL result's value is ?value, else $this
    triples += [(node, SH.resultPath, rule.path)] if rule.path is not None else []
    triples += [(node, SH.value, value)] if value is not None else []
    triples += [(node, SH.sourceConstraint, rule.constraint)] if rule.constraint else []
    triples += [(node, SH.resultMessage, m) for m in rule.messages]
    english = [m for m in rule.messages if m.language in (None, "en")] or rule.messages
    component = str(rule.component).removeprefix(str(SH))
    return ValidationResult(
        focus=str(focus),
        shape=str(rule.shape),
        severity=str(rule.severity).removeprefix(str(SH)),
        message=str(english[0]) if english else f"{component} not satisfied.",
        path=None if rule.path is None else str(rule.path),
        value=None if value is None else str(value),
        triples=tuple(triples),
        component=str(rule.component),
    )


@functools.cache
def compile_shapes(shapes: Graph, hierarchy: Graph | None = None) -> CompiledShapes:
    """The violation queries of every node shape of ``shapes`` that has targets.

    Args:
        shapes: the shapes graph.
        hierarchy: a graph whose ``rdfs:subClassOf`` triples are all the data will have (the
            vocabulary's): each class test then names the class's subclasses as listed
            there, ``?x rdf:type ?c`` with ``?c`` among them, which Oxigraph plans in a
            fraction of the time of ``rdf:type/rdfs:subClassOf*``. Without one the queries
            follow the data's own ``rdfs:subClassOf`` triples, as SHACL says.

    Raises:
        InputError: a shape uses a construct this engine does not evaluate (the module
            docstring lists what it does).
    """
    compiler = _Compiler(shapes, hierarchy)
    queries = []
    for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        if _deactivated(shapes, shape):
            continue
        query = compiler.node_shape_query(shape)
        if query:
            queries.append(query)
    for kind in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
        for shape in shapes.subjects(kind, None):
            raise InputError(
                f"shape {shape}: {kind.n3(shapes.namespace_manager)} is not supported."
            )
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
            raise InputError(f"shape {shape}: implicit class targets are not supported.")
    return CompiledShapes(tuple(queries), tuple(compiler.rules))


def _deactivated(shapes: Graph, shape: Node) -> bool:
    return shapes.value(shape, SH.deactivated) == Literal(True)


class _Compiler:
    """Turns shapes into SPARQL text, numbering each constraint's rule as it goes."""

    def __init__(self, shapes: Graph, hierarchy: Graph | None) -> None:
        self.shapes = shapes
        self.hierarchy = hierarchy
        self.rules: list[_Rule] = []
        self._names = itertools.count()
        self._prefixes: dict[str, str] = {}

    def _var(self) -> str:
        return f"?_v{next(self._names)}"

    def _rule(self, **fields: object) -> int:
        self.rules.append(_Rule(**fields))  # type: ignore[arg-type]
        return len(self.rules) - 1

    def _name(self, node: Node) -> str:
        return node.n3(self.shapes.namespace_manager)

    def _check_keys(self, shape: Node, *allowed: Iterable[URIRef]) -> None:
        known = _DESCRIPTIVE.union(*allowed)
        for predicate in set(self.shapes.predicates(shape)):
            if str(predicate).startswith(str(SH)) and predicate not in known:
                raise InputError(
                    f"shape {self._name(shape)}: {self._name(predicate)} is not supported "
                    "by the SPARQL engine here.",
                    hint="Validate with --engine pyshacl, or extend kg/rdf/shacl_sparql.py.",
                )

    def _messages(self, node: Node) -> tuple[Literal, ...]:
        messages = tuple(m for m in self.shapes.objects(node, SH.message) if isinstance(m, Literal))
        for m in messages:
            if re.search(r"\{[?$]\w+\}", str(m)):
                raise InputError(f"shape {self._name(node)}: message templates are not supported.")
        return messages

    def _severity(self, shape: Node) -> URIRef:
        severity = self.shapes.value(shape, SH.severity)
        return severity if isinstance(severity, URIRef) else SH.Violation

    # -- the query of one targeted node shape ---------------------------------------------

    def node_shape_query(self, shape: Node) -> str:
        self._check_keys(shape, _VALUE_CHECKS, {SH.sparql})
        classes = sorted(self.shapes.objects(shape, SH.targetClass), key=str)
        target = " UNION ".join(f"{{ {self._instance('?this', c)} }}" for c in classes)
        if len(classes) == 1:
            target = f"{self._instance('?this', classes[0])} ."
        self._prefixes = {}
        branches = []
        for check in _VALUE_CHECKS:
            for parameter in self.shapes.objects(shape, check):
                rule = self._rule(
                    shape=shape,
                    component=_COMPONENT[check],
                    severity=self._severity(shape),
                    messages=self._messages(shape),
                )
                test = self._value_test(shape, check, parameter, "?this")
                branches.append(
                    f"{target} FILTER({test}) BIND(?this AS ?value) BIND({rule} AS ?rule)"
                )
        counts: list[str] = []
        for prop in sorted(self.shapes.objects(shape, SH.property), key=str):
            if not _deactivated(self.shapes, prop):
                branches += self._property_branches(prop, target, counts)
        if counts:
            branches.append(self._counts_branch(target, counts))
        for constraint in sorted(self.shapes.objects(shape, SH.sparql), key=str):
            if not _deactivated(self.shapes, constraint):
                branches.append(self._sparql_branch(shape, constraint, target))
        if not branches:
            return ""
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self._prefixes.items()))
        return f"{prefixes}SELECT DISTINCT ?rule ?this ?value WHERE {{\n{_union(branches)}\n}}"

    def _instance(self, v: str, cls: Node) -> str:
        """A pattern that holds when ``v`` is an instance of ``cls`` or of a subclass."""
        if self.hierarchy is None:
            return f"{v} {_TYPE_PATH} {cls.n3()}"
        classes = sorted(
            (c for c in self.hierarchy.transitive_subjects(RDFS.subClassOf, cls) if c), key=str
        )
        if len(classes) == 1:
            return f"{v} {RDF.type.n3()} {cls.n3()}"
        c = self._var()
        return f"VALUES {c} {{ {' '.join(x.n3() for x in classes)} }} {v} {RDF.type.n3()} {c}"

    def _path(self, prop: Node) -> URIRef:
        path = self.shapes.value(prop, SH.path)
        if not isinstance(path, URIRef):
            raise InputError(f"shape {self._name(prop)}: only predicate paths are supported.")
        return path

    def _property_branches(self, prop: Node, target: str, counts: list[str]) -> list[str]:
        """The branches of a property shape's checks but its counts, which go to ``counts``
        as VALUES rows (path, least, most, rule) for :meth:`_counts_branch`."""
        self._check_keys(prop, _VALUE_CHECKS, _COUNTS)
        path = self._path(prop)
        rule_fields = {
            "shape": prop,
            "severity": self._severity(prop),
            "messages": self._messages(prop),
            "path": path,
        }
        p = path.n3()
        branches = []
        for check, component in ((SH.minCount, 0), (SH.maxCount, 1)):
            for count in self.shapes.objects(prop, check):
                rule = self._rule(component=_COMPONENT[check], **rule_fields)
                bounds = [str(int(str(count))) if i == component else "UNDEF" for i in (0, 1)]
                counts.append(f"({p} {' '.join(bounds)} {rule})")
        for value in self.shapes.objects(prop, SH.hasValue):
            rule = self._rule(component=SH.HasValueConstraintComponent, **rule_fields)
            branches.append(
                f"{target} FILTER NOT EXISTS {{ ?this {p} {value.n3()} }} BIND({rule} AS ?rule)"
            )
        for check in _VALUE_CHECKS:
            for parameter in self.shapes.objects(prop, check):
                rule = self._rule(component=_COMPONENT[check], **rule_fields)
                test = self._value_test(prop, check, parameter, "?value")
                branches.append(f"{target} ?this {p} ?value FILTER({test}) BIND({rule} AS ?rule)")
        return branches

    def _counts_branch(self, target: str, counts: list[str]) -> str:
        """One branch for every sh:minCount and sh:maxCount of a node shape's properties:
        each target's number of values on each path, against each count's bounds (one
        branch each took Oxigraph 1.36x the time to plan all the queries)."""
        p, x, n, least, most = (self._var() for _ in range(5))
        paths = " ".join(sorted({row[1:].split(" ", 1)[0] for row in counts}))
        return (
            f"{{ SELECT ?this {p} (COUNT(DISTINCT {x}) AS {n}) WHERE {{ {target} "
            f"VALUES {p} {{ {paths} }} OPTIONAL {{ ?this {p} {x} }} }} GROUP BY ?this {p} }} "
            f"VALUES ({p} {least} {most} ?rule) {{ {' '.join(counts)} }} "
            f"FILTER((BOUND({least}) && {n} < {least}) || (BOUND({most}) && {n} > {most}))"
        )

    def _sparql_branch(self, shape: Node, constraint: Node, target: str) -> str:
        self._check_keys(constraint, {SH.select, SH.prefixes})
        select = self.shapes.value(constraint, SH.select)
        if select is None or _FORBIDDEN_SPARQL.search(str(select)):
            raise InputError(
                f"SPARQL constraint {self._name(constraint)}: needs an sh:select without "
                "MINUS, VALUES, SERVICE or a binding of $this (SHACL 5.3.1.1)."
            )
        for ontology in self.shapes.objects(constraint, SH.prefixes):
            for declaration in self.shapes.objects(ontology, SH.declare):
                prefix = str(self.shapes.value(declaration, SH.prefix))
                namespace = str(self.shapes.value(declaration, SH.namespace))
                if self._prefixes.setdefault(prefix, namespace) != namespace:
                    raise InputError(f"prefix {prefix}: declared with two namespaces.")
        text = str(select)
        start = text.index("{", re.search(r"\bWHERE\b|\{", text, re.IGNORECASE).start())  # type: ignore[union-attr]
        projection = set(re.findall(r"[?$](\w+)", text[: text.index("{")]))
        if "this" not in projection:
            raise InputError(f"SPARQL constraint {self._name(constraint)}: selects no $this.")
        if "path" in projection:
            raise InputError(f"SPARQL constraint {self._name(constraint)}: ?path not supported.")
        rule = self._rule(
            shape=shape,
            component=SH.SPARQLConstraintComponent,
            severity=self._severity(shape),
            messages=self._messages(constraint) or self._messages(shape),
            constraint=constraint,
        )
        joined = f"{text[: start + 1]} {target} {text[start + 1 :]}"
        return f"{{ {joined} }} BIND({rule} AS ?rule)"

    # -- boolean tests: true when a value node breaks a check -----------------------------

    def _value_test(
        self, shape: Node, check: URIRef, parameter: Node, v: str, within: tuple[Node, ...] = ()
    ) -> str:
        """A test true when the node ``v`` breaks ``shape``'s ``check`` of ``parameter``."""
        if check == SH["class"]:
            return f"NOT EXISTS {{ {self._instance(v, parameter)} }}"
        if check == SH.datatype:
            return f"!COALESCE({_well_typed(parameter, v)}, false)"
        if check == SH.nodeKind:
            if not isinstance(parameter, URIRef) or parameter not in _NODE_KINDS:
                raise InputError(f"sh:nodeKind {parameter}: not a SHACL node kind.")
            return _NODE_KINDS[parameter].format(v=v)
        if check == SH.pattern:
            flags = self.shapes.value(shape, SH.flags)
            arguments = Literal(str(parameter)).n3() + (
                f", {Literal(str(flags)).n3()}" if flags else ""
            )
            return f"isBlank({v}) || !REGEX(STR({v}), {arguments})"
        if check in _COMPARISONS:
            return f"!COALESCE({v} {_COMPARISONS[check]} {parameter.n3()}, false)"
        if check == SH.node:
            return self._breaks_shape(parameter, v, within)
        members = list(Collection(self.shapes, parameter))  # sh:or
        return "(" + " && ".join(self._breaks_shape(m, v, within) for m in members) + ")"

    def _breaks_shape(self, shape: Node, v: str, within: tuple[Node, ...]) -> str:
        """A test true when the node ``v`` does not conform to ``shape`` (SHACL 2.4: it has a
        result of any severity); only expression-like checks are supported here."""
        if shape in within:
            raise InputError(f"shape {self._name(shape)}: recursive shapes are not supported.")
        if _deactivated(self.shapes, shape):
            return "false"
        within = (*within, shape)
        self._check_keys(shape, _VALUE_CHECKS)
        tests = [
            self._value_test(shape, check, parameter, v, within)
            for check in _VALUE_CHECKS
            for parameter in self.shapes.objects(shape, check)
        ]
        for prop in self.shapes.objects(shape, SH.property):
            if _deactivated(self.shapes, prop):
                continue
            self._check_keys(prop, _VALUE_CHECKS, {SH.minCount, SH.hasValue})
            p = self._path(prop).n3()
            for count in self.shapes.objects(prop, SH.minCount):
                if int(str(count)) != 1:
                    raise InputError(
                        f"shape {self._name(prop)}: sh:minCount above 1 in a shape used "
                        "through sh:node or sh:or is not supported."
                    )
                tests.append(f"NOT EXISTS {{ {v} {p} {self._var()} }}")
            for value in self.shapes.objects(prop, SH.hasValue):
                tests.append(f"NOT EXISTS {{ {v} {p} {value.n3()} }}")
            for check in _VALUE_CHECKS:
                for parameter in self.shapes.objects(prop, check):
                    w = self._var()
                    test = self._value_test(prop, check, parameter, w, within)
                    tests.append(f"EXISTS {{ {v} {p} {w} FILTER({test}) }}")
        return "(" + (" || ".join(tests) or "false") + ")"


def _union(branches: list[str]) -> str:
    """Group contents as one UNION, nested as a balanced tree: Oxigraph plans a flat chain
    of n branches in time growing with n squared (300 trivial branches: 42 ms; as a
    balanced tree, 2 ms).

    >>> _union(["A", "B", "C"])
    '{ A } UNION { { B } UNION { C } }'
    """
    if len(branches) == 1:
        return branches[0]
    middle = len(branches) // 2
    return f"{{ {_union(branches[:middle])} }} UNION {{ {_union(branches[middle:])} }}"


def _well_typed(datatype: Node, v: str) -> str:
    """A test true when ``v`` is a well-typed literal of ``datatype`` (an error, read as
    false, when the engine cannot cast it)."""
    if datatype == RDF.langString:
        return f'isLiteral({v}) && LANG({v}) != ""'
    test = f"isLiteral({v}) && DATATYPE({v}) = {datatype.n3()}"
    if datatype in _CASTABLE:
        test += f" && isLiteral({datatype.n3()}({v}))"
    return test


class GraphValidator:
    """Validates graphs in an in-memory store that holds the vocabulary (classes, schemes)
    once: each graph's triples are added to it for the validation and removed after, one
    validation at a time (threads may share one). The ingest gate's engine, for one document
    with its neighbourhood at a time. (One default graph: Oxigraph answered these queries 2.6x
    slower over the union of a vocabulary graph and a data graph.)

    Args:
        shapes: the shapes graph.
        vocabulary: the context every validation has (none: each graph holds its own).

    Raises:
        InputError: the shapes use a construct this engine does not evaluate.
    """

    def __init__(self, shapes: Graph, vocabulary: Graph | None = None) -> None:
        self.compiled = compile_shapes(shapes)
        # the vocabulary's class hierarchy written into the queries, for data that adds none
        self._closed = compile_shapes(shapes, vocabulary) if vocabulary is not None else None
        self._store = memory_store()
        self._store.add_triples(vocabulary or ())
        self._lock = threading.Lock()

    def validate(
        self, data: Iterable[tuple[Node, Node, Node]], focus: Iterable[Node] | None = None
    ) -> ValidationReport:
        """Validate ``data``'s triples (a graph or any iterable) with the vocabulary (the
        queries that follow the data's own subclasses when it has any); the
        ``focus`` of :func:`kg.rdf.validation.validate_graph`."""
        triples = list(data)
        compiled = self.compiled
        if self._closed is not None and all(p != RDFS.subClassOf for _, p, _ in triples):
            compiled = self._closed
        with self._lock:
            added = self._store.add_triples(triples)
            try:
                return compiled.validate(self._store, focus)
            finally:
                self._store.remove_quads(added)
