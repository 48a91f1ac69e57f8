"""The SPARQL engine (kg/rdf/shacl_sparql.py) reports what pySHACL, the reference, reports:
the same (focus node, source shape, source constraint, component, severity, path, value) for
the valid graph, every broken graph of the shape tests, ill-typed literals and a synthetic
store with a violation of each kind injected. Where the two differ it is because one of them
departs from the standards, and the case says which, and why, in its id and below:

- pySHACL (through rdflib's SPARQL) compares a double or an ill-typed literal with an
  xsd:date or xsd:dateTime (``"3.5"^^xsd:double > "2024-03-03"^^xsd:date`` is true for it),
  so it reports the date-order rules (and a change's start-before-end rule); SPARQL 1.1 section 17.3 makes that comparison a type error, and a FILTER
  that errs keeps no row: no result.
- pySHACL does not cast ``"3.5"^^xsd:double`` to xsd:integer, so it misses the span rule; the
  cast is defined (XPath casting, SPARQL 1.1 section 17.5: 3), and the offsets are wrong.
- pySHACL passes an ill-typed ``"abc"^^xsd:decimal`` against sh:maxInclusive (it fails it
  against sh:minInclusive); SHACL 4.3 fails a value whose comparison cannot be made.
- Oxigraph stores a literal in its canonical form (``"0.880"^^xsd:decimal`` as ``"0.88"``,
  a dateTime's ``+00:00`` as ``Z``), where RDF 1.1 says those are distinct terms: values are
  compared by value here, and the shape cases never put two forms of one value side by side.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, XSD

from bench.synth import codings, make_registry
from kg import iris
from kg.errors import InputError
from kg.rdf.mapping import map_codings, map_registry
from kg.rdf.shacl_sparql import GraphValidator, compile_shapes
from kg.rdf.validation import ValidationReport, ValidationResult, union_graph, validate_graph
from kg.resolve import resolve
from kg.store import EmbeddedStore
from kg.vocab import DIP
from tests.shapes.test_shapes import (
    ALL_CASES,
    EVENT,
    WRONG_CONCEPT,
    _first_span,
    _replace,
    minimal,
    sampled,
    shapes,
    vocabulary,
)

OA = "http://www.w3.org/ns/oa#"
SHAPES = "https://w3id.org/dipkg/shapes#"
Key = tuple[object, ...]


def key(result: ValidationResult) -> Key:
    """A result as compared: a literal value by its value (Oxigraph reads literals back in
    their canonical form: ``"...+00:00"^^xsd:dateTime`` as ``"...Z"``, the same value)."""
    constraint = next((o for _, p, o in result.triples if p == SH.sourceConstraint), None)
    value = next((o for _, p, o in result.triples if p == SH.value), None)
    return (
        result.focus,
        result.shape,
        None if constraint is None else str(constraint).removeprefix(SHAPES),
        result.component,
        result.severity,
        result.path,
        (value.value, value.datatype)
        if isinstance(value, Literal) and value.value is not None
        else result.value,
    )


@functools.cache
def gate() -> GraphValidator:
    return GraphValidator(shapes(), vocabulary())


def both(data: Graph) -> tuple[set[Key], set[Key]]:
    """The results of pySHACL and of the SPARQL engine on ``data`` (without the vocabulary)."""
    reference = validate_graph(data + vocabulary(), shapes())
    return {key(r) for r in reference.results}, {key(r) for r in gate().validate(data).results}


# case -> (only pySHACL reports these rules, only the SPARQL engine does): the departures of
# the module docstring, by the rule (SPARQL constraint or shape) each extra result is of
PYSHACL_COMPARES_ACROSS_TYPES = "pySHACL deviates: compares a double with a date"
DEVIATIONS: dict[str, tuple[str, set[str], set[str]]] = {
    **{
        f"{kind}Shape-earliest:datatype": (
            PYSHACL_COMPARES_ACROSS_TYPES,
            {
                f"{kind}Shape-dateOrder",
                *(["StatusStepShape-notBeforePledge"] if kind == "Pledge" else []),
                *(["ResponseShape-notBeforeDemand"] if kind == "Demand" else []),
            },
            set(),
        )
        for kind in ("Event", "Pledge", "Demand", "Statement", "StatusStep", "Response")
    },
    **{
        f"SelectorShape-{end}:datatype": (
            "pySHACL deviates: does not cast a double to xsd:integer",
            set(),
            {"EvidenceSpanShape-inDocument"},
        )
        for end in ("start", "end")
    },
    "ChangeShape-startedAtTime:datatype": (
        "pySHACL deviates: compares a double with a dateTime",
        {"ChangeShape-order"},
        set(),
    ),
}


def rules(results: set[Key]) -> set[str]:
    return {(r[2] or str(r[1])).removeprefix(SHAPES) for r in results}


def assert_agree(name: str, reference: set[Key], found: set[Key]) -> None:
    _, only_reference, only_found = DEVIATIONS.get(name, ("", set(), set()))
    assert rules(reference - found) == only_reference, sorted(reference - found, key=str)
    assert rules(found - reference) == only_found, sorted(found - reference, key=str)


def with_reasons(params: list) -> list:  # type: ignore[type-arg]
    """The cases' parameters, a deviating case's id naming the deviation."""
    return [
        pytest.param(*p.values, marks=p.marks, id=f"{p.id}[{DEVIATIONS[p.id][0]}]")
        if p.id in DEVIATIONS
        else p
        for p in params
    ]


@pytest.mark.parametrize(
    "case", [pytest.param(None, id="valid"), *with_reasons(sampled(ALL_CASES))]
)
def test_the_engines_agree_on_every_broken_graph(case) -> None:  # type: ignore[no-untyped-def]
    data = minimal()
    if case is not None:
        case.mutate(data)
    reference, found = both(data)
    name = case.name if case else "valid"
    assert_agree(name, reference, found)
    missed = DEVIATIONS.get(name, ("", set(), set()))[1]
    if case is not None and str(case.shape).removeprefix(SHAPES) not in missed:
        assert any(
            (r[0], r[1], r[3]) == (str(case.focus), str(case.shape), str(case.component))
            for r in found
        )


def test_the_deviations_are_marked_in_the_ids() -> None:
    ids = {c.name for c in ALL_CASES}
    assert set(DEVIATIONS) <= ids  # no stale entry
    for reason, _, _ in DEVIATIONS.values():
        assert reason.startswith(("pySHACL deviates", "Oxigraph deviates"))


def _selector(data: Graph) -> URIRef:
    return data.value(_first_span(data), URIRef(OA + "hasSelector"))  # type: ignore[return-value]


# ill-typed literals: sh:datatype fails them (SHACL 4.2.2), whatever the engine's SPARQL does
ILL_TYPED: list[tuple[str, Callable[[Graph], None], str, set[str], set[str]]] = [
    (
        "earliest-x-date",
        lambda d: _replace(d, EVENT, DIP.earliest, Literal("x", datatype=XSD.date)),
        "pySHACL deviates: compares an ill-typed date",
        {"EventShape-dateOrder"},
        set(),
    ),
    (
        "latest-february-30",
        lambda d: _replace(d, EVENT, DIP.latest, Literal("2024-02-30", datatype=XSD.date)),
        "pySHACL deviates: compares an ill-typed date",
        {"EventShape-dateOrder"},
        set(),
    ),
    (
        "date-x-date",
        lambda d: _replace(d, EVENT, DIP.date, Literal("x", datatype=XSD.date)),
        "",
        set(),
        set(),
    ),
    (
        "start-1.5-integer",
        lambda d: _replace(
            d, _selector(d), URIRef(OA + "start"), Literal("1.5", datatype=XSD.integer)
        ),
        "",
        set(),
        set(),
    ),
    (
        "confidence-abc-decimal",
        lambda d: _replace(d, EVENT, DIP.confidence, Literal("abc", datatype=XSD.decimal)),
        "pySHACL deviates: passes an ill-typed value against sh:maxInclusive",
        set(),
        {"Fact-confidence"},
    ),
]


@pytest.mark.parametrize(
    ("mutate", "only_reference", "only_found"),
    [
        pytest.param(m, r, f, id=f"{name}[{reason}]" if reason else name)
        for name, m, reason, r, f in ILL_TYPED
    ],
)
def test_ill_typed_literals_fail_their_datatype(mutate, only_reference, only_found) -> None:  # type: ignore[no-untyped-def]
    data = minimal()
    mutate(data)
    reference, found = both(data)
    assert rules(reference - found) == only_reference
    assert rules(found - reference) == only_found
    checks = {str(SH.DatatypeConstraintComponent), str(SH.OrConstraintComponent)}
    assert any(r[3] in checks for r in found)


# -- a synthetic store, validated where it is ------------------------------------------------

BASE = "https://w3id.org/dipkg/id/"


def synthetic() -> Dataset:
    """A few generated documents (bench/synth.py) with their registry and the vocabulary."""
    registry = make_registry(states=3, people_per_state=3)
    chunk = list(codings(6, registry))
    dataset = map_codings(chunk, resolve(chunk, registry, BASE), registry, BASE)
    for name, graph in (
        (iris.registry_graph_iri(BASE), map_registry(registry, BASE)),
        (iris.vocabulary_graph_iri(BASE), vocabulary()),
    ):
        target = dataset.graph(name)
        for triple in graph:
            target.add(triple)
    return dataset


def _first(dataset: Dataset, cls: URIRef, index: int = 0) -> URIRef:
    nodes = {s for g in dataset.graphs() for s in g.subjects(RDF.type, cls)}
    return sorted(nodes)[index]  # type: ignore[return-value]


def _set(dataset: Dataset, node: URIRef, path: URIRef, value: object) -> None:
    graph = next(g for g in dataset.graphs() if (node, None, None) in g)
    graph.remove((node, path, None))
    graph.add((node, path, value))  # type: ignore[arg-type]


def inject(dataset: Dataset) -> None:
    """One violation of each kind the shapes check, each on its own node."""
    event, pledge, demand = (_first(dataset, c) for c in (DIP.Event, DIP.Pledge, DIP.Demand))
    statement, document = _first(dataset, DIP.Statement), _first(dataset, DIP.SourceDocument)
    _set(dataset, event, RDFS.label, Literal("one", lang="en"))
    next(g for g in dataset.graphs() if (event, None, None) in g).remove((event, RDFS.label, None))
    graph = next(g for g in dataset.graphs() if (pledge, None, None) in g)
    graph.add((pledge, RDFS.label, Literal("a second label", lang="en")))  # maxCount
    _set(dataset, demand, DIP.addressee, URIRef(BASE + "place/state-000-land"))  # class
    _set(dataset, document, DCTERMS.identifier, Literal("synth", lang="en"))  # datatype
    _set(dataset, _first(dataset, DIP.Pledge, 1), DIP.date, Literal("soon"))  # or
    _set(dataset, _first(dataset, DIP.Event, 1), DIP.eventType, WRONG_CONCEPT)  # node
    _set(dataset, _first(dataset, DIP.State), OWL.sameAs, Literal("Q1"))  # nodeKind, pattern
    _set(dataset, _first(dataset, DIP.SourceDocument, 1), DCTERMS.language, Literal("EN"))
    _set(dataset, _first(dataset, DIP.Event, 2), DIP.confidence, Literal(-1))  # minInclusive
    _set(dataset, _first(dataset, DIP.Demand, 1), DIP.confidence, Literal(2))  # maxInclusive
    _set(dataset, _first(dataset, DIP.Statement, 1), DIP.quote, Literal("never said"))
    _set(
        dataset,
        _first(dataset, DIP.Demand, 2),
        DIP.earliest,
        Literal("2030-01-01", datatype=XSD.date),
    )
    _set(dataset, statement, DIP.isProvisional, Literal(True))  # not an actor: no warning
    _set(dataset, _first(dataset, DIP.Person), DIP.isProvisional, Literal(True))  # a warning


@pytest.mark.slow
def test_the_engines_agree_on_a_synthetic_store_with_violations_of_each_kind() -> None:
    dataset = synthetic()
    inject(dataset)
    reference = validate_graph(union_graph(list(dataset.graphs())), shapes())
    store = EmbeddedStore(None)
    store.bulk_add(dataset)
    found = compile_shapes(shapes()).validate(store)  # over the store's merge, as `dipkg validate`
    assert {key(r) for r in found.results} == {key(r) for r in reference.results}
    assert found.conforms is reference.conforms is False
    components = {r.component.removeprefix(str(SH)) for r in found.results}
    assert components >= {
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "ClassConstraintComponent",
        "DatatypeConstraintComponent",
        "OrConstraintComponent",
        "NodeConstraintComponent",
        "NodeKindConstraintComponent",
        "PatternConstraintComponent",
        "MinInclusiveConstraintComponent",
        "MaxInclusiveConstraintComponent",
        "SPARQLConstraintComponent",
    }
    assert found.warnings and all(r.severity == "Warning" for r in found.warnings)


# -- reports -------------------------------------------------------------------------------


def test_the_turtle_report_is_a_shacl_validation_report() -> None:
    data = minimal()
    _replace(data, EVENT, DIP.eventType, WRONG_CONCEPT)
    report = gate().validate(data)
    graph = Graph().parse(data=report.render("turtle"), format="turtle")
    (node,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(node, SH.conforms) == Literal(False)
    results = set(graph.objects(node, SH.result))
    assert len(results) == len(report.results) > 0
    for result in results:
        assert (result, RDF.type, SH.ValidationResult) in graph
        for p in (SH.focusNode, SH.sourceShape, SH.sourceConstraintComponent, SH.resultSeverity):
            assert graph.value(result, p) is not None
    values = {graph.value(r, SH.value) for r in results}
    assert WRONG_CONCEPT in values  # the value term itself, an IRI, not its text
    assert "Violation: " in report.render("text") and "<failure" in report.render("junit")


def test_a_focus_limits_the_report_to_its_nodes() -> None:
    data = minimal()
    _replace(data, EVENT, DIP.eventType, WRONG_CONCEPT)
    assert gate().validate(data, [EVENT]).results
    assert not gate().validate(data, [URIRef(BASE + "actor/ann-alpha")]).violations
    assert isinstance(gate().validate(data), ValidationReport)


# -- what the engine does not evaluate is an error when the shapes are compiled -----------

HEAD = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
"""
UNSUPPORTED = {
    "sh:in": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:in ( 1 2 ) ] .",
    "sh:targetNode": "ex:S a sh:NodeShape ; sh:targetNode ex:n ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
    "inverse path": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ] .",
    "maxCount inside sh:node": """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:p ; sh:node ex:T ] .
        ex:T a sh:NodeShape ; sh:property [ sh:path ex:q ; sh:maxCount 1 ] .""",
    "recursive sh:node": """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:p ; sh:node ex:T ] .
        ex:T a sh:NodeShape ; sh:property [ sh:path ex:q ; sh:node ex:T ] .""",
    "MINUS in a SPARQL constraint": """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p ?o MINUS { $this ex:q ?o } }" ] .""",
    "message template": """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message "{$this} has no p" ] .""",
}


@pytest.mark.parametrize("turtle", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_an_unsupported_construct_is_an_error_at_compile_time(turtle: str) -> None:
    with pytest.raises(InputError):
        compile_shapes(Graph().parse(data=HEAD + turtle, format="turtle"))


def test_what_dipkg_shapes_do_not_use_agrees_with_pyshacl() -> None:
    """Counts above 1, two target classes, and a check on the focus node itself (dipkg's
    shapes have none of these)."""
    shapes_graph = Graph().parse(
        data=HEAD
        + """ex:S a sh:NodeShape ; sh:targetClass ex:C, ex:D ;
            sh:property [ sh:path ex:p ; sh:minCount 2 ; sh:maxCount 3 ] .
        ex:T a sh:NodeShape ; sh:targetClass ex:D ; sh:class ex:Marked .""",
        format="turtle",
    )
    data = Graph().parse(
        data="""@prefix ex: <http://example.org/> .
        ex:none a ex:C . ex:one a ex:D ; ex:p 1 . ex:two a ex:C, ex:D, ex:Marked ; ex:p 1, 2 .
        ex:four a ex:C ; ex:p 1, 2, 3, 4 .""",
        format="turtle",
    )
    reference = {key(r) for r in validate_graph(data, shapes_graph).results}
    found = {key(r) for r in GraphValidator(shapes_graph).validate(data).results}
    assert found == reference
    assert {(r[0].rsplit("/", 1)[-1], r[3].rsplit("#", 1)[-1]) for r in found} == {
        ("none", "MinCountConstraintComponent"),
        ("one", "MinCountConstraintComponent"),
        ("one", "ClassConstraintComponent"),
        ("four", "MaxCountConstraintComponent"),
    }


def test_a_class_hierarchy_in_the_data_is_followed_as_pyshacl_does() -> None:
    """The gate writes the vocabulary's subclasses into its queries; data that adds its own
    rdfs:subClassOf triples is validated by the queries that follow them instead."""
    shapes_graph = Graph().parse(
        data=HEAD
        + """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:class ex:C ] .""",
        format="turtle",
    )
    hierarchy = Graph().parse(
        data="""@prefix ex: <http://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:Known rdfs:subClassOf ex:C .""",
        format="turtle",
    )
    validator = GraphValidator(shapes_graph, hierarchy)
    for extra, expected in (
        ("", {("known", "Class")}),  # ex:own is no ex:C
        ("ex:Own rdfs:subClassOf ex:Known .", {("own", "MinCount")}),  # it is, and a target
    ):
        data = Graph().parse(
            data=f"""@prefix ex: <http://example.org/> .
            @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
            ex:known a ex:Known ; ex:p ex:own . ex:own a ex:Own . {extra}""",
            format="turtle",
        )
        reference = {key(r) for r in validate_graph(data + hierarchy, shapes_graph).results}
        found = {key(r) for r in validator.validate(data).results}
        assert found == reference
        assert {
            (r[0].rsplit("/", 1)[-1], r[3].rsplit("#", 1)[-1].removesuffix("ConstraintComponent"))
            for r in found
        } == expected
