"""Per-process services: the query executor over the store, the saved queries, the resolver.

The Flask app keeps no other state, so several worker processes (or replicas) serve one store.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from kg.config import Settings
from kg.query.saved import SavedQuery, TermResolver, load_queries
from kg.store.executor import QueryExecutor


@dataclass
class Services:
    """What a request handler needs."""

    settings: Settings
    executor: QueryExecutor
    queries: dict[str, SavedQuery]
    resolver: TermResolver


def init_app(app: Flask) -> None:
    """Create the services for ``app`` (the query worker starts on the first query)."""
    settings: Settings = app.config["DIPKG_SETTINGS"]
    executor = QueryExecutor(
        settings.store,
        settings.query_timeout,
        settings.store_auth,
        settings.queue_wait,
        settings.query_processes,
        memory=settings.query_memory_mb * 2**20,
        context=settings.ontology_dir / "context.jsonld",
    )
    app.extensions["dipkg"] = Services(
        settings=settings,
        executor=executor,
        queries=load_queries(settings.queries_dir),
        resolver=TermResolver(executor, settings.base_iri),
    )


def get_services() -> Services:
    """The services of the current app."""
    return current_app.extensions["dipkg"]  # type: ignore[no-any-return]
