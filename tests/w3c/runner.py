"""Runs the vendored W3C SPARQL tests twice: through dipkg and on bare pyoxigraph.

dipkg's column goes the way a user's query goes: a POST to ``/sparql`` of an app in process
(Flask's client), so the gate, the executor's confined query process and the result
serialisers all take part; the answer is asked for in the expected result's own format (XML for
.srx, JSON for .srj, CSV, TSV; JSON for a result set written in RDF; N-Triples for a graph).
Bare pyoxigraph's column loads the same files into a ``pyoxigraph.Store`` and runs the query
directly, serialised by pyoxigraph's own writers. Both answers are read back by
:mod:`tests.w3c.compare`, so a test dipkg fails and pyoxigraph passes is dipkg's fault.

The dataset is the manifest's, exactly: dipkg's own writers keep the store's default graph as the
merge of its named graphs, so the runner writes each dataset below that API
(:attr:`EmbeddedStore.oxigraph` inside :func:`kg.store.writing`, which publishes a view that
the query process moves to before its next query). Tests that share a dataset run together on
one publication of it, and one app and one query process serve the whole suite.

The SPARQL Protocol has no base-IRI parameter, so the runner puts the query file's IRI in a
``BASE`` line in front of the query (the base a retrieved query would have, RFC 3986 5.1.3);
bare pyoxigraph gets it as ``base_iri``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask.testing import FlaskClient

from kg.config import Settings
from kg.errors import QueryError
from kg.formats import get_format
from kg.store import writing
from kg.store.embedded import EmbeddedStore
from kg.store.gate import check_query
from server import create_app
from tests.w3c.compare import (
    RESULT_FORMATS,
    Answer,
    difference,
    is_ordered,
    read_body,
    read_expected,
)
from tests.w3c.manifest import DataFiles, Entry, file_iri


@dataclass(frozen=True, slots=True)
class Verdict:
    """One column's result for one test: ``pass``, ``fail``, ``skip`` or ``policy`` (refused
    by design), and why."""

    status: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A test's verdicts through dipkg and on bare pyoxigraph; for a syntax test, whether the
    gate alone refused the query (the engine's parser refuses the rest)."""

    entry: Entry
    dipkg: Verdict
    bare: Verdict
    gate_refused: bool | None = None


def run_suite(entries: list[Entry], workdir: Path) -> list[Outcome]:
    """Run ``entries`` (skipped ones are reported as skipped) with a store in ``workdir``."""
    groups: dict[DataFiles, list[Entry]] = {}
    outcomes: dict[str, Outcome] = {}
    for entry in entries:
        if entry.skip:
            outcomes[entry.id] = Outcome(
                entry, Verdict("skip", entry.skip), Verdict("skip", entry.skip)
            )
        else:
            groups.setdefault(entry.dataset, []).append(entry)
    with _dipkg_client(workdir / "store") as (client, store_path):
        for dataset, group in groups.items():
            engine = ox.Store()
            loaded = _load_both(store_path, engine, dataset)
            for entry in group:
                outcomes[entry.id] = _run(entry, client, engine, loaded)
    return [outcomes[entry.id] for entry in entries]


@contextmanager
def _dipkg_client(store_path: Path) -> Iterator[tuple[FlaskClient, Path]]:
    EmbeddedStore(store_path).close()
    settings = dataclasses.replace(Settings(), store=str(store_path), query_processes=1)
    app = create_app(settings)
    try:
        yield app.test_client(), store_path
    finally:
        app.extensions["dipkg"].executor.close()


def load_dataset(engine: ox.Store, dataset: DataFiles) -> None:
    """Load a test's files into ``engine``: ``default`` into its default graph, each of
    ``named`` into the named graph of the file's IRI (blank nodes apart per file).

    Raises:
        SyntaxError: a file does not parse.
    """
    for path, graph in [(p, None) for p in dataset.default] + [(p, p) for p in dataset.named]:
        options = {} if graph is None else {"to_graph": ox.NamedNode(file_iri(graph))}
        fmt = ox.RdfFormat.from_extension(path.suffix[1:])
        engine.load(path=str(path), format=fmt, base_iri=file_iri(path), **options)  # type: ignore[arg-type]


def _load_both(store_path: Path, engine: ox.Store, dataset: DataFiles) -> str:
    """Publish ``dataset`` as the whole of dipkg's store and load it into ``engine``; "" or
    why it does not load."""
    try:
        load_dataset(engine, dataset)
        with writing(store_path) as store:
            exact = store.oxigraph  # below the API: the default graph as the test says
            exact.clear()
            load_dataset(exact, dataset)
    except SyntaxError as exc:
        return f"the data does not load: {exc}"
    return ""


def _run(entry: Entry, client: FlaskClient, engine: ox.Store, load_error: str) -> Outcome:
    text = entry.query.read_text(encoding="utf-8")
    if entry.policy:
        return Outcome(entry, _dipkg_policy(client, entry, text), Verdict("skip", _NETWORK))
    if entry.kind != "evaluation":
        return _syntax(entry, client, text)
    if load_error:
        return Outcome(entry, Verdict("fail", load_error), Verdict("fail", load_error))
    assert entry.result is not None
    expected = read_expected(entry.result)
    ordered = is_ordered(text)
    fmt = RESULT_FORMATS.get(entry.result.suffix, "json") if expected.kind != "graph" else "nt"
    dipkg = _judge(expected, _dipkg_answer(client, entry, text, fmt), ordered, entry.lax)
    bare = _judge(expected, _bare_answer(engine, entry, text, fmt), ordered, entry.lax)
    return Outcome(entry, dipkg, bare)


_EVALUATION_FAILED = "The query failed:"  # kg.store.embedded.engine_error's words
_NETWORK = "SERVICE: bare pyoxigraph would send the request to the network"


def _judge(expected: Answer, actual: Answer | str, ordered: bool, lax: bool) -> Verdict:
    if isinstance(actual, str):
        return Verdict("fail", actual)
    reason = difference(expected, actual, ordered=ordered, lax=lax)
    return Verdict("pass") if reason is None else Verdict("fail", reason)


def _post(
    client: FlaskClient, entry: Entry, text: str, media_type: str | None = None
) -> tuple[int, bytes, str]:
    """POST the query (with its base) to /sparql: the status, the body, a problem's detail."""
    headers = {"Accept": media_type} if media_type else {}
    query = f"BASE <{file_iri(entry.query)}>\n{text}"
    response = client.post(
        "/sparql",
        data=query.encode("utf-8"),
        content_type="application/sparql-query",
        headers=headers,
    )
    detail = ""
    if response.status_code != 200:
        problem = response.get_json(silent=True) or {}
        detail = str(problem.get("detail", response.get_data(as_text=True)[:200]))
    return response.status_code, response.get_data(), detail


def _dipkg_answer(client: FlaskClient, entry: Entry, text: str, fmt: str) -> Answer | str:
    status, body, detail = _post(client, entry, text, get_format(fmt).media_type)
    if status != 200:
        return f"HTTP {status}: {detail}"
    try:
        return read_body(body, fmt)
    except Exception as exc:  # any parser's error: the body is not what its format says
        return f"the {fmt} body does not parse: {exc}"


def _bare_answer(engine: ox.Store, entry: Entry, text: str, fmt: str) -> Answer | str:
    try:
        result = engine.query(text, base_iri=file_iri(entry.query))
        if isinstance(result, ox.QueryTriples):
            return read_body(ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b"", "nt")
        results_fmt = fmt if fmt != "nt" else "json"
        writer = getattr(ox.QueryResultsFormat, str(get_format(results_fmt).oxigraph))
        return read_body(result.serialize(format=writer) or b"", results_fmt)
    except (SyntaxError, OSError, RuntimeError) as exc:
        return f"pyoxigraph: {type(exc).__name__}: {exc}"


def _dipkg_policy(client: FlaskClient, entry: Entry, text: str) -> Verdict:
    status, _, detail = _post(client, entry, text)
    if status == 400 and "SERVICE" in detail:
        return Verdict("policy", "refused by the gate (SERVICE)")
    return Verdict("fail", f"SERVICE not refused: HTTP {status} {detail}")


def _syntax(entry: Entry, client: FlaskClient, text: str) -> Outcome:
    positive = entry.kind == "positive-syntax"
    try:
        check_query(text)
        gate_refused = False
    except QueryError:
        gate_refused = True
    status, _, detail = _post(client, entry, text)
    # a syntax test is about parsing: a query that parses and then fails to evaluate (a custom
    # function neither engine knows) has passed it
    parsed = status == 200 or detail.startswith(_EVALUATION_FAILED)
    if positive:
        dipkg = Verdict("pass") if parsed else Verdict("fail", f"refused: HTTP {status}: {detail}")
    else:
        dipkg = Verdict("fail", f"accepted: HTTP {status}") if parsed else Verdict("pass")
    try:
        ox.Store().query(text, base_iri=file_iri(entry.query))
        error = ""
    except SyntaxError as exc:
        error = str(exc)
    except RuntimeError:  # parsed, then failed to evaluate
        error = ""
    if positive:
        bare = Verdict("fail", f"refused: {error}") if error else Verdict("pass")
    else:
        bare = Verdict("pass") if error else Verdict("fail", "accepted")
    return Outcome(entry, dipkg, bare, gate_refused)
