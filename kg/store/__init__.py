"""Stores behind one interface: the embedded on-disk Oxigraph store (default) and any SPARQL
1.1 server (:mod:`kg.store.remote`).

``open_store(location)`` and ``writing(location)`` are the only ways the rest of dipkg gets a
store; the ``store`` setting decides which kind (a directory, or a URL).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg import netguard
from kg.store import embedded
from kg.store.base import QueryResult, Store
from kg.store.embedded import EmbeddedStore
from kg.store.remote import RemoteStore, is_remote

__all__ = [
    "EmbeddedStore",
    "QueryResult",
    "Store",
    "changed_at",
    "is_remote",
    "memory_store",
    "open_store",
    "staged_store",
    "store_exists",
    "writing",
]


def store_exists(location: str | Path) -> bool:
    """Whether there is a store at ``location`` (a remote store is taken to exist)."""
    return is_remote(str(location)) or (Path(location) / "CURRENT").exists()


def changed_at(location: str | Path) -> int | None:
    """When the store last changed (nanoseconds since the epoch), for validators such as HTTP's
    ``ETag``; None when that cannot be known: no store yet, or a remote store (other clients
    write to its server without telling dipkg)."""
    if is_remote(str(location)):
        return None
    return embedded.changed_at(location)


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


def memory_store() -> EmbeddedStore:
    """A new empty store in memory, for scratch work (the SHACL gate's)."""
    return EmbeddedStore(None)


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
        store.add_merge()
        yield store
        return
    with embedded.writing(location, timeout) as store:
        yield store


@contextmanager
def staged_store(target: Path) -> Iterator[EmbeddedStore]:
    """A new embedded store in a sibling directory of ``target``, moved into place when the
    block ends without an error; otherwise (or after a crash) ``target`` is as it was.

    The store is compacted before the move: Oxigraph's bulk loader leaves its files as loaded,
    and every lookup then searches all of them (saved queries at 10M triples were 4-12x slower
    before compaction, bench/RESULTS.md)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        store = EmbeddedStore(staging)
        try:
            yield store
            store.compact()
        finally:
            store.close()
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
