"""The remote store: any SPARQL 1.1 server (Oxigraph server, Fuseki, Virtuoso, GraphDB, QLever)
behind the same interface as the embedded store.

Queries go through SPARQLWrapper; writes are one SPARQL 1.1 Update request per
:meth:`RemoteStore.replace_graphs` (the server runs it as one transaction, so a reader sees
all of a document or none); bulk loads and dumps stream N-Quads through the Graph Store
Protocol. The location is one setting (see :func:`endpoints`); credentials come from the
``store_auth`` setting. As in the embedded store, the server's default graph holds the RDF merge
of the named graphs, each distinct triple once, kept by dipkg's own updates: the server must
answer queries without FROM from its default graph itself, not from a union of its graphs
(Oxigraph's and Fuseki's default; Virtuoso with ``DefaultGraph`` set): docs/remote-stores.md.
"""

from __future__ import annotations

import base64
import io
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from kg.errors import QueryError, StoreError
from kg.formats import get_format
from kg.store.base import Amendment, QueryResult, replacement_update
from kg.store.gate import check_query
from kg.store.terms import dataset_quads, to_rdflib


@dataclass(frozen=True)
class Endpoints:
    """Where a remote store answers: SPARQL query, SPARQL update, Graph Store Protocol; and
    whether the server's default graph is its own (dipkg keeps the merge there) or the union
    of its graphs (Virtuoso: then dipkg writes only the named graphs)."""

    query: str
    update: str
    store: str
    union: bool = False

    @property
    def host(self) -> tuple[str, int]:
        """The host and port of the store (all three are expected on one server)."""
        parts = urlsplit(self.query)
        return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def is_remote(location: str) -> bool:
    """Whether a ``store`` setting names a remote store rather than a directory."""
    return location.startswith(("http://", "https://", "query="))


def endpoints(location: str) -> Endpoints:
    """Read the ``store`` setting of a remote store.

    Either an Oxigraph server's base URL (``http://host:7878``: ``/query``, ``/update``,
    ``/store``), or a small table ``query=URL;update=URL;store=URL`` for any other server.

    Raises:
        StoreError: the table lacks one of the three, or a URL is not http(s).
    """
    if not location.startswith("query="):
        base = location.rstrip("/")
        return Endpoints(f"{base}/query", f"{base}/update", f"{base}/store")
    table = dict(part.strip().partition("=")[::2] for part in location.split(";") if part.strip())
    unknown = sorted(set(table) - {"query", "update", "store", "default"})
    if unknown or table.get("default", "merge") not in ("merge", "union"):
        raise StoreError(
            f"The store setting has {unknown[0] if unknown else 'default=' + table['default']}.",
            hint="Write it as query=URL;update=URL;store=URL, optionally ;default=union for a "
            "server whose default graph is the union of its graphs (docs/remote-stores.md).",
        )
    missing = [k for k in ("query", "update", "store") if not table.get(k)]
    if missing:
        raise StoreError(
            f"The store setting lacks {', '.join(missing)}.",
            hint="Write it as query=URL;update=URL;store=URL (see docs/remote-stores.md).",
        )
    for key in ("query", "update", "store"):
        if not table[key].startswith(("http://", "https://")):
            raise StoreError(f"The store setting's {key} URL is not http(s): {table[key]!r}.")
    union = table.get("default") == "union"
    return Endpoints(table["query"], table["update"], table["store"], union)


class RemoteStore:
    """A store on a SPARQL server.

    Args:
        location: the ``store`` setting (see :func:`endpoints`).
        auth: ``basic USER:PASSWORD`` or ``bearer TOKEN`` (the ``store_auth`` setting), or "".
        timeout: seconds before a request to the server is abandoned.
    """

    def __init__(self, location: str, *, auth: str = "", timeout: float = 30.0) -> None:
        self.endpoints = endpoints(location)
        self.timeout = timeout
        self._headers = _auth_headers(auth)

    # -- queries --------------------------------------------------------------------------

    def _wrapper(self, url: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url, agent="dipkg")
        wrapper.setMethod(POST)
        wrapper.setTimeout(int(self.timeout) or 1)
        for name, value in self._headers.items():
            wrapper.addCustomHttpHeader(name, value)
        return wrapper

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a query on the server; see :class:`kg.store.base.Store`.

        Raises:
            QueryError: the server says the query is malformed.
            StoreError: the server is down, slow, refuses the credentials or fails.
        """
        wrapper = self._wrapper(self.endpoints.query)
        wrapper.setQuery(sparql)
        # SPARQLWrapper guesses the form with a regular expression that variable names such as
        # ?_addressee fool ("ADD"); the gate's tokenizer skips strings, IRIs and comments.
        wrapper.queryType = check_query(sparql, max_chars=len(sparql)).form.upper()
        for uri in default_graph_uris:
            wrapper.addDefaultGraph(uri)
        for uri in named_graph_uris:
            wrapper.addNamedGraph(uri)
        graph_form = wrapper.queryType in ("CONSTRUCT", "DESCRIBE")
        wrapper.setReturnFormat(TURTLE if graph_form else JSON)
        result = self._send(wrapper)
        if graph_form:
            assert isinstance(result, bytes | str)  # SPARQLWrapper's Turtle is the raw body
            graph = Graph()
            for triple in ox.parse(result, format=ox.RdfFormat.TURTLE):
                if max_rows is not None and len(graph) >= max_rows:
                    return QueryResult("graph", graph=graph, truncated=True)
                graph.add(
                    (
                        to_rdflib(triple.subject),
                        to_rdflib(triple.predicate),
                        to_rdflib(triple.object),
                    )  # type: ignore[arg-type]
                )
            return QueryResult("graph", graph=graph)
        assert isinstance(result, dict)  # SPARQLWrapper converts JSON results to a dict
        if "boolean" in result:
            return QueryResult("ask", boolean=bool(result["boolean"]))
        variables = list(result["head"].get("vars", []))
        rows: list[tuple[Node | None, ...]] = []
        truncated = False
        for binding in result["results"]["bindings"]:
            if max_rows is not None and len(rows) >= max_rows:
                truncated = True
                break
            rows.append(tuple(json_term(binding.get(v)) for v in variables))
        return QueryResult("select", variables, rows, truncated=truncated)

    def _send(self, wrapper: SPARQLWrapper) -> object:
        try:
            return wrapper.queryAndConvert()
        except QueryBadFormed as exc:
            raise QueryError(f"The store says the query is malformed: {exc}") from exc
        except (SPARQLWrapperException, urllib.error.URLError, OSError) as exc:
            raise self._unavailable(exc) from exc

    def _unavailable(self, exc: Exception) -> StoreError:
        reason = "timed out" if isinstance(exc, socket.timeout | TimeoutError) else str(exc)
        return StoreError(
            f"The store at {self.endpoints.query} did not answer: {reason}",
            hint="Check that the SPARQL server is running and reachable, then try again.",
        )

    # -- writes ---------------------------------------------------------------------------

    def replace_graphs(
        self,
        dataset: Dataset,
        retract: Sequence[tuple[URIRef, URIRef]] = (),
        amend: Sequence[Amendment] = (),
    ) -> None:
        """Replace the dataset's named graphs in one SPARQL Update request (one transaction
        on the server), first deleting each ``(subject, predicate)`` of ``retract``, then
        making the changes of ``amend``."""
        update = replacement_update(dataset, retract, amend, merge=not self.endpoints.union)
        if update:
            self._request(
                self.endpoints.update, update.encode("utf-8"), "application/sparql-update"
            )

    def bulk_add(self, dataset: Dataset) -> None:
        """Add a dataset through the Graph Store Protocol as one N-Quads body."""
        out = io.BytesIO()
        quads = dataset_quads(dataset, merge=not self.endpoints.union)
        ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)
        self._request(self.endpoints.store, out.getvalue(), "application/n-quads")

    def _request(
        self, url: str, body: bytes | None, content_type: str | None, accept: str | None = None
    ) -> IO[bytes]:
        headers = dict(self._headers)
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        method = "POST" if body is not None else "GET"
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)  # type: ignore[no-any-return]
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace")
            if 400 <= exc.code < 500 and exc.code not in (401, 403, 404, 408, 429):
                raise QueryError(f"The store refused the request ({exc.code}): {detail}") from exc
            raise self._unavailable(exc) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise self._unavailable(exc) from exc

    # -- reading the whole store ----------------------------------------------------------

    def graph_names(self) -> list[URIRef]:
        """The named graphs on the server, sorted."""
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
        return sorted(URIRef(str(row[0])) for row in rows)

    def __len__(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows
        return int(str(rows[0][0])) if rows and rows[0][0] is not None else 0

    def triple_count(self) -> int:
        """The distinct triples of the store: the size of the default graph, the merge."""
        rows = self.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        ).rows
        return int(str(rows[0][0])) if rows and rows[0][0] is not None else 0

    def add_merge(self) -> None:
        """Fill the server's default graph with the merge of its named graphs if it is empty
        (after a load by the server's own bulk loader); nothing on a union server."""
        if self.endpoints.union or self.query("ASK { ?s ?p ?o }").boolean:
            return
        if self.query("ASK { GRAPH ?g { ?s ?p ?o } }").boolean:
            update = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
            self._request(
                self.endpoints.update, update.encode("utf-8"), "application/sparql-update"
            )

    def dump(self, out: IO[bytes], rdf_format: str) -> None:
        """Stream the server's named graphs (``nq``, ``trig``) or their merge, the default
        graph (``nt``, ``ttl``), read through the Graph Store Protocol, to ``out``."""
        fmt = get_format(rdf_format, "rdf")
        if not fmt.has_graphs:
            url = self.endpoints.store + ("" if self.endpoints.union else "?default")
            with self._request(url, None, None, fmt.media_type) as response:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
            return
        nquads = get_format("nq").media_type
        with self._request(self.endpoints.store, None, None, nquads) as response:
            named = (
                q
                for q in ox.parse(response, format=ox.RdfFormat.N_QUADS)
                if not isinstance(q.graph_name, ox.DefaultGraph)
            )
            ox.serialize(named, out, format=getattr(ox.RdfFormat, str(fmt.oxigraph)))

    def graph_triples(self, graph: URIRef) -> Iterator[tuple[Node, Node, Node]]:
        """One named graph's triples (GSP GET), as rdflib terms; none for a graph the server
        does not have (it answers 404: SPARQL 1.1 Graph Store Protocol 5.2)."""
        url = f"{self.endpoints.store}?{urlencode({'graph': str(graph)})}"
        try:
            response = self._request(url, None, None, "application/n-triples")
        except StoreError as exc:
            if isinstance(exc.__cause__, urllib.error.HTTPError) and exc.__cause__.code == 404:
                return
            raise
        with response:
            for t in ox.parse(response, format=ox.RdfFormat.N_TRIPLES):
                yield to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)  # type: ignore[misc]

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node | None]]:
        """Every quad of the server's named graphs (the merge in its default graph is not
        data of its own)."""
        with self._request(self.endpoints.store, None, None, "application/n-quads") as response:
            for q in ox.parse(response, format=ox.RdfFormat.N_QUADS):
                if not isinstance(q.graph_name, ox.DefaultGraph):
                    graph = to_rdflib(q.graph_name)
                    yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), graph  # type: ignore[misc]

    def refresh(self) -> bool:
        """Nothing to reopen: every request sees the server's current state."""
        return False

    def reopen(self) -> bool:
        """Nothing to reopen (False): a failed request is not retried."""
        return False

    def close(self) -> None:
        """Nothing to release (no connection is kept)."""


def json_term(binding: dict[str, str] | None) -> Node | None:
    """A SPARQL JSON result binding as an rdflib term."""
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    return Literal(value, datatype=binding.get("datatype"))


def _auth_headers(auth: str) -> dict[str, str]:
    """HTTP headers for the ``store_auth`` setting.

    Raises:
        StoreError: the setting is neither ``basic USER:PASSWORD`` nor ``bearer TOKEN``.
    """
    if not auth:
        return {}
    scheme, _, secret = auth.strip().partition(" ")
    if scheme.lower() == "bearer" and secret:
        return {"Authorization": f"Bearer {secret.strip()}"}
    if scheme.lower() == "basic" and ":" in secret:
        token = base64.b64encode(secret.strip().encode("utf-8")).decode("ascii")
        return {"Authorization": f"Basic {token}"}
    raise StoreError(
        "The store_auth setting is neither 'basic USER:PASSWORD' nor 'bearer TOKEN'.",
        hint="Set DIPKG_STORE_AUTH accordingly, or leave it empty.",
    )
