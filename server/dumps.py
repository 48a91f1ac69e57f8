"""Blueprint for the whole graph at once: ``/dump.{extension}`` (streamed from a temporary
file; ``/dump.nq``, ``/dump.csv``, ``/dump.polecat.csv``...) and the VoID description at
``/.well-known/void``."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from flask import Blueprint, Response, request
from rdflib import Graph, URIRef

from kg.formats import DUMP_BY_EXTENSION
from kg.query.export import export
from kg.store import open_store
from server.negotiation import choose_format
from server.problems import ProblemError
from server.responses import graph_body
from server.services import get_services
from server.void import add_void

blueprint = Blueprint("dumps", __name__)


@blueprint.route("/dump.<ext>")
def dump(ext: str) -> Response:
    """The whole graph in one format, streamed from a temporary file."""
    fmt = DUMP_BY_EXTENSION.get(ext)
    if fmt is None:
        known = ", ".join("/dump." + e for e in DUMP_BY_EXTENSION)
        raise ProblemError(404, "unknown-dump", f"No dump in {ext!r}; available: {known}.")
    settings = get_services().settings
    spool = tempfile.TemporaryFile()
    store = open_store(settings.store, read_only=True, auth=settings.store_auth)
    try:
        export(store, fmt.name, spool, settings.ontology_dir / "context.jsonld")
    finally:
        store.close()
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(1 << 16):
                yield block

    response = Response(chunks(), mimetype=fmt.media_type)
    response.headers["Content-Disposition"] = f'inline; filename="dipkg.{ext}"'
    return response


@blueprint.route("/.well-known/void")
def void() -> Response:
    """The VoID description of the dataset: counts, dumps, endpoint, vocabularies."""
    fmt = choose_format("rdf", request.args.get("format"), "ttl")
    return Response(graph_body(void_description(), fmt), mimetype=fmt.media_type)


def void_description() -> Graph:
    """VoID: triples, entities per class, dumps, endpoint, vocabularies, URI space."""
    graph = Graph()
    add_void(graph, URIRef(get_services().settings.server_url + "/.well-known/void#dataset"))
    return graph
