"""The full-text search index: SQLite FTS5 over the graph's actors, events, pledges, demands,
statements and documents, ranked by BM25 with names weighted above sentence text.

The index is derived from the graph, never written by hand: :meth:`SearchIndex.rebuild`
reads every entry from the store (``search-entries.rq``, ``graph-resources.rq``), and
:meth:`SearchIndex.refresh_graphs` re-reads only the resources that the named graphs just
replaced or removed state something about (it remembers which graph mentions which resource,
so a resource another document still reports keeps its row, with that document's sentences).
One row per resource: its names (label, title, aliases, identifier) in one column, its texts
(content, quote, evidence sentences) in the other; ``bm25(10, 1)``.

The file lives beside an embedded store (``{store}.search.sqlite``) or where the
``search_index`` setting says (needed for a remote store). It records the store's change time
it was brought up to date with (:meth:`SearchIndex.mark`), so a reader can tell an index that
fell behind the store (:meth:`SearchIndex.is_current`).

User text is never FTS5 syntax: each word becomes a quoted FTS5 string (a trailing ``*`` makes
it a prefix), the words all required, so any text is a valid query
(https://www.sqlite.org/fts5.html#full_text_query_syntax).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from kg.config import Settings
from kg.errors import QueryError, StoreError
from kg.query.internal import internal_query
from kg.store import changed_at, is_remote
from kg.store.base import Queryable
from kg.vocab import DIP

KINDS: dict[str, URIRef] = {
    "actor": DIP.Actor,
    "event": DIP.Event,
    "pledge": DIP.Pledge,
    "demand": DIP.Demand,
    "statement": DIP.Statement,
    "document": DIP.SourceDocument,
}
"""The kinds of resource the index holds (the ``type`` of a search), with their classes."""

MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters: never in indexed text
MAX_QUERY_CHARS = 500
MAX_HITS, MAX_OFFSET = 100, 10_000  # most hits a search returns, most it skips (paging)
_NAME_WEIGHT, _TEXT_WEIGHT = 10.0, 1.0
_CHUNK = 400  # resources per VALUES list when re-reading entries from the store
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS resources (
    id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, label TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS entries USING fts5(
    names, text, tokenize='unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS mentions (
    graph TEXT NOT NULL, iri TEXT NOT NULL, PRIMARY KEY (graph, iri)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mentions_iri ON mentions (iri);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO entries (entries, rank)
    VALUES ('rank', 'bm25({_NAME_WEIGHT}, {_TEXT_WEIGHT})');
"""


class SearchIndexError(StoreError):
    """The search index is missing, unreadable or cannot be written."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One resource as the index holds it: its kind, the label shown, its names and texts."""

    iri: str
    kind: str
    label: str
    names: tuple[str, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: ``snippet`` is the best-matching stretch of text, the matched words
    between :data:`MARK_START` and :data:`MARK_END`; ``score`` is BM25, higher is better."""

    iri: str
    kind: str
    label: str
    snippet: str
    score: float


def check_fts5() -> None:
    """Fail clearly when Python's SQLite lacks FTS5.

    Raises:
        SearchIndexError: FTS5 is not compiled into this SQLite.
    """
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.OperationalError as exc:
        raise SearchIndexError(
            f"SQLite {sqlite3.sqlite_version} in this Python has no FTS5 ({exc}).",
            hint="Use a Python whose sqlite3 module is built with FTS5 (the python.org and "
            "Debian builds are); search needs it.",
        ) from exc
    finally:
        connection.close()


def index_path(settings: Settings) -> Path | None:
    """Where the search index of ``settings``' store lives: the ``search_index`` setting, else
    ``{store}.search.sqlite`` beside an embedded store; None for a remote store without it."""
    if settings.search_index:
        return Path(settings.search_index)
    if is_remote(settings.store):
        return None
    store = Path(settings.store)
    return store.with_name(store.name + ".search.sqlite")


def index_follows(settings: Settings) -> bool | None:
    """Whether the search index of ``settings`` follows its store: False when it is missing or
    behind the store, None when that cannot be known (a remote store), True otherwise.

    Raises:
        SearchIndexError: the index file is not one.
    """
    path = index_path(settings)
    if path is None or not path.exists():
        return False
    with SearchIndex(path) as index:
        return index.is_current(changed_at(settings.store))


def match_expression(text: str) -> str:
    """The FTS5 query for what a person typed: every word required, each a quoted string
    (so no text is FTS5 syntax), a trailing ``*`` a prefix search.

    >>> print(match_expression('Xi  fent* OR -- say"no'))
    "Xi" "fent"* "OR" "say""no"

    Raises:
        QueryError: no word to search for, or the text is too long.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"The search text has {len(text)} characters; at most {MAX_QUERY_CHARS} are read.",
            parameter="q",
        )
    terms = []
    for word in text.split():
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if not any(c.isalnum() for c in word):
            continue  # punctuation only: the tokenizer would leave an empty phrase
        terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    if not terms:
        raise QueryError(
            f"Nothing to search for in {text!r}.",
            hint="Give a word or a name, e.g. q=fentanyl or q=Xi.",
            parameter="q",
        )
    return " ".join(terms)


class SearchIndex:
    """The SQLite file of the index, opened for reading or for writing.

    Args:
        path: the index file.
        writable: create the file and its tables if missing; otherwise open it read-only.

    Raises:
        SearchIndexError: a read-only index that does not exist, or a file that is not one.
    """

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        self.path = path
        try:
            if writable:
                check_fts5()
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.executescript(_SCHEMA)
            else:
                if not path.exists():
                    raise SearchIndexError(
                        f"{path}: there is no search index.",
                        hint="Run `dipkg index` to build it from the store.",
                    )
                self._db = sqlite3.connect(
                    f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=5
                )
                self._db.execute("SELECT 1 FROM meta LIMIT 1")
        except sqlite3.Error as exc:
            raise SearchIndexError(
                f"{path}: cannot open the search index ({exc}).",
                hint="Remove the file and run `dipkg index` to build it again.",
            ) from exc

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    # -- reading ----------------------------------------------------------------------------

    def search(
        self, text: str, kind: str | None = None, limit: int = 20, offset: int = 0
    ) -> list[Hit]:
        """The resources matching every word of ``text``, best first.

        Args:
            text: what a person typed (see :func:`match_expression`).
            kind: only resources of this kind (a key of :data:`KINDS`).
            limit: most hits returned.
            offset: hits skipped first (paging).

        Raises:
            QueryError: nothing to search for, or an unknown kind.
        """
        expression = match_expression(text)
        if kind is not None and kind not in KINDS:
            raise QueryError(f"Unknown type {kind!r}; known: {', '.join(KINDS)}.", parameter="type")
        sql = (
            "SELECT r.iri, r.kind, r.label, "
            f"snippet(entries, -1, '{MARK_START}', '{MARK_END}', '…', 24), -entries.rank "
            "FROM entries JOIN resources r ON r.id = entries.rowid WHERE entries MATCH ? "
            + ("AND r.kind = ? " if kind else "")
            + "ORDER BY entries.rank LIMIT ? OFFSET ?"
        )
        arguments: list[object] = [expression, *([kind] if kind else []), limit, offset]
        try:
            rows = self._db.execute(sql, arguments).fetchall()
        except sqlite3.OperationalError as exc:  # a quoted query parses: this is the file's
            raise SearchIndexError(f"{self.path}: the search failed ({exc}).") from exc
        return [Hit(iri, k, label, snippet, float(score)) for iri, k, label, snippet, score in rows]

    def stamp(self) -> int | None:
        """The store change time this index was last brought up to date with."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'store_changed'").fetchone()
        return int(row[0]) if row and row[0] else None

    def is_current(self, store_changed: int | None) -> bool | None:
        """Whether the index follows the store as of ``store_changed``
        (:func:`kg.store.changed_at`); None when that cannot be known (a remote store)."""
        if store_changed is None:
            return None
        return self.stamp() == store_changed

    def __len__(self) -> int:
        """The resources in the index."""
        return int(self._db.execute("SELECT count(*) FROM resources").fetchone()[0])

    # -- writing ----------------------------------------------------------------------------

    def put(self, entries: Iterable[Entry]) -> None:
        """Add or replace the rows of ``entries`` (one transaction)."""
        with self._transaction():
            self._put(entries)

    def drop(self, iris: Iterable[str]) -> None:
        """Remove the rows of ``iris`` (one transaction)."""
        with self._transaction():
            self._drop(iris)

    def rebuild(self, store: Queryable) -> int:
        """Replace the whole index with the store's entries; the resources indexed.

        Raises:
            DipkgError: the store could not be read (the index is as it was).
        """
        mentions = store.query(internal_query("graph-resources", **{"class": KINDS.values()}))
        entries = _entries(store, None)
        with self._transaction():
            self._db.execute("DELETE FROM mentions")
            self._db.execute("DELETE FROM resources")
            self._db.execute("DELETE FROM entries")
            self._db.executemany(
                "INSERT OR IGNORE INTO mentions (graph, iri) VALUES (?, ?)",
                ((str(g), str(r)) for g, r in mentions.rows),
            )
            self._put(entries)
            count = len(self)
        return count

    def refresh_graphs(self, store: Queryable, graphs: Sequence[URIRef]) -> None:
        """Bring the rows that the named ``graphs`` touch in line with the store, after those
        graphs were replaced or removed: the resources they state something about now, and
        those they did before, are read again from the store (a resource no graph describes
        any more leaves the index). Call it after the store's write committed.

        Raises:
            DipkgError: the store could not be read (the index is as it was).
        """
        if not graphs:
            return
        names = [str(g) for g in graphs]
        marks = ",".join("?" * len(names))
        before = {
            iri
            for (iri,) in self._db.execute(
                f"SELECT iri FROM mentions WHERE graph IN ({marks})", names
            )
        }
        now = store.query(
            internal_query("graph-resources", graph=graphs, **{"class": KINDS.values()})
        ).rows
        touched = sorted(before | {str(r) for _, r in now})
        found: list[Entry] = []
        for start in range(0, len(touched), _CHUNK):
            found.extend(_entries(store, [URIRef(i) for i in touched[start : start + _CHUNK]]))
        with self._transaction():
            self._db.execute(f"DELETE FROM mentions WHERE graph IN ({marks})", names)
            self._db.executemany(
                "INSERT OR IGNORE INTO mentions (graph, iri) VALUES (?, ?)",
                ((str(g), str(r)) for g, r in now),
            )
            kept = {e.iri for e in found}
            self._drop(i for i in touched if i not in kept)
            self._put(found)

    def mark(self, store_changed: int | None) -> None:
        """Record that the index follows the store as of ``store_changed``."""
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('store_changed', ?)",
                ("" if store_changed is None else str(store_changed),),
            )

    def _put(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            self._drop([entry.iri])
            cursor = self._db.execute(
                "INSERT INTO resources (iri, kind, label) VALUES (?, ?, ?)",
                (entry.iri, entry.kind, entry.label),
            )
            self._db.execute(
                "INSERT INTO entries (rowid, names, text) VALUES (?, ?, ?)",
                (cursor.lastrowid, _clean("; ".join(entry.names)), _clean("\n".join(entry.texts))),
            )

    def _drop(self, iris: Iterable[str]) -> None:
        for iri in iris:
            row = self._db.execute("SELECT id FROM resources WHERE iri = ?", (iri,)).fetchone()
            if row is not None:
                self._db.execute("DELETE FROM entries WHERE rowid = ?", row)
                self._db.execute("DELETE FROM resources WHERE id = ?", row)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self.path)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on an error), SQLite errors as
    :class:`SearchIndexError`."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db, self._path = db, path

    def __enter__(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise SearchIndexError(f"{self._path}: cannot write the search index ({exc}).") from exc

    def __exit__(self, kind: object, exc: object, traceback: object) -> None:
        if kind is not None:
            self._db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise SearchIndexError(
                    f"{self._path}: cannot write the search index ({exc})."
                ) from exc
            return
        self._db.execute("COMMIT")


def _clean(text: str) -> str:
    return text.replace(MARK_START, " ").replace(MARK_END, " ")


def _entries(store: Queryable, resources: Sequence[URIRef] | None) -> Iterator[Entry]:
    """The entries of ``resources`` (every resource when None), read from the store."""
    slots: dict[str, Iterable[URIRef]] = {"class": KINDS.values()}
    if resources is not None:
        if not resources:
            return
        slots["resource"] = resources
    kind_of = {str(c): k for k, c in KINDS.items()}
    gathered: dict[str, tuple[str, dict[str, dict[str, None]]]] = {}
    for resource, cls, field, text in store.query(internal_query("search-entries", **slots)).rows:
        kind, fields = gathered.setdefault(str(resource), (kind_of[str(cls)], {}))
        fields.setdefault(str(field), {})[str(text)] = None  # ordered, without duplicates
    for iri, (kind, fields) in gathered.items():
        label = next(iter(fields.get("label") or fields.get("title") or {iri: None}))
        names = [*fields.get("label", {}), *fields.get("title", {}), *fields.get("alias", {})]
        yield Entry(iri, kind, label, tuple(dict.fromkeys(names)), tuple(fields.get("text", {})))


def search_text(hit: Hit) -> Iterator[tuple[str, bool]]:
    """A hit's snippet as (text, is_match) pieces, for a page to mark the matches.

    >>> list(search_text(Hit("x", "event", "x", "a \\ue000b\\ue001 c", 1.0)))
    [('a ', False), ('b', True), (' c', False)]
    """
    for n, piece in enumerate(re.split(f"[{MARK_START}{MARK_END}]", hit.snippet)):
        if piece:
            yield piece, n % 2 == 1
