"""Stores behind one interface: the embedded on-disk Oxigraph store (default).

``open_store(location)`` is the only way the rest of dipkg gets a store.
"""

from __future__ import annotations

from pathlib import Path

from kg.store.base import QueryResult, Store
from kg.store.embedded import EmbeddedStore, writing

__all__ = ["EmbeddedStore", "QueryResult", "Store", "open_store", "writing"]


def open_store(location: str | Path, *, read_only: bool = False) -> EmbeddedStore:
    """Open the store at ``location`` (a directory path).

    Raises:
        StoreError: it cannot be opened.
    """
    return EmbeddedStore(location, read_only=read_only)
