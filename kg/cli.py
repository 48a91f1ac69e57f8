"""The ``dipkg`` command line: each command parses options, calls one library function, and
maps :class:`~kg.errors.DipkgError` to ``error:``/``hint:`` on stderr and its exit code.

Exit codes: 0 done; 1 ran and found problems; 2 could not run.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kg.config import Settings
from kg.errors import DipkgError, UsageError
from kg.flows.build import build
from kg.flows.load import bulk_load, load_files
from kg.flows.release import release
from kg.flows.validate import ENGINES, validate_files, validate_stored
from kg.flows.write import update_index, writing_indexed
from kg.formats import DUMP_FORMATS, names
from kg.netguard import forbid_network
from kg.query.export import export
from kg.query.results import render
from kg.query.saved import TermResolver, get_query, load_queries, page_of, run_saved_query
from kg.query.search import SearchIndex, index_follows, index_path
from kg.rdf.ontology import load_vocabulary
from kg.store import open_store, store_exists

F = TypeVar("F", bound=Callable[..., Any])


def _handle_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DipkgError as exc:
            click.echo(f"error: {exc.message}", err=True)
            if exc.hint:
                click.echo(f"hint: {exc.hint}", err=True)
            report = getattr(exc, "report", None)
            if report is not None:
                click.echo(report.render("text"), err=True, nl=False)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


store_option = click.option(
    "--store", "store", default=None, help="Embedded store directory (default: var/store)."
)


def registry_option(help_text: str) -> Callable[[F], F]:
    """``--registry FILE``, passed as ``registry_path``."""
    return click.option(
        "--registry",
        "registry_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help=help_text,
    )


def _settings(**overrides: object) -> Settings:
    return Settings.from_env(None, **overrides)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dipkg")
def cli() -> None:
    """dipkg: a knowledge graph of diplomatic meetings, pledges, demands and statements."""


@cli.command("build")
@click.option("--corpus", type=click.Path(path_type=Path), default=None, help="Corpus directory.")
@store_option
@_handle_errors
def build_command(corpus: Path | None, store: str | None) -> None:
    """Build the graph from a corpus (default: the bundled corpus/)."""
    settings = _settings(store=store)
    summary = build(settings, corpus)
    click.echo(
        f"built {settings.store}: {summary.documents} document(s), {summary.graphs} graph(s), "
        f"{summary.quads} quads; SHACL: conforms ({len(summary.report.warnings)} warning(s))."
    )


@cli.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--graph", "graph", default=None, help="Named graph for files without graphs.")
@click.option(
    "--bulk",
    is_flag=True,
    help="Make a new store with Oxigraph's bulk loader (N-Quads, TriG, N-Triples, Turtle; "
    "no SHACL: run `dipkg validate` after).",
)
@store_option
@_handle_errors
def load_command(files: tuple[Path, ...], graph: str | None, bulk: bool, store: str | None) -> None:
    """Add existing RDF (Turtle, TriG, N-Triples, N-Quads, JSON-LD) to the store.

    Named graphs in the files (and --graph) are replaced whole; all files land in one
    transaction or none does. With --bulk the files make a new store, streamed through
    Oxigraph's bulk loader (for dumps and large graphs; the store is built beside its
    place and appears whole or not at all).
    """
    settings = _settings(store=store)
    if bulk:
        quads = bulk_load(settings, files, graph)
        click.echo(
            f"bulk-loaded {len(files)} file(s) into a new store at {settings.store}: {quads} "
            f"quads. SHACL was not run: `dipkg validate --store {settings.store}` checks it."
        )
        return
    loaded = load_files(settings, files, graph)
    click.echo(f"loaded {len(files)} file(s) into {settings.store}; {loaded} quads.")


@cli.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "junit"]),
    default="text",
    show_default=True,
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=min(4, len(os.sched_getaffinity(0))),
    show_default="the usable CPUs, at most 4",
    help="pySHACL: processes checking a store's batches side by side (about 250 MB each).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default=ENGINES[0],
    show_default=True,
    help="sparql: the shapes as SPARQL queries the store runs; pyshacl: the reference engine.",
)
@store_option
@_handle_errors
def validate_command(
    files: tuple[Path, ...], fmt: str, jobs: int, engine: str, store: str | None
) -> None:
    """Check the store (or RDF files) against the SHACL shapes; exit 1 on violations.

    The SPARQL engine runs the shapes' queries in the store itself. pySHACL checks a store a
    batch of named graphs at a time, each with its neighbourhood, in --jobs processes, so
    memory follows the batch, not the store.
    """
    settings = _settings(store=store)
    if files:
        report = validate_files(settings, files, engine)
    else:
        report = validate_stored(settings, jobs, engine=engine)
    click.echo(report.render(fmt), nl=False)
    sys.exit(0 if report.conforms else 1)


@cli.command("query")
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="A parameter.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(names("results")),
    default="csv",
    show_default=True,
)
@store_option
@_handle_errors
def query_command(name: str, params: tuple[str, ...], fmt: str, store: str | None) -> None:
    """Run a saved query without a server; results to stdout."""
    settings = _settings(store=store)
    query = get_query(load_queries(settings.queries_dir), name)
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--param {item!r} is not KEY=VALUE.", hint="e.g. --param actor=Xi")
        values[key] = value
    source = open_store(settings.store, read_only=True, auth=settings.store_auth)
    try:
        resolver = TermResolver(source, settings.base_iri)
        result = run_saved_query(source, query, values, resolver, max_rows=settings.max_rows)
    finally:
        source.close()
    sys.stdout.buffer.write(render(result, fmt))
    if result.truncated:
        click.echo(f"warning: result cut at {settings.max_rows} rows (max_rows).", err=True)
    page = page_of(query, values, settings.max_rows)
    if page and page.full(len(result.rows)):
        click.echo(
            f"note: page {page.number} is full; there may be more: --param page={page.number + 1}"
            " (or a larger --param pageSize=N).",
            err=True,
        )


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(DUMP_FORMATS), required=True)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="File (default stdout).")
@store_option
@_handle_errors
def export_command(fmt: str, out: Path | None, store: str | None) -> None:
    """Write the whole graph in one format."""
    settings = _settings(store=store)
    source = open_store(settings.store, read_only=True, auth=settings.store_auth)
    try:
        context = settings.ontology_dir / "context.jsonld"
        if out is None:
            export(source, fmt, sys.stdout.buffer, context)
        else:
            try:
                stream = out.open("wb")
            except OSError as exc:
                raise UsageError(
                    f"{out}: cannot write the export there ({exc.strerror}).",
                    hint="Pass --out with a file in a directory you can write.",
                ) from exc
            with stream:
                export(source, fmt, stream, context)
    finally:
        source.close()


@cli.command("release")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Releases directory (default: the releases_dir setting, var/releases).",
)
@click.option("--version", "version", default=None, help="Release name (default: today, UTC).")
@store_option
@_handle_errors
def release_command(out: Path | None, version: str | None, store: str | None) -> None:
    """Write a versioned release of the graph: N-Quads, TriG, JSON-LD, the CSV event table,
    the POLECAT- and CAMEO-shaped tables, SHA256SUMS and a DCAT-AP description (dcat.ttl)."""
    settings = _settings(store=store)
    made = release(settings, out, version)
    click.echo(f"released {made.version} to {made.directory}: {len(made.files)} file(s).")
    for entry in made.files:
        click.echo(f"{entry.sha256}  {entry.name}  ({entry.size} bytes)")


def _in_own_process(flow: Callable[[Settings], object], settings: Settings) -> None:
    """Run a flow that writes the store in a fresh (spawned) process, and exit with its code if
    it failed: a process that opened the store for writing must not fork the server's workers
    (RocksDB's background threads do not survive a fork, and a worker's first write then
    waited for them forever)."""
    process = multiprocessing.get_context("spawn").Process(
        target=_run_flow, args=(flow, settings), name=f"dipkg {flow.__name__}"
    )
    process.start()
    process.join()
    if process.exitcode:
        sys.exit(process.exitcode)


@_handle_errors
def _run_flow(flow: Callable[[Settings], object], settings: Settings) -> None:
    forbid_network()
    flow(settings)


@cli.command("serve")
@store_option
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to bind (default 8000).")
@click.option("--workers", type=int, default=None, help="WSGI worker processes.")
@_handle_errors
def serve_command(
    store: str | None, host: str | None, port: int | None, workers: int | None
) -> None:
    """Serve the SPARQL endpoint, saved-query API and pages (production WSGI server).

    With no store yet, builds one from the bundled corpus first.
    """
    settings = _settings(store=store, host=host, port=port, workers=workers)
    for secret in ("DIPKG_WRITE_TOKEN", "DIPKG_STORE_AUTH"):
        os.environ.pop(secret, None)  # the settings object carries them; no child inherits
    if not store_exists(settings.store):
        click.echo(
            f"no store at {settings.store}; building it from {settings.corpus_dir}", err=True
        )
        _in_own_process(build, settings)
    elif index_path(settings) is not None and index_follows(settings) is False:
        click.echo(f"the search index is missing or behind {settings.store}: rebuilding", err=True)
        _in_own_process(update_index, settings)
    from server.serve import run_server  # the HTTP layer is only imported to serve

    run_server(settings)


@cli.command("index")
@store_option
@_handle_errors
def index_command(store: str | None) -> None:
    """Rebuild the full-text search index whole from the store.

    Every write (build, ingest, load) keeps the index up to date; this is for an index that
    was removed, damaged, or made by another program's writes to a remote store.
    """
    settings = _settings(store=store)
    path = index_path(settings)
    if path is None:
        raise UsageError(
            f"{settings.store} is a remote store, and no search index is set.",
            hint="Set DIPKG_SEARCH_INDEX to the index file's path.",
        )
    update_index(settings, rebuild=True)
    with SearchIndex(path) as index:
        count = len(index)
    click.echo(f"indexed {count} resource(s) of {settings.store} in {path}.")


@cli.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--title", default=None, help="Title (one file; else from the sidecar or page).")
@click.option("--published", default=None, help="Publication date, ISO 8601 (one file).")
@click.option("--language", default=None, help="Language tag (default en).")
@click.option("--url", default=None, help="Where the article was published (one file).")
@registry_option("Actor registry (default: the corpus's registry.yaml).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes extracting articles ahead of the writer (default: one per core).",
)
@click.option(
    "--cluster",
    metavar="ADDRESS|local:N",
    default=None,
    help="Extract on a Dask cluster instead: its scheduler's address (tcp://HOST:8786), or "
    "local:N worker processes on this machine (docs/cluster.md).",
)
@store_option
@_handle_errors
def ingest_command(
    files: tuple[Path, ...],
    title: str | None,
    published: str | None,
    language: str | None,
    url: str | None,
    registry_path: Path | None,
    fmt: str,
    jobs: int | None,
    cluster: str | None,
    store: str | None,
) -> None:
    """Add articles (text, Markdown, HTML; files or directories) to the graph.

    Each document's facts come from its curated coding beside it, else from automatic
    extraction (in --jobs processes, or on the workers of a Dask --cluster); each is resolved
    against the graph, checked with SHACL and written whole, in order, or rejected whole with
    the reasons. Exit 1 if any document was rejected.
    """
    from kg.flows.ingest import Ingester, Outcome, document_files, render_outcomes
    from kg.flows.workers import default_jobs

    settings = _settings(store=store)
    paths = document_files(files)
    metadata = {"title": title, "published": published, "language": language, "url": url}
    if len(paths) > 1 and (title or published or url):
        raise UsageError(
            "--title, --published and --url describe one document; several were given.",
            hint="Put each document's metadata in its .meta.yaml sidecar instead.",
        )
    if jobs is not None and cluster is not None:
        raise UsageError(
            "--jobs and --cluster both say where to extract; give one.",
            hint="--cluster local:N runs N workers on this machine.",
        )
    ingester = Ingester(settings, registry_path)
    with writing_indexed(settings) as target:
        outcomes: list[Outcome] = []
        started = time.monotonic()

        def rate(_: object) -> str:
            return f"{len(outcomes) / max(time.monotonic() - started, 1e-9):.1f} articles/s"

        with click.progressbar(
            length=len(paths),
            label="ingesting",
            file=sys.stderr,
            show_pos=True,
            item_show_func=rate,
        ) as bar:
            for outcome in ingester.ingest_many(
                target, paths, metadata, jobs=jobs or default_jobs(), cluster=cluster
            ):
                outcomes.append(outcome)
                bar.update(1, outcome)
        click.echo(f"{len(outcomes)} article(s), {rate(None)}", err=True)
    if fmt == "json":
        click.echo(json.dumps([o.as_json() for o in outcomes], indent=2))
    else:
        click.echo(render_outcomes(outcomes), nl=False)
    sys.exit(1 if any(o.status == "rejected" for o in outcomes) else 0)


@cli.command("remove")
@click.argument("documents", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@store_option
@_handle_errors
def remove_command(documents: tuple[str, ...], fmt: str, store: str | None) -> None:
    """Take documents (ids or IRIs) out of the graph, in one transaction.

    Each document's graph goes, and its mentions with it: events, pledges, demands and
    statements other documents also report keep theirs; what only these documents
    supported answers 410 Gone. What is left is checked with SHACL; a removal that would
    leave a violation is refused whole (exit 1). An unknown document changes nothing (exit 2).
    """
    from kg.flows.remove import remove_documents

    settings = _settings(store=store)
    with writing_indexed(settings) as target:
        removal = remove_documents(target, settings, documents)
    if fmt == "json":
        click.echo(json.dumps(removal.as_json(), indent=2))
        return
    click.echo(
        f"removed {', '.join(removal.documents)}: {removal.triples_removed} triples; "
        f"{len(removal.kept)} merged node(s) keep other documents' mentions; "
        f"{len(removal.gone)} IRI(s) now answer 410 Gone; change {removal.change}"
    )


@cli.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Directory for the {document id}.coding.yaml files (made if missing); without it, "
    "one file's coding goes to stdout.",
)
@click.option("--force", is_flag=True, help="Replace coding files that exist in --out.")
@registry_option("Actor registry (default: the corpus's registry.yaml).")
@_handle_errors
def extract_command(
    files: tuple[Path, ...], out: Path | None, force: bool, registry_path: Path | None
) -> None:
    """Write each article's automatic coding as an editable .coding.yaml to review.

    Takes what `dipkg ingest` takes (text, Markdown, HTML with a .meta.yaml sidecar; files
    or directories). Reviewed and saved beside its article (--out the article's directory),
    the file is the article's curated coding for `dipkg ingest`. Exit 1 if some document
    could not be extracted (the others are still written).
    """
    from kg.flows.extract import CodingDrafter, save_draft
    from kg.flows.ingest import document_files

    paths = document_files(files)
    if out is None and len(paths) > 1:
        raise UsageError(
            f"{len(paths)} documents and no --out: stdout takes one coding.",
            hint="Give --out DIR; the articles' own directory makes each coding the one "
            "`dipkg ingest` takes.",
        )
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{out}: cannot be made a directory ({exc.strerror}).") from exc
    drafter = CodingDrafter(_settings(), registry_path)
    failed = 0
    for draft in drafter.draft_many(paths):
        try:
            if draft.error is not None:
                raise DipkgError(draft.error)
            if out is None:
                click.echo(draft.text, nl=False)
                continue
            target = save_draft(draft, out, overwrite=force)
        except DipkgError as exc:
            failed += 1
            click.echo(f"error: {exc.message}", err=True)
            if exc.hint:
                click.echo(f"hint: {exc.hint}", err=True)
            continue
        counts = ", ".join(f"{n} {kind}" for kind, n in draft.counts.items())
        click.echo(
            f"wrote {target}: {counts}; {len(draft.provisional)} provisional actor(s), "
            f"{len(draft.provisional_places)} provisional place(s)",
            err=True,
        )
    if out is not None and failed < len(paths):
        click.echo(
            "next: review each coding, put it beside its article, then `dipkg ingest ARTICLE`.",
            err=True,
        )
    sys.exit(1 if failed else 0)


@cli.command("eval")
@click.argument("gold_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--per-document",
    is_flag=True,
    help="Add a line per document and its misses (not for the sealed eval/test).",
)
@click.option(
    "--misses",
    is_flag=True,
    help="Print only the per-fact diff: each missed, extra and wrongly dated fact "
    "(training splits only: refused for the sealed eval/test).",
)
@registry_option(
    "Actor registry (default: corpus/registry.yaml); GOLD_DIR/registry-extra.yaml is added."
)
@click.option(
    "--without-extra",
    is_flag=True,
    help="Extract without GOLD_DIR/registry-extra.yaml: the people it adds become provisional.",
)
@click.option(
    "--by-rule",
    is_flag=True,
    help="Extract with every rule (also unused ones) and add each rule's true and false positives.",
)
@click.option(
    "--write-counts",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --by-rule: write the rule counts that rate extracted facts (from eval/train only).",
)
@click.option(
    "--detection",
    type=click.Choice(["rules", "learned"]),
    help="Which facts stay: by their rule's record alone (rules), or also by the trained "
    "sentence classifier (learned); default: the design extraction ships with.",
)
@_handle_errors
def eval_command(
    gold_dir: Path,
    fmt: str,
    per_document: bool,
    misses: bool,
    registry_path: Path | None,
    without_extra: bool,
    by_rule: bool,
    write_counts: Path | None,
    detection: str | None,
) -> None:
    """Score automatic extraction against the gold codings in GOLD_DIR (P/R/F1 per kind)."""
    from kg.flows.evaluate import evaluate, gold_registry, is_sealed, write_rule_counts
    from kg.rdf.ontology import scheme_notations
    from kg.sources.registry import load_registry

    settings = _settings()
    if not gold_dir.is_dir():
        raise UsageError(f"{gold_dir}: not a directory.", hint="Give a directory of gold codings.")
    if (misses or per_document) and is_sealed(gold_dir):
        raise UsageError(
            f"{gold_dir}: the sealed test split is scored, never listed fact by fact.",
            hint="Drop --misses/--per-document, or list the misses of eval/train.",
        )
    base = registry_path or settings.corpus_dir / "registry.yaml"
    registry = gold_registry(gold_dir, base)
    vocabulary = scheme_notations(load_vocabulary(settings.ontology_dir))
    if write_counts is not None and not by_rule:
        raise UsageError("--write-counts needs --by-rule.", hint="Add --by-rule.")
    extraction_registry = load_registry(base) if without_extra else None
    report = evaluate(
        gold_dir,
        registry,
        vocabulary,
        extraction_registry=extraction_registry,
        every_rule=by_rule,
        timeout=settings.extract_timeout,
        detection=detection,
    )
    if misses:
        click.echo(report.render_misses(), nl=False)
    else:
        click.echo(report.render(fmt, per_document=per_document), nl=False)
    if by_rule:
        click.echo("\n" + report.render_rules(), nl=False)
    if write_counts is not None:
        command = f"dipkg eval {gold_dir.as_posix()} --by-rule --write-counts {write_counts}"
        write_rule_counts(report, write_counts, command)
    sys.exit(1 if report.failures else 0)


def main() -> None:
    """Console-script entry point: no command makes a network connection."""
    forbid_network()
    cli(prog_name="dipkg")
