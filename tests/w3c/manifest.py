"""The W3C SPARQL test manifests of the vendored suite (tests/w3c/suite/): one :class:`Entry` per
test, with its query, its dataset and its expected result, and why it is not run if it is not.

Manifest vocabulary: https://w3c.github.io/rdf-tests/sparql/ (mf:, qt:, dawgt:). A test's
dataset is ``qt:data`` (the default graph, the merge of the files) and ``qt:graphData`` (one named
graph per file, named by the file's IRI); a test with neither takes its dataset from the query's
own FROM / FROM NAMED, whose files are loaded as named graphs so that FROM finds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

SUITE = Path(__file__).parent / "suite"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")

POLICY_FOLDERS = ("sparql11/service", "sparql11/syntax-fed")
"""Folders of SERVICE queries: the gate refuses SERVICE by design (no outbound requests)."""

NOT_RUN = {
    "sparql11/add, basic-update, clear, copy, delete, delete-data, delete-insert, delete-where, "
    "drop, move, update-silent, syntax-update-1, syntax-update-2": "SPARQL Update: the endpoint "
    "is read-only (the gate refuses updates)",
    "sparql11/entailment": "entailment regimes: dipkg evaluates under simple entailment only",
    "sparql11/protocol, http-rdf-update, graph-store-protocol, service-description": "protocol "
    "and service-description tests, described in prose (the protocol is tested in tests/e2e/test_sparql_protocol.py)",
}
"""The suite's folders that are not vendored, and why."""

_KINDS = {
    MF.QueryEvaluationTest: "evaluation",
    MF.CSVResultFormatTest: "evaluation",
    MF.PositiveSyntaxTest: "positive-syntax",
    MF.PositiveSyntaxTest11: "positive-syntax",
    MF.NegativeSyntaxTest: "negative-syntax",
    MF.NegativeSyntaxTest11: "negative-syntax",
}
_FROM = re.compile(r"\bFROM\s+(NAMED\s+)?<([^>]*)>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DataFiles:
    """The files of a test's dataset: the default graph's and the named graphs'."""

    default: tuple[Path, ...] = ()
    named: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class Entry:
    """One test of a manifest.

    ``kind`` is ``evaluation``, ``positive-syntax`` or ``negative-syntax``; ``skip`` says why
    the test is not run (None: it is run); ``policy`` marks a SERVICE query, which dipkg must
    refuse; ``lax`` is mf:LaxCardinality (REDUCED: duplicates may differ).
    """

    id: str
    folder: str
    kind: str
    query: Path
    dataset: DataFiles = DataFiles()
    result: Path | None = None
    lax: bool = False
    skip: str | None = None
    policy: bool = False


def file_iri(path: Path) -> str:
    """The IRI of a suite file: its ``file:`` URL, the base its relative IRIs resolve against.

    >>> file_iri(Path("/suite/a b.ttl"))
    'file:///suite/a%20b.ttl'
    """
    return path.absolute().as_uri()


def folders(suite: Path = SUITE) -> list[str]:
    """The folders of the suite that have a manifest, as ``sparql10/basic``."""
    return sorted(str(m.parent.relative_to(suite)) for m in suite.glob("*/*/manifest.ttl"))


def load_entries(suite: Path = SUITE) -> list[Entry]:
    """Every test of every manifest of the suite, in manifest order, folder by folder."""
    return [entry for folder in folders(suite) for entry in _folder_entries(suite, folder)]


def _folder_entries(suite: Path, folder: str) -> list[Entry]:
    manifest = suite / folder / "manifest.ttl"
    graph = Graph().parse(manifest, format="turtle", publicID=file_iri(manifest))
    entries = []
    for head in graph.objects(None, MF.entries):
        for node in Collection(graph, head):
            entry = _entry(graph, node, folder)
            if entry is not None:
                entries.append(entry)
    return entries


def _entry(graph: Graph, node: Node, folder: str) -> Entry | None:
    kind = _KINDS.get(graph.value(node, RDF.type))  # type: ignore[arg-type]
    if kind is None:
        return None  # not a query test (there are none in the vendored folders)
    action = graph.value(node, MF.action)
    query = graph.value(action, QT.query) if kind == "evaluation" else action
    name = str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    result = graph.value(node, MF.result)
    default = _paths(graph.objects(action, QT.data))
    named = _paths(graph.objects(action, QT.graphData))
    query_path = _path(query)
    if kind == "evaluation" and not default and not named:
        default, named = (), _query_graphs(query_path)
    return Entry(
        id=f"{folder}/{name}",
        folder=folder,
        kind=kind,
        query=query_path,
        dataset=DataFiles(default, named),
        result=None if result is None else _path(result),
        lax=(node, MF.resultCardinality, MF.LaxCardinality) in graph,
        skip=_skip_reason(graph, node),
        policy=folder in POLICY_FOLDERS,
    )


def _skip_reason(graph: Graph, node: Node) -> str | None:
    approval = graph.value(node, DAWGT.approval)
    if approval is not None and approval != DAWGT.Approved:
        return f"not approved (dawgt:{str(approval).rsplit('#', 1)[-1]})"
    requires = sorted(str(r).rsplit("#", 1)[-1] for r in graph.objects(node, MF.requires))
    if requires:
        return f"requires mf:{', mf:'.join(requires)}, which dipkg does not claim"
    return None


def _query_graphs(query: Path) -> tuple[Path, ...]:
    """The suite files a query's FROM and FROM NAMED name (the suite writes them as IRIs)."""
    text = query.read_text(encoding="utf-8")
    return tuple(
        sorted({_path(URIRef(urljoin(file_iri(query), m[2]))) for m in _FROM.finditer(text)})
    )


def _paths(nodes: object) -> tuple[Path, ...]:
    return tuple(sorted(_path(n) for n in nodes))  # type: ignore[attr-defined]


def _path(node: Node | None) -> Path:
    if not isinstance(node, URIRef) or not node.startswith("file:"):
        raise ValueError(f"not a suite file: {node!r}")
    return Path(unquote(urlparse(str(node)).path))
