"""Stores behind one interface: the embedded on-disk Oxigraph store (default) and any SPARQL
1.1 server (:mod:`kg.store.remote`).

``open_store(location)`` and ``writing(location)`` are the only ways the rest of dipkg gets a
store; the ``store`` setting decides which kind (a directory, or a URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg import netguard
from kg.store import embedded
from kg.store.base import QueryResult, Store
from kg.store.embedded import EmbeddedStore
from kg.store.remote import RemoteStore, is_remote

__all__ = ["EmbeddedStore", "QueryResult", "RemoteStore", "Store", "open_store", "writing"]


def open_store(
    location: str | Path, *, read_only: bool = False, auth: str = ""
) -> EmbeddedStore | RemoteStore:
    """Open the store at ``location``: a directory, or a SPARQL server's URL(s).

    Args:
        location: the ``store`` setting.
        read_only: for the embedded store, open without the write lock.
        auth: credentials of a remote store (the ``store_auth`` setting).

    Raises:
        StoreError: it cannot be opened (or its setting is malformed).
    """
    if is_remote(str(location)):
        store = RemoteStore(str(location), auth=auth)
        netguard.allow(*store.endpoints.host)  # the one server the operator configured
        return store
    return EmbeddedStore(location, read_only=read_only)


@contextmanager
def writing(
    location: str | Path, *, timeout: float = 60.0, auth: str = ""
) -> Iterator[EmbeddedStore | RemoteStore]:
    """The store opened for writing: an embedded one once no other dipkg process writes to it
    (see :func:`kg.store.embedded.writing`); a remote one as is (its server orders writes).

    Raises:
        StoreError: the store is missing or busy.
    """
    if is_remote(str(location)):
        store = open_store(location, auth=auth)
        store.add_merge()  # type: ignore[union-attr]
        yield store
        return
    with embedded.writing(location, timeout) as store:
        yield store
