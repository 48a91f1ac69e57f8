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

from rdflib import Dataset, Graph, URIRef

from kg import iris
from kg.config import Settings
from kg.errors import DipkgError, ExtractionError, InputError, UsageError
from kg.extract import Extraction, Extractor, registry_with
from kg.extract.detection import DEFAULT_DESIGN
from kg.flows.validate import ENGINES, Gate
from kg.flows.workers import AheadPool, ExtractionPool, extract_guarded
from kg.flows.write import (
    begin_change,
    index_graphs,
    retirement_amendment,
    write_recorded,
    written_graphs,
)
from kg.formats import DOCUMENT_SUFFIXES
from kg.query.internal import internal_query
from kg.rdf.mapping import change_node, map_codings, map_registry
from kg.rdf.ontology import scheme_notations
from kg.rdf.validation import ValidationReport, ValidationResult, validate_in_store
from kg.records import Actor, Document, Place, Vocabulary
from kg.resolve import Resolution, resolve
from kg.resolve.candidates import StoreKnown
from kg.resolve.renaming import graphs_naming, rename_graph
from kg.resolve.retirement import retirements
from kg.sources.articles import is_document_id, read_document
from kg.sources.coding import CodingFile, coding_path, read_coding_file
from kg.sources.registry import Registry, load_registry
from kg.store.base import Store

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
        change: the IRI of the change that wrote it in the graph of changes ("" when
            nothing was written).
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
    change: str = ""

    def as_json(self) -> dict[str, object]:
        """The outcome as plain JSON values."""
        return dataclasses.asdict(self)


class Ingester:
    """Ingests documents into a store; reuse one for many documents (the vocabulary, shapes,
    registry and spaCy pipeline are loaded once).

    Args:
        settings: base IRI, ontology and corpus directories.
        registry_path: the actor registry (default: the corpus's ``registry.yaml``).
        detection: the design of extraction (:mod:`kg.extract.detection`; ``None``: its
            default).
        engine: the SHACL gate's engine (:data:`kg.flows.validate.ENGINES`).
    """

    def __init__(
        self,
        settings: Settings,
        registry_path: Path | None = None,
        detection: str | None = None,
        engine: str = ENGINES[0],
    ) -> None:
        self.settings = settings
        self.detection = detection
        self.base = settings.base_iri
        self.gate = Gate(settings, engine)
        self.notations = scheme_notations(self.gate.vocabulary)
        path = registry_path or settings.corpus_dir / "registry.yaml"
        self.registry = base = load_registry(path)
        if settings.registry_additions:
            self.registry = load_registry(path, settings.registry_additions)
        self.additions = frozenset(self.registry.actors.keys() - base.actors.keys())
        """Ids of the actors the review queue accepted (the registry graph lacks them: each
        document's graph describes those it names)."""

    @cached_property
    def extractor(self) -> Extractor:
        """The extractor (spaCy's pipeline loads on its first document)."""
        return Extractor(
            self.registry,
            self.notations,
            self.settings.extract_timeout,
            detection=self.detection or DEFAULT_DESIGN,
        )

    def read(self, path: Path, metadata: Mapping[str, object] | None = None) -> Document:
        """Read one document file, as :func:`read_article`."""
        return read_article(path, metadata)

    def ingest_file(
        self,
        store: Store,
        path: Path,
        metadata: Mapping[str, object] | None = None,
        agent: str = "cli",
    ) -> Outcome:
        """Ingest one file; a problem with it is an outcome, never an exception."""
        return next(self.ingest_many(store, [path], metadata, agent))

    def ingest_many(
        self,
        store: Store,
        paths: Sequence[Path],
        metadata: Mapping[str, object] | None = None,
        agent: str = "cli",
        jobs: int = 1,
        cluster: str | None = None,
    ) -> Iterator[Outcome]:
        """Ingest files in order, each in its own transaction (recorded as made by
        ``agent``). A problem with one file, its extraction included, is its outcome
        (``rejected``), never an exception.

        With ``jobs`` > 1 and more than one file, automatic extraction runs ahead in that many
        worker processes (:mod:`kg.flows.workers`); with ``cluster`` (a Dask scheduler's
        address, or ``local:N``), on that cluster's workers (:mod:`kg.flows.cluster`).
        Everything else stays here, in order, so the outcomes and the store are those of
        ``jobs=1``.

        Raises:
            UsageError: ``cluster`` is malformed, or Dask distributed is not installed.
            ClusterError: the cluster cannot be reached, or went away mid-batch (the
                documents before were written).
        """
        prepared = (self._prepare(path, metadata) for path in paths)
        timeout, detection = self.settings.extract_timeout, self.detection or DEFAULT_DESIGN
        pool: AheadPool
        if cluster is not None:
            pool = _cluster_pool(self.registry, self.notations, timeout, cluster, detection)
        elif jobs > 1 and len(paths) > 1:
            pool = ExtractionPool(self.registry, self.notations, timeout, jobs, detection)
        else:
            for item in prepared:
                yield self._finish(store, item, None, agent)
            return
        for item, extraction in pool.ordered(prepared, _to_extract):
            yield self._finish(store, item, extraction, agent)

    def _prepare(self, path: Path, metadata: Mapping[str, object] | None) -> _Prepared:
        try:
            document = self.read(path, metadata)
            coding = coding_path(path)
            curated = (
                read_coding_file(coding, document, self.registry, self.notations)
                if coding.exists()
                else None
            )
        except DipkgError as exc:
            return _Prepared(None, None, _rejected(path.name, exc))
        return _Prepared(document, curated)

    def _finish(
        self,
        store: Store,
        item: _Prepared,
        extraction: Extraction | ExtractionError | None,
        agent: str,
    ) -> Outcome:
        if item.rejection is not None:
            return item.rejection
        assert item.document is not None
        try:
            if isinstance(extraction, ExtractionError):
                raise extraction
            return self.ingest(store, item.document, item.curated, extraction, agent)
        except DipkgError as exc:
            return _rejected(item.document.id, exc)

    def ingest(
        self,
        store: Store,
        document: Document,
        curated: CodingFile | None = None,
        extraction: Extraction | None = None,
        agent: str = "cli",
        kind: str | None = None,
        note: str = "",
    ) -> Outcome:
        """Ingest one document into ``store``: all of its graph or nothing, recorded in the
        graph of changes (an ``ingest``, or a ``replace`` of an earlier version, unless
        ``kind`` names the change) as made by ``agent``.

        Args:
            store: an open, writable store.
            document: the document.
            curated: its curated coding, if any (it wins over extraction), with the
                provisional actors and places it declares.
            extraction: its automatic extraction, if already made (else it is made here).
            agent: ``cli``, or the name of the write token of the request.
            kind: the change kind to record instead (``review``: a reviewer's decision).
            note: what the change did, in words, for the graph of changes.

        Raises:
            ExtractionError: its automatic extraction failed (nothing was written).
            DipkgError: the store could not be read or written.
        """
        graph_iri = iris.document_graph_iri(self.base, document.id)
        previous = self._coding_source(store, graph_iri, document.id)
        change = (
            begin_change(kind or "replace", agent, replaced=(document.id,))
            if previous
            else begin_change(kind or "ingest", agent, added=(document.id,))
        )
        change = dataclasses.replace(change, note=note)
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
        accepted = sorted(coding.actor_ids & self.additions - {a.id for a in actors})
        actors = (*actors, *(registry.actors[i] for i in accepted))
        known = StoreKnown(store, registry, self.base, exclude=graph_iri)
        resolution = resolve([coding], registry, self.base, known)
        dataset = map_codings([coding], resolution, registry, self.base)
        graph = dataset.graph(graph_iri)
        for triple in map_registry(registry, self.base, actors, places):
            graph.add(triple)
        rewritten = self._rename(store, dataset, graph_iri, resolution)
        outcome = Outcome(
            document.id,
            "replaced" if previous else "added",
            coding.source,
            counts={
                "events": len(coding.events),
                "pledges": len(coding.pledges),
                "demands": len(coding.demands),
                "statements": len(coding.statements),
                "responses": len(coding.responses),
            },
            merged=sorted({str(n) for n in known.merged}),
            created=sorted(str(n.iri) for n in resolution.nodes if n.existing is None),
            provisional=[a.id for a in actors],
            unresolved=unresolved,
        )
        retired = retirements(store, dataset, self.base)
        report = self.validate(
            store,
            dataset.graph(graph_iri),
            graph_iri,
            resolution.retract,
            retired.cleared,
            rewritten,
        )
        if not report.conforms:
            outcome.status = "rejected"
            outcome.reasons = [_reason(r) for r in report.violations[:_MAX_REASONS]]
            return outcome
        written = write_recorded(
            store,
            dataset,
            change,
            self.base,
            resolution.retract,
            [retirement_amendment(retired, self.base)],
        )
        outcome.change = str(change_node(written, self.base))
        index_graphs(self.settings, store, written_graphs(dataset))
        outcome.retired = {str(r.iri): str(r.replacement or "") for r in retired.records}
        return outcome

    def extract(self, document: Document) -> Extraction:
        """Extract one document automatically; whatever goes wrong is that document's
        rejection.

        Raises:
            ExtractionError: past the time limit, or any fault inside extraction.
        """
        return extract_guarded(self.extractor, document)

    def _rename(
        self, store: Store, dataset: Dataset, graph_iri: URIRef, resolution: Resolution
    ) -> dict[URIRef, Graph]:
        """Apply the resolution's renames (:mod:`kg.resolve.renaming`) to the document's
        graph and to every other graph that names a renamed node, which join ``dataset`` to
        be replaced in the same write; those graphs, rewritten, by name."""
        if not resolution.renames:
            return {}
        renames = resolution.renames
        own = dataset.graph(graph_iri)
        renamed = rename_graph(list(own), renames)
        own.remove((None, None, None))
        for triple in renamed:
            own.add(triple)
        rewritten = {}
        for name in graphs_naming(store, renames, exclude=graph_iri):
            graph = rename_graph(store.graph_triples(name), renames, resolution.retract)
            target = dataset.graph(name)
            for triple in graph:
                target.add(triple)
            rewritten[name] = graph
        return rewritten

    def validate(
        self,
        store: Store,
        graph: Graph,
        graph_iri: URIRef,
        retract: Sequence[tuple[URIRef, URIRef]] = (),
        revived: Iterable[URIRef] = (),
        rewritten: Mapping[URIRef, Graph] | None = None,
    ) -> ValidationReport:
        """SHACL on the document's graph and the ``rewritten`` graphs of other documents that
        name a node it ``renames``, all about to be written, with their neighbourhood in the
        store outside those graphs (:func:`kg.rdf.validation.validate_in_store`), by the
        gate's engine."""
        graph_names = [graph_iri, *(rewritten or {})]
        data = graph
        if rewritten:
            data = Graph()
            for triples in (graph, *rewritten.values()):
                for triple in triples:
                    data.add(triple)
        return validate_in_store(store, data, graph_names, self.gate, retract, revived)

    def _coding_source(self, store: Store, graph_iri: URIRef, document_id: str) -> str | None:
        document = iris.document_iri(self.base, document_id)
        rows = store.query(internal_query("coding-source", graph=graph_iri, document=document)).rows
        if rows:
            return str(rows[0][0])
        exists = store.query(internal_query("graph-exists", graph=graph_iri)).boolean
        return "curated" if exists else None  # graphs from before coding sources: curated


@dataclass(frozen=True)
class _Prepared:
    """One file read for ingest: its document and curated coding, or why it was rejected."""

    document: Document | None
    curated: CodingFile | None
    rejection: Outcome | None = None


def _cluster_pool(
    registry: Registry, vocabulary: Vocabulary, timeout: float | None, address: str, detection: str
) -> AheadPool:
    """Extraction on the Dask cluster at ``address`` (:class:`kg.flows.cluster.ClusterPool`).

    Raises:
        UsageError: Dask distributed (the ``cluster`` extra) is not installed.
    """
    try:
        from kg.flows.cluster import ClusterPool
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("dask", "distributed"):
            raise
        raise UsageError(
            f"--cluster needs Dask distributed, which is not installed ({exc}).",
            hint="pip install 'dipkg[cluster]', here and on every worker.",
        ) from exc
    return ClusterPool(registry, vocabulary, timeout, address, detection)


def _to_extract(item: _Prepared) -> Document | None:
    """The document of ``item`` if it needs automatic extraction."""
    return item.document if item.curated is None and item.rejection is None else None


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
