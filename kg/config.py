"""Settings: every knob of dipkg declared once, with its default and help.

Precedence: defaults < ``DIPKG_*`` environment variables < CLI flags or the object passed to
``server.create_app``. Only :meth:`Settings.from_env` reads ``os.environ``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from kg.errors import UsageError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _meta(help_text: str) -> dict[str, str]:
    return {"help": help_text}


@dataclass(frozen=True, slots=True)
class Settings:
    """Every dipkg setting; build one directly in tests, or from the environment."""

    store: str = field(
        default=str(PROJECT_ROOT / "var" / "store"),
        metadata=_meta("Embedded store directory (created on first build)."),
    )
    search_index: str = field(
        default="",
        metadata=_meta(
            "SQLite file of the full-text search index; default: {store}.search.sqlite beside "
            "an embedded store (a remote store needs it set, else search is off)."
        ),
    )
    base_iri: str = field(
        default="https://w3id.org/dipkg/id/",
        metadata=_meta("Base of every resource IRI; ends with '/'."),
    )
    corpus_dir: Path = field(
        default=PROJECT_ROOT / "corpus",
        metadata=_meta("Corpus directory: *.txt, *.meta.yaml, *.coding.yaml, registry.yaml."),
    )
    queries_dir: Path = field(
        default=PROJECT_ROOT / "queries", metadata=_meta("Saved queries, one .rq file each.")
    )
    ontology_dir: Path = field(
        default=PROJECT_ROOT / "ontology",
        metadata=_meta("Ontology, SKOS schemes, SHACL shapes and JSON-LD context."),
    )
    releases_dir: Path = field(
        default=PROJECT_ROOT / "var" / "releases",
        metadata=_meta(
            "Directory of data releases: `dipkg release` writes one sub-directory per version "
            "there, the server lists and serves them at /releases/."
        ),
    )
    host: str = field(default="127.0.0.1", metadata=_meta("Address `dipkg serve` binds."))
    port: int = field(default=8000, metadata=_meta("Port `dipkg serve` binds."))
    workers: int = field(default=2, metadata=_meta("WSGI worker processes."))
    threads: int = field(default=4, metadata=_meta("Request threads per worker."))
    query_processes: int = field(
        default=2,
        metadata=_meta(
            "Query processes per worker (one query each; a slow one blocks only itself)."
        ),
    )
    queue_wait: float = field(
        default=5.0,
        metadata=_meta("Seconds a query may wait for a free query process (503 after)."),
    )
    query_timeout: float = field(
        default=10.0, metadata=_meta("Seconds a query may run before it is stopped (503).")
    )
    query_memory_mb: int = field(
        default=2048,
        metadata=_meta(
            "Address space a query may add to its query process, in MiB (past it: 503); "
            "0: no limit."
        ),
    )
    extract_timeout: float = field(
        default=30.0,
        metadata=_meta(
            "Seconds automatic extraction may take over one document before that document is "
            "rejected (the batch goes on); 0: no limit."
        ),
    )
    max_rows: int = field(
        default=10000,
        metadata=_meta("Most result rows (or CONSTRUCT triples) returned; a cut result says so."),
    )
    cors_origins: str = field(
        default="*", metadata=_meta("Origins allowed by CORS on GET; empty disables CORS.")
    )
    public_url: str = field(
        default="",
        metadata=_meta(
            "URL the server is reached at (links, service description); default http://HOST:PORT."
        ),
    )
    header_timeout: float = field(
        default=10.0,
        metadata=_meta("Seconds a client may take to send a request's head (408 after)."),
    )
    body_timeout: float = field(
        default=30.0,
        metadata=_meta("Seconds a client may take to send a request's body (408 after)."),
    )
    keepalive_timeout: float = field(
        default=5.0, metadata=_meta("Seconds an idle kept-alive connection stays open.")
    )
    send_timeout: float = field(
        default=60.0,
        metadata=_meta("Seconds a client may take nothing of a response before it is dropped."),
    )
    client_connections: int = field(
        default=16, metadata=_meta("Open connections one client address may have (503 beyond).")
    )
    max_request_bytes: int = field(
        default=1_000_000, metadata=_meta("Largest request body accepted (413 above).")
    )
    max_query_chars: int = field(
        default=100_000, metadata=_meta("Longest SPARQL query text accepted (400 above).")
    )
    store_auth: str = field(
        default="",
        repr=False,
        metadata=_meta(
            "Credentials of a remote store: 'basic USER:PASSWORD' or 'bearer TOKEN' "
            "(set DIPKG_STORE_AUTH in the environment)."
        ),
    )
    write_token: str = field(
        default="",
        repr=False,
        metadata=_meta(
            "Bearer token for POST /api/documents and DELETE /api/documents/ID (writes over "
            "HTTP); empty: writes are off. "
            "Set it in the environment (DIPKG_WRITE_TOKEN); it is never logged."
        ),
    )

    review_dir: str = field(
        default="",
        metadata=_meta(
            "Directory of the review queue's work: reviewed codings, registry additions and "
            "the session secret; default: {store}.review beside an embedded store (a remote "
            "store needs it set, else the review queue is off)."
        ),
    )
    review_confidence: float = field(
        default=0.5,
        metadata=_meta("Automatic facts with a confidence below this go to the review queue."),
    )
    session_secret: str = field(
        default="",
        repr=False,
        metadata=_meta(
            "Key that signs the review queue's session cookie (DIPKG_SESSION_SECRET); empty: "
            "one is generated once and kept in the review directory."
        ),
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``DIPKG_*`` variables, then apply explicit overrides.

        Args:
            environ: the environment to read (default ``os.environ``).
            **overrides: values that win over the environment; ``None`` values are ignored.

        Raises:
            UsageError: a variable holds a value of the wrong kind.
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"DIPKG_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _coerce(f.name, f.default, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return dataclasses.replace(cls(), **values)  # type: ignore[arg-type]  # checked by _coerce

    @property
    def server_url(self) -> str:
        """The public URL of the server, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def review_path(self) -> Path | None:
        """Where the review queue keeps its work: ``review_dir``, else ``{store}.review``
        beside an embedded store; None for a remote store without it (the queue is off)."""
        from kg.store.remote import is_remote  # kg.store reads settings: imported late

        if self.review_dir:
            return Path(self.review_dir)
        if is_remote(self.store):
            return None
        store = Path(self.store)
        return store.with_name(store.name + ".review")

    @property
    def registry_additions(self) -> tuple[Path, ...]:
        """The registry files that add to the corpus's ``registry.yaml``: the review queue's
        accepted actors (``{review_path}/registry.yaml``), when there are any."""
        path = self.review_path
        additions = path / "registry.yaml" if path is not None else None
        return (additions,) if additions is not None and additions.exists() else ()

    @classmethod
    def describe(cls) -> list[tuple[str, object, str]]:
        """(name, default, help) for every setting, for docs and ``--help``."""
        return [(f.name, f.default, f.metadata["help"]) for f in fields(cls)]


def _coerce(name: str, default: object, raw: str) -> object:
    try:
        if isinstance(default, bool):
            return raw.lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path):
            return Path(raw)
    except ValueError as exc:
        raise UsageError(
            f"DIPKG_{name.upper()}={raw!r} is not a valid {type(default).__name__}.",
            hint=f"Set DIPKG_{name.upper()} to a value like {default!r}.",
        ) from exc
    return raw
