"""Ingest: one new article -> its own named graph in the store, through a SHACL gate.

Per document: read it (text, Markdown or HTML, metadata from the sidecar or options) ->
take its curated coding if one lies beside it, else extract one automatically
(:mod:`kg.extract`) -> resolve it against the store
(:class:`kg.resolve.candidates.StoreKnown`: the same event, pledge, demand or statement
already in the graph keeps its IRI and gains this
document's mentions; a newer pledge step or a held event supersedes the current status) ->
map it into the document's graph, with the provisional actors it introduced -> validate that
graph together with its neighbourhood in the store -> write it in one transaction. A document
that fails anywhere is rejected whole with the reasons, and the store stays as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from kg import iris
from kg.config import Settings
from kg.errors import DipkgError, ExtractionError, InputError, UsageError
from kg.extract import Extraction, Extractor, registry_with
from kg.flows.validate import ENGINES, Gate
from kg.flows.write import retirement_amendment
from kg.formats import DOCUMENT_SUFFIXES
from kg.query.internal import internal_query
from kg.rdf.mapping import map_codings, map_registry
from kg.rdf.ontology import load_vocabulary, scheme_notations
from kg.rdf.validation import ValidationReport, ValidationResult, graph_nodes, neighbourhood
from kg.records import Actor, Document, Place
from kg.resolve import resolve
from kg.resolve.candidates import StoreKnown
from kg.resolve.retirement import retirements
from kg.sources.articles import is_document_id, read_document
from kg.sources.coding import CodingFile, coding_path, read_coding_file
from kg.sources.registry import load_registry
from kg.store.base import Store
from kg.vocab import DIP

_MAX_REASONS = 20


@dataclass
class Outcome:
    """What became of one document.

    Attributes:
        document: the document id (or the file name when it could not be read).
        status: ``added`` (new), ``replaced`` (its graph existed), ``kept`` (a curated coding
            is in the store and this was automatic) or ``rejected``.
        source: ``curated`` or ``automatic``.
        counts: facts per kind (events, pledges, demands, statements).
        merged: existing nodes this document was resolved to (it adds its mentions to them).
        created: new resources (events, pledges, demands, statements) it introduced.
        retired: the records it wrote in the graph of retired IRIs: each IRI its earlier
            version published that it no longer describes (and each older IRI replaced by
            one of them), with what replaces it now ("" when nothing does: 410 Gone).
        provisional: ids of provisional actors it introduced (to be curated).
        unresolved: date expressions it could not resolve (with the reason).
        reasons: why it was rejected.
    """

    document: str
    status: str
    source: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    retired: dict[str, str] = field(default_factory=dict)
    provisional: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The outcome as plain JSON values."""
        return dataclasses.asdict(self)


class Ingester:
    """Ingests documents into a store; reuse one for many documents (the vocabulary, shapes,
    registry and spaCy pipeline are loaded once).

    Args:
        settings: base IRI, ontology and corpus directories.
        registry_path: the actor registry (default: the corpus's ``registry.yaml``).
        engine: the SHACL gate's engine (:data:`kg.flows.validate.ENGINES`).
    """

    def __init__(
        self, settings: Settings, registry_path: Path | None = None, engine: str = ENGINES[0]
    ) -> None:
        self.settings = settings
        self.base = settings.base_iri
        self.vocabulary = load_vocabulary(settings.ontology_dir)
        self.notations = scheme_notations(self.vocabulary)
        self.gate = Gate(settings, engine)
        self.registry = load_registry(registry_path or settings.corpus_dir / "registry.yaml")

    @cached_property
    def extractor(self) -> Extractor:
        """The extractor (spaCy's pipeline loads on its first document)."""
        return Extractor(self.registry, self.notations, self.settings.extract_timeout)

    def read(self, path: Path, metadata: Mapping[str, object] | None = None) -> Document:
        """Read one document file, as :func:`read_article`."""
        return read_article(path, metadata)

    def ingest_file(
        self, store: Store, path: Path, metadata: Mapping[str, object] | None = None
    ) -> Outcome:
        """Ingest one file; a problem with it is an outcome, never an exception."""
        return next(self.ingest_many(store, [path], metadata))

    def ingest_many(
        self, store: Store, paths: Sequence[Path], metadata: Mapping[str, object] | None = None
    ) -> Iterator[Outcome]:
        """Ingest files in order, each in its own transaction. A problem with one file,
        its extraction included, is its outcome (``rejected``), never an exception."""
        for path in paths:
            try:
                document = self.read(path, metadata)
                coding = coding_path(path)
                curated = (
                    read_coding_file(coding, document, self.registry, self.notations)
                    if coding.exists()
                    else None
                )
            except DipkgError as exc:
                yield _rejected(path.name, exc)
                continue
            try:
                yield self.ingest(store, document, curated)
            except DipkgError as exc:
                yield _rejected(document.id, exc)

    def ingest(
        self,
        store: Store,
        document: Document,
        curated: CodingFile | None = None,
        extraction: Extraction | None = None,
    ) -> Outcome:
        """Ingest one document into ``store``: all of its graph or nothing.

        Args:
            store: an open, writable store.
            document: the document.
            curated: its curated coding, if any (it wins over extraction), with the
                provisional actors and places it declares.
            extraction: its automatic extraction, if already made (else it is made here).

        Raises:
            ExtractionError: its automatic extraction failed (nothing was written).
            DipkgError: the store could not be read or written.
        """
        graph_iri = iris.document_graph_iri(self.base, document.id)
        previous = self._coding_source(store, graph_iri, document.id)
        if curated is None and previous == "curated":
            return Outcome(document.id, "kept", "automatic", reasons=["a curated coding is kept"])
        registry = self.registry
        actors: tuple[Actor, ...] = ()
        places: tuple[Place, ...] = ()
        unresolved: list[str] = []
        if curated is not None:
            coding, actors, places = curated.coding, curated.actors, curated.places
            registry = curated.registry(self.registry)
        else:
            extraction = extraction or self.extract(document)
            coding, actors, places = extraction.coding, extraction.actors, extraction.places
            registry = registry_with(self.registry, extraction)
            unresolved = [f"{u.span.text!r}: {u.reason}" for u in extraction.unresolved_dates]
        known = StoreKnown(store, registry, self.base, exclude=graph_iri)
        resolution = resolve([coding], registry, self.base, known)
        dataset = map_codings([coding], resolution, registry, self.base)
        graph = dataset.graph(graph_iri)
        for triple in map_registry(registry, self.base, actors, places):
            graph.add(triple)
        outcome = Outcome(
            document.id,
            "replaced" if previous else "added",
            coding.source,
            counts={
                "events": len(coding.events),
                "pledges": len(coding.pledges),
                "demands": len(coding.demands),
                "statements": len(coding.statements),
            },
            merged=sorted({str(n) for n in known.merged}),
            created=sorted(str(n.iri) for n in resolution.nodes if n.existing is None),
            provisional=[a.id for a in actors],
            unresolved=unresolved,
        )
        retired = retirements(store, dataset, self.base)
        report = self.validate(store, graph, graph_iri, resolution.retract, retired.cleared)
        if not report.conforms:
            outcome.status = "rejected"
            outcome.reasons = [_reason(r) for r in report.violations[:_MAX_REASONS]]
            return outcome
        store.replace_graphs(
            dataset, resolution.retract, [retirement_amendment(retired, self.base)]
        )
        outcome.retired = {str(r.iri): str(r.replacement or "") for r in retired.records}
        return outcome

    def extract(self, document: Document) -> Extraction:
        """Extract one document automatically; whatever goes wrong is that document's
        rejection.

        Raises:
            ExtractionError: past the time limit, or any fault inside extraction.
        """
        try:
            return self.extractor.extract(document)
        except DipkgError:
            raise  # it says what went wrong already (the time limit among them)
        except Exception as exc:
            # The one broad catch of ingest: a fault in extraction (a bug, a pathological
            # parse) must not cost the batch: the document is rejected with it, the next goes on.
            raise ExtractionError.from_fault(exc) from exc

    def validate(
        self,
        store: Store,
        graph: Graph,
        graph_iri: URIRef,
        retract: Sequence[tuple[URIRef, URIRef]] = (),
        revived: Iterable[URIRef] = (),
    ) -> ValidationReport:
        """SHACL on the nodes of the document's graph, with its neighbourhood in the store
        (every node it names, followed outwards, without the values ``retract`` supersedes
        and the records of the retired IRIs it ``revived``) and the vocabulary as context:
        the cost follows the document, not the store."""
        nodes = graph_nodes(graph)
        data = Graph()
        for triple in neighbourhood(store, nodes, exclude=graph_iri):
            data.add(triple)
        for subject, predicate in retract:
            data.remove((subject, predicate, None))
        for subject in revived:
            data.remove((subject, RDF.type, DIP.RetiredResource))
            data.remove((subject, DCTERMS.isReplacedBy, None))
        for triple in graph:
            data.add(triple)
        return self.gate.validate(data, nodes)

    def _coding_source(self, store: Store, graph_iri: URIRef, document_id: str) -> str | None:
        document = iris.document_iri(self.base, document_id)
        rows = store.query(internal_query("coding-source", graph=graph_iri, document=document)).rows
        if rows:
            return str(rows[0][0])
        exists = store.query(internal_query("graph-exists", graph=graph_iri)).boolean
        return "curated" if exists else None  # graphs from before coding sources: curated


def read_article(path: Path, metadata: Mapping[str, object] | None = None) -> Document:
    """Read one article file to ingest or extract (sidecar metadata and ``metadata`` options;
    without a publication date, relative dates stay unresolved).

    Raises:
        InputError: the file, its metadata or its name is unusable.
    """
    document = read_document(path, metadata=metadata, require_metadata=False)
    if not is_document_id(document.id):
        raise InputError(
            f"{path}: the file name gives the document id {document.id!r}, which may "
            "only hold 1-100 letters, digits, '_', '.' and '-' (not first).",
            hint="Rename the file (its name without extension is the document's id).",
        )
    return document


def _rejected(name: str, exc: DipkgError) -> Outcome:
    reason = exc.message + (f" {exc.hint}" if exc.hint else "")
    return Outcome(name.split(".", 1)[0], "rejected", reasons=[reason])


def _reason(result: ValidationResult) -> str:
    where = f"{result.focus} ({result.path})" if result.path else result.focus
    return f"{where}: {result.message}"


def document_files(arguments: Iterable[Path]) -> list[Path]:
    """The document files named, directories expanded to the documents in them (sorted).

    Raises:
        UsageError: a path does not exist, or a directory holds no documents.
    """
    paths: list[Path] = []
    for argument in arguments:
        if argument.is_dir():
            found = sorted(p for p in argument.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES)
            if not found:
                raise UsageError(
                    f"{argument}: no documents ({', '.join(DOCUMENT_SUFFIXES)}) in it."
                )
            paths.extend(found)
        elif argument.exists():
            paths.append(argument)
        else:
            raise UsageError(f"{argument}: no such file or directory.")
    return paths


def render_outcomes(outcomes: Sequence[Outcome]) -> str:
    """A table, one row per document, then the totals and every rejection's reasons."""
    header: tuple[str, ...] = ("document", "status", "source", "events", "pledges", "demands")
    header += ("statements", "merged", "provisional")
    rows = [header] + [
        (
            o.document,
            o.status,
            o.source,
            *(str(o.counts.get(k, "")) for k in header[3:7]),
            str(len(o.merged)),
            str(len(o.provisional)),
        )
        for o in outcomes
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    statuses = [o.status for o in outcomes]
    totals = ", ".join(
        f"{s} {statuses.count(s)}" for s in ("added", "replaced", "kept", "rejected")
    )
    lines.append(
        f"{totals}; {sum(len(o.merged) for o in outcomes)} merged into existing nodes; "
        f"{len({a for o in outcomes for a in o.provisional})} provisional actor(s) to curate."
    )
    for o in outcomes:
        if o.status == "rejected":
            lines.append(f"rejected {o.document}:")
            lines.extend(f"  - {reason}" for reason in o.reasons)
        for date in o.unresolved:
            lines.append(f"unresolved date in {o.document}: {date}")
    return "\n".join(lines) + "\n"
