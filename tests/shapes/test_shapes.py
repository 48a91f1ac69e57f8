"""The SHACL shapes: the valid graph conforms, and one broken graph per rule fails with the
expected focus node, shape and constraint component.

Cases for property shapes are derived from the shapes themselves (for every constraint of
every property shape, a mutation of ``valid/minimal.ttl`` that breaks exactly it); cases for
SPARQL constraints are written out below. A rule without a case fails the coverage test.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS, XSD

from kg.config import Settings
from kg.rdf.ontology import load_vocabulary
from kg.rdf.validation import load_shapes, validate_graph
from kg.vocab import DIP

HERE = Path(__file__).parent
ID = "https://w3id.org/dipkg/id/"
SHAPES_NS = "https://w3id.org/dipkg/shapes#"
WRONG_CONCEPT = URIRef("https://w3id.org/dipkg/concept/cameo/040")  # a concept of another scheme


@functools.cache
def shapes() -> Graph:
    return load_shapes(Settings().ontology_dir)


@functools.cache
def vocabulary() -> Graph:
    """The SKOS schemes (the shapes check concepts against them) and the ontology."""
    return load_vocabulary(Settings().ontology_dir)


def minimal() -> Graph:
    graph = Graph()
    graph.parse(HERE / "valid" / "minimal.ttl", format="turtle")
    return graph


def results(data: Graph) -> set[tuple[str, str, str]]:
    report = validate_graph(data + vocabulary(), shapes())
    graph = report.graph
    return {
        (
            str(graph.value(r, SH.focusNode)),
            str(graph.value(r, SH.sourceShape)),
            str(graph.value(r, SH.sourceConstraintComponent)),
        )
        for r in graph.subjects(RDF.type, SH.ValidationResult)
        if graph.value(r, SH.resultSeverity) == SH.Violation
    }


def test_valid_graph_conforms() -> None:
    assert results(minimal()) == set()


def test_bundled_corpus_graph_conforms(built_store_dir: Path) -> None:
    from kg.store import open_store

    store = open_store(built_store_dir, read_only=True)
    try:
        data = Graph()
        for s, p, o, _ in store.quads():
            data.add((s, p, o))
    finally:
        store.close()
    assert results(data) == set()


# -- cases derived from property shapes -----------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    focus: URIRef
    shape: URIRef
    component: URIRef
    mutate: Callable[[Graph], None]


def _focus(data: Graph, shape_graph: Graph, node_shape: URIRef, path: URIRef) -> URIRef | None:
    target = shape_graph.value(node_shape, SH.targetClass)
    nodes = sorted(data.subjects(RDF.type, target))
    with_value = [n for n in nodes if (n, path, None) in data]
    return (with_value or nodes or [None])[0]


def property_cases() -> list[Case]:
    g = shapes()
    cases = []
    for node_shape, prop in g.subject_objects(SH.property):
        if not isinstance(prop, URIRef):
            continue  # the in-scheme checks, exercised through sh:node below
        if g.value(prop, SH.severity) == SH.Warning or g.value(node_shape, SH.severity):
            continue
        path = g.value(prop, SH.path)
        data = minimal()
        focus = _focus(data, g, node_shape, path)
        if focus is None:
            continue
        name = str(prop).removeprefix(SHAPES_NS)

        def add(
            case: str,
            component: URIRef,
            mutate: Callable[[Graph], None],
            name: str = name,
            focus: URIRef = focus,
            prop: URIRef = prop,
        ) -> None:
            cases.append(Case(f"{name}:{case}", focus, prop, component, mutate))

        if g.value(prop, SH.minCount):
            add(
                "minCount",
                SH.MinCountConstraintComponent,
                lambda d, f=focus, p=path: d.remove((f, p, None)),
            )
        max_count = g.value(prop, SH.maxCount)
        if max_count is not None:

            def too_many(
                d: Graph, f: URIRef = focus, p: URIRef = path, n: int = int(max_count)
            ) -> None:
                values = list(d.objects(f, p))
                template = values[0] if values else URIRef(ID + "thing")
                for i in range(n + 1 - len(values)):
                    d.add((f, p, _sibling(template, i)))

            add("maxCount", SH.MaxCountConstraintComponent, too_many)
        if g.value(prop, SH["class"]) is not None:
            add(
                "class",
                SH.ClassConstraintComponent,
                lambda d, f=focus, p=path: _replace(d, f, p, URIRef(ID + "not-a-thing")),
            )
        if g.value(prop, SH.node) is not None:
            add(
                "inScheme",
                SH.NodeConstraintComponent,
                lambda d, f=focus, p=path: _replace(d, f, p, WRONG_CONCEPT),
            )
        if g.value(prop, SH.datatype) is not None:
            add(
                "datatype",
                SH.DatatypeConstraintComponent,
                lambda d, f=focus, p=path: _replace(d, f, p, Literal(3.5)),
            )
        if g.value(prop, SH.nodeKind) == SH.IRI:
            add(
                "nodeKind",
                SH.NodeKindConstraintComponent,
                lambda d, f=focus, p=path: _replace(d, f, p, Literal("not an IRI")),
            )
        if g.value(prop, SH["or"]) is not None:
            add(
                "or",
                SH.OrConstraintComponent,
                lambda d, f=focus, p=path: _replace(d, f, p, Literal("soon")),
            )
        if g.value(prop, SH.pattern) is not None:
            add(
                "pattern",
                SH.PatternConstraintComponent,
                lambda d, f=focus, p=path: _replace(
                    d,
                    f,
                    p,
                    URIRef("http://example.org/Q30") if p.endswith("sameAs") else Literal("a b"),
                ),
            )
        if g.value(prop, SH.minInclusive) is not None:
            add(
                "minInclusive",
                SH.MinInclusiveConstraintComponent,
                lambda d, f=focus, p=path: _replace(d, f, p, Literal(-1, datatype=XSD.integer)),
            )
        if g.value(prop, SH.maxInclusive) is not None:
            add(
                "maxInclusive",
                SH.MaxInclusiveConstraintComponent,
                lambda d, f=focus, p=path: _replace(d, f, p, Literal(2, datatype=XSD.integer)),
            )
    return sorted(cases, key=lambda c: c.name)


def _sibling(template: object, i: int) -> object:
    """A value like ``template`` but different from it and from the other siblings."""
    if isinstance(template, URIRef):
        return URIRef(f"{template}-extra{i}")
    assert isinstance(template, Literal)
    if template.language:
        return Literal(f"{template} {i}", lang=template.language)
    forms = {
        XSD.date: f"2000-01-{i + 1:02d}",
        XSD.gYearMonth: f"2000-{i + 1:02d}",
        XSD.gYear: str(1990 + i),
        XSD.integer: str(1000 + i),
        # distinct values, not only distinct forms: a store keeps one canonical form
        XSD.decimal: f"0.0{i + 1}",
        XSD.dateTime: f"2000-01-01T00:00:0{i}Z",
    }
    if template.datatype in forms:
        return Literal(forms[template.datatype], datatype=template.datatype)
    return Literal(f"{template}{i}", datatype=template.datatype)


def _replace(data: Graph, focus: URIRef, path: URIRef, value: object) -> None:
    data.remove((focus, path, None))
    data.add((focus, path, value))


# -- SPARQL constraints ---------------------------------------------------------------------

EVENT = URIRef(ID + "event/2024-03-03-phone-call-ann-alpha-bob-beta")
PLEDGE = URIRef(ID + "pledge/2024-03-03-ann-alpha-military-communication")
STEP_1 = URIRef(str(PLEDGE) + "/step/d1-1")
STEP_2 = URIRef(str(PLEDGE) + "/step/d1-2")
DEMAND = URIRef(ID + "demand/2024-03-03-bob-beta-north-korea")
RESPONSE = URIRef(str(DEMAND) + "/response/d1-1")
ANN = URIRef(ID + "actor/ann-alpha")
BOB = URIRef(ID + "actor/bob-beta")
TERM = URIRef(ID + "actor/ann-alpha/term/president-of-alphaland")
RETIRED = URIRef(ID + "event/undated-phone-call-ann-alpha-bob-beta")
GONE = URIRef(ID + "document/d1/span/0-12")
CHANGE = URIRef(ID + "change/20240310T120000000000Z-0a1b2c3d")


def _statement(data: Graph) -> URIRef:
    return next(iter(data.subjects(RDF.type, DIP.Statement)))  # type: ignore[return-value]


def _first_span(data: Graph) -> URIRef:
    return sorted(data.subjects(RDF.type, DIP.EvidenceSpan))[0]  # type: ignore[return-value]


def _set(subject: URIRef, path: URIRef, value: object) -> Callable[[Graph], None]:
    return lambda d: _replace(d, subject, path, value)


def _break_span(data: Graph) -> None:
    selector = data.value(_first_span(data), URIRef("http://www.w3.org/ns/oa#hasSelector"))
    _replace(data, selector, URIRef("http://www.w3.org/ns/oa#exact"), Literal("not the text"))


SPARQL_CASES = [
    ("EventShape-dateComplete", EVENT, lambda d: d.remove((EVENT, DIP.dateBasis, None))),
    (
        "EventShape-dateOrder",
        EVENT,
        _set(EVENT, DIP.earliest, Literal("2024-03-04", datatype=XSD.date)),
    ),
    (
        "EventShape-datePrecisionMatches",
        EVENT,
        _set(EVENT, DIP.date, Literal("2024-03", datatype=XSD.gYearMonth)),
    ),
    (
        "EventShape-callParticipants",
        EVENT,
        lambda d: [
            d.remove((EVENT, DIP.participant, BOB)),
            d.remove((URIRef(f"{EVENT}/participant/bob-beta"), DIP.agent, BOB)),
            d.remove((EVENT, DIP.qualifiedParticipation, URIRef(f"{EVENT}/participant/bob-beta"))),
        ],
    ),
    ("EventShape-participationMatches", EVENT, lambda d: d.remove((EVENT, DIP.participant, BOB))),
    ("PledgeShape-dateComplete", PLEDGE, lambda d: d.remove((PLEDGE, DIP.latest, None))),
    (
        "PledgeShape-dateOrder",
        PLEDGE,
        _set(PLEDGE, DIP.latest, Literal("2024-03-01", datatype=XSD.date)),
    ),
    (
        "PledgeShape-datePrecisionMatches",
        PLEDGE,
        _set(PLEDGE, DIP.date, Literal("2024", datatype=XSD.gYear)),
    ),
    (
        "PledgeShape-statusIsLatest",
        PLEDGE,
        _set(PLEDGE, DIP.status, URIRef("https://w3id.org/dipkg/concept/pledge-status/made")),
    ),
    ("StatusStepShape-dateComplete", STEP_1, lambda d: d.remove((STEP_1, DIP.earliest, None))),
    (
        "StatusStepShape-dateOrder",
        STEP_2,
        _set(STEP_2, DIP.earliest, Literal("2024-03-10", datatype=XSD.date)),
    ),
    (
        "StatusStepShape-datePrecisionMatches",
        STEP_1,
        _set(STEP_1, DIP.date, Literal("2024-03", datatype=XSD.gYearMonth)),
    ),
    (
        "StatusStepShape-notBeforePledge",
        STEP_2,
        _set(STEP_2, DIP.latest, Literal("2024-03-01", datatype=XSD.date)),
    ),
    ("DemandShape-dateComplete", DEMAND, lambda d: d.remove((DEMAND, DIP.datePrecision, None))),
    (
        "DemandShape-dateOrder",
        DEMAND,
        _set(DEMAND, DIP.earliest, Literal("2025-01-01", datatype=XSD.date)),
    ),
    (
        "DemandShape-datePrecisionMatches",
        DEMAND,
        _set(DEMAND, DIP.date, Literal("2024", datatype=XSD.gYear)),
    ),
    ("ResponseShape-dateComplete", RESPONSE, lambda d: d.remove((RESPONSE, DIP.earliest, None))),
    (
        "ResponseShape-dateOrder",
        RESPONSE,
        _set(RESPONSE, DIP.earliest, Literal("2024-03-05", datatype=XSD.date)),
    ),
    (
        "ResponseShape-datePrecisionMatches",
        RESPONSE,
        _set(RESPONSE, DIP.date, Literal("2024-03", datatype=XSD.gYearMonth)),
    ),
    (
        "ResponseShape-notBeforeDemand",
        RESPONSE,
        _set(RESPONSE, DIP.latest, Literal("2024-03-02", datatype=XSD.date)),
    ),
    ("StatementShape-dateComplete", None, lambda d: d.remove((_statement(d), DIP.dateBasis, None))),
    (
        "StatementShape-dateOrder",
        None,
        lambda d: _replace(
            d, _statement(d), DIP.earliest, Literal("2025-01-01", datatype=XSD.date)
        ),
    ),
    (
        "StatementShape-datePrecisionMatches",
        None,
        lambda d: _replace(d, _statement(d), DIP.date, Literal("2024", datatype=XSD.gYear)),
    ),
    (
        "StatementShape-quoteInEvidence",
        None,
        lambda d: _replace(d, _statement(d), DIP.quote, Literal("never said")),
    ),
    ("EvidenceSpanShape-inDocument", "span", _break_span),
    ("OfficeTermShape-order", TERM, _set(TERM, DIP.end, Literal("2019-01-01", datatype=XSD.date))),
    (
        "RetiredResourceShape-collapsed",
        RETIRED,
        _set(RETIRED, DCTERMS.isReplacedBy, GONE),  # replaced by an IRI retired itself
    ),
    (
        "RetiredResourceShape-undescribed",
        RETIRED,
        lambda d: d.add((RETIRED, RDFS.label, Literal("Still here", lang="en"))),
    ),
    (
        "ChangeShape-order",
        CHANGE,
        _set(CHANGE, PROV.endedAtTime, Literal("2024-03-10T11:59:59Z", datatype=XSD.dateTime)),
    ),
]


def sparql_cases() -> list[Case]:
    cases = []
    for name, focus, mutate in SPARQL_CASES:
        data = minimal()
        if focus is None:
            focus = _statement(data)
        elif focus == "span":
            focus = _first_span(data)
        node_shape = URIRef(SHAPES_NS + name.split("-")[0])
        cases.append(Case(name, focus, node_shape, SH.SPARQLConstraintComponent, mutate))
    return cases


ALL_CASES = property_cases() + sparql_cases()


def first_of_each_kind(cases: list[Case]) -> set[str]:
    """Names of the first case of each constraint kind (``maxCount``, ``class``, ..., one
    SPARQL rule): the fast selection's sample; the full run checks every case."""
    seen: dict[str, str] = {}
    for case in cases:
        seen.setdefault(case.name.rpartition(":")[2] if ":" in case.name else "sparql", case.name)
    return set(seen.values())


def sampled(cases: list[Case]) -> list[pytest.param]:  # type: ignore[valid-type]
    """``cases`` as parameters, all but the first of each kind marked slow."""
    fast = first_of_each_kind(cases)
    return [
        pytest.param(c, id=c.name, marks=() if c.name in fast else pytest.mark.slow) for c in cases
    ]


@pytest.mark.parametrize("case", sampled(ALL_CASES))
def test_broken_graph_fails_with_the_expected_result(case: Case) -> None:
    data = minimal()
    case.mutate(data)
    found = results(data)
    assert (str(case.focus), str(case.shape), str(case.component)) in found, sorted(found)


def test_every_rule_has_a_case() -> None:
    g = shapes()
    covered = {c.name.split(":")[0] for c in ALL_CASES}
    rules = {
        str(p).removeprefix(SHAPES_NS)
        for n, p in g.subject_objects(SH.property)
        if isinstance(p, URIRef)
        and g.value(p, SH.severity) != SH.Warning
        and not g.value(n, SH.severity)
    } | {
        str(c).removeprefix(SHAPES_NS)
        for c in g.objects(None, SH.sparql)
        if not str(c).startswith(SHAPES_NS + "Recommended")
    }
    assert rules - covered == set()


def test_every_shape_says_what_is_wrong_in_english() -> None:
    g = shapes()
    for prop in g.objects(None, SH.property):
        if isinstance(prop, URIRef):
            assert g.value(prop, SH.name) is not None, prop
            messages = list(g.objects(prop, SH.message))
            assert messages and all(m.language == "en" for m in messages), prop


def test_every_term_has_an_english_label_and_definition() -> None:
    vocab = vocabulary()
    terms = {s for s in vocab.subjects() if isinstance(s, URIRef) and str(s).startswith(str(DIP))}
    assert terms
    for term in terms:
        assert any(label.language == "en" for label in vocab.objects(term, RDFS.label)), term
        assert any(d.language == "en" for d in vocab.objects(term, SKOS.definition)), term
