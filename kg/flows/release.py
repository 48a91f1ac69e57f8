"""Releases of the data: ``dipkg release`` writes one versioned directory of dumps (N-Quads,
TriG, JSON-LD, the CSV event table and the POLECAT- and CAMEO-shaped tables) with a
``SHA256SUMS`` file in the format ``sha256sum --check`` reads and a DCAT-AP description
(``dcat.ttl``: a ``dcat:Dataset`` with one ``dcat:Distribution`` per file, its download URL,
media type, size, SHA-256 checksum and licence, the events' temporal coverage and the issue
time), and ``CHANGES.ttl``, the records of the changes to the store since the release before
(the history of changes, ``dip:Change``). The directory is written beside its place and
renamed into it whole, so a release appears complete or not at all. The server lists and
serves releases at ``/releases/``.

DCAT-AP 2.1.1: https://semiceu.github.io/DCAT-AP/releases/2.1.1/ ; DCAT 2:
https://www.w3.org/TR/vocab-dcat-2/ ; SPDX checksums: https://spdx.org/rdf/terms/. DCAT-AP
2.1.1 admits SHA-1 alone as a checksum algorithm (its shapes: ``sh:hasValue
spdx:checksumAlgorithm_sha1``); a release gives SHA-256, as ``SHA256SUMS`` does and as DCAT-AP 3
allows, which is the one DCAT-AP 2.1.1 constraint its description does not meet.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, XSD
from rdflib.term import Node

from kg import __version__, iris
from kg.config import Settings
from kg.errors import InputError, UsageError
from kg.formats import get_format
from kg.query.export import export
from kg.query.internal import internal_query
from kg.store import open_store
from kg.store.base import Store
from kg.vocab import PREFIXES

SPDX = Namespace("http://spdx.org/rdf/terms#")
RELEASE_FORMATS = ("nq", "trig", "jsonld", "csv", "polecat", "cameo")
"""The dumps of a release, by format name, in the order they are listed."""
CHECKSUMS = "SHA256SUMS"
DESCRIPTION = "dcat.ttl"
CHANGES = "CHANGES.ttl"  # the change log since the release before
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
"""The licence a release declares for its files: CC BY 4.0, as dipkg's ontology and schemes."""
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")
"""What a release version or file name may be (``fullmatch``): it names a directory or file
and a URL segment (no '/', no leading '.')."""
MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
PREVIOUS_VERSION = URIRef(str(DCAT) + "previousVersion")
"""DCAT 3's link to the release before (rdflib's DCAT namespace is DCAT 2's and lacks it)."""


@dataclass(frozen=True, slots=True)
class ReleaseFile:
    """One file of a release."""

    name: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Release:
    """A release directory: its version, when it was issued and its files."""

    version: str
    directory: Path
    issued: datetime
    files: tuple[ReleaseFile, ...]


def is_version(text: str) -> bool:
    """Whether ``text`` can name a release.

    >>> [is_version(v) for v in ("2026-12-02", "1.0.0", "../x", ".hidden", "a/b")]
    [True, True, False, False, False]
    """
    return VERSION.fullmatch(text) is not None


def release(
    settings: Settings,
    out_dir: Path | None = None,
    version: str | None = None,
    now: datetime | None = None,
) -> Release:
    """Write a release of the store to ``out_dir/version/``.

    Args:
        settings: the store, server URL (for download URLs) and default releases directory.
        out_dir: the releases directory (default ``settings.releases_dir``).
        version: the release's name (default: the UTC date of ``now``, ``YYYY-MM-DD``).
        now: the issue time (default: the current time).

    Raises:
        UsageError: a malformed version, a version already released, or a directory that
            cannot be written.
    """
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    version = version or issued.strftime("%Y-%m-%d")
    if not is_version(version):
        raise UsageError(
            f"Release version {version!r} is not usable as a directory name.",
            hint="Use letters, digits, '.', '_' and '-' (e.g. 2026-12-02 or 1.2.0).",
        )
    directory = out_dir or settings.releases_dir
    target = directory / version
    if target.exists():
        raise UsageError(
            f"{target}: release {version} exists already.",
            hint="Pass another --version (releases are never overwritten).",
        )
    previous = latest_release(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=directory))
    except OSError as exc:
        raise UsageError(
            f"{directory}: cannot write a release there ({exc.strerror}).",
            hint="Pass --out DIR with a directory you can write.",
        ) from exc
    try:
        store = open_store(settings.store, read_only=True, auth=settings.store_auth)
        try:
            files = [_write_dump(store, partial, name, settings) for name in RELEASE_FORMATS]
            coverage = temporal_coverage(store)
            files.append(_write_changes(store, partial, settings, previous))
        finally:
            store.close()
        description = describe_release(
            settings.server_url, version, issued, files, coverage, previous
        )
        description.serialize(partial / DESCRIPTION, format="turtle")
        files.append(_file_entry(partial / DESCRIPTION, "text/turtle"))
        (partial / CHECKSUMS).write_text(
            "".join(f"{f.sha256}  {f.name}\n" for f in files), encoding="utf-8"
        )
        partial.chmod(0o755)
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Release(version, target, issued, tuple(files))


def _write_dump(store: Store, directory: Path, fmt_name: str, settings: Settings) -> ReleaseFile:
    fmt = get_format(fmt_name)
    path = directory / f"dipkg.{fmt.extension}"
    with path.open("wb") as out:
        export(store, fmt.name, out, settings.ontology_dir / "context.jsonld")
    return _file_entry(path, fmt.media_type)


def _write_changes(
    store: Store, directory: Path, settings: Settings, previous: Release | None
) -> ReleaseFile:
    """``CHANGES.ttl``: the records of every change to the store that ended after the
    ``previous`` release was issued (all of them for a first release), as the graph of
    changes holds them (``dip:Change``, PROV)."""
    slots: dict[str, Node] = {"graph": iris.changes_graph_iri(settings.base_iri)}
    if previous is not None:
        slots["since"] = Literal(previous.issued.isoformat(), datatype=XSD.dateTime)
    changes = store.query(internal_query("changes-since", **slots)).graph or Graph()
    for prefix, namespace in PREFIXES.items():
        changes.bind(prefix, namespace)
    path = directory / CHANGES
    changes.serialize(path, format="turtle")
    return _file_entry(path, "text/turtle")


def _file_entry(path: Path, media_type: str) -> ReleaseFile:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return ReleaseFile(path.name, media_type, path.stat().st_size, digest.hexdigest())


def temporal_coverage(store: Store) -> tuple[str, str] | None:
    """The first and last day the dated events of the store may fall on (ISO 8601), or None
    when no event is dated."""
    rows = store.query(internal_query("event-date-range")).rows
    if not rows or rows[0][0] is None or rows[0][1] is None:
        return None
    return str(rows[0][0]), str(rows[0][1])


def describe_release(
    server_url: str,
    version: str,
    issued: datetime,
    files: list[ReleaseFile],
    coverage: tuple[str, str] | None,
    previous: Release | None,
) -> Graph:
    """The DCAT-AP description of a release: the dataset and one distribution per file."""
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dcterms", DCTERMS)
    graph.bind("spdx", SPDX)
    base = f"{server_url}/releases/{version}/"
    dataset = URIRef(f"{base}{DESCRIPTION}#dataset")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add(
        (dataset, DCTERMS.title, Literal(f"dipkg diplomatic events, release {version}", lang="en"))
    )
    graph.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Diplomatic meetings, pledges, demands and statements extracted from news "
                "articles, each fact with the sentence it came from: the whole knowledge graph "
                "as RDF dumps and as event tables shaped like POLECAT and CAMEO.",
                lang="en",
            ),
        )
    )
    graph.add((dataset, DCTERMS.identifier, Literal(version)))
    graph.add((dataset, OWL.versionInfo, Literal(version)))
    graph.add((dataset, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.dateTime)))
    graph.add((dataset, DCTERMS.license, LICENSE))
    graph.add((dataset, DCAT.landingPage, URIRef(f"{server_url}/releases/")))
    graph.add(
        (dataset, DCTERMS.provenance, Literal(f"Released by dipkg {__version__}.", lang="en"))
    )
    if previous is not None:
        graph.add(
            (
                dataset,
                PREVIOUS_VERSION,
                URIRef(f"{server_url}/releases/{previous.version}/{DESCRIPTION}#dataset"),
            )
        )
    if coverage is not None:
        period = BNode()
        graph.add((dataset, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, Literal(coverage[0], datatype=XSD.date)))
        graph.add((period, DCAT.endDate, Literal(coverage[1], datatype=XSD.date)))
    for entry in files:
        url = URIRef(base + entry.name)
        distribution = URIRef(f"{base}{DESCRIPTION}#{entry.name}")
        checksum = BNode()
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(entry.name)))
        graph.add((distribution, DCAT.accessURL, url))
        graph.add((distribution, DCAT.downloadURL, url))
        graph.add((distribution, DCAT.mediaType, URIRef(MEDIA_TYPES + entry.media_type)))
        graph.add((distribution, DCAT.byteSize, Literal(str(entry.size), datatype=XSD.decimal)))
        graph.add((distribution, DCTERMS.license, LICENSE))
        graph.add((distribution, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(entry.sha256, datatype=XSD.hexBinary)))
    return graph


def list_releases(directory: Path) -> list[Release]:
    """The releases in ``directory``, newest first (by issue time); a directory without both
    a checksum file and a description is not a release (a partial one, or anything else).

    Raises:
        InputError: a release's description or checksum file is malformed.
    """
    if not directory.is_dir():
        return []
    releases = [
        read_release(path)
        for path in directory.iterdir()
        if is_version(path.name) and (path / CHECKSUMS).is_file() and (path / DESCRIPTION).is_file()
    ]
    return sorted(releases, key=lambda r: (r.issued, r.version), reverse=True)


def latest_release(directory: Path) -> Release | None:
    """The newest release in ``directory``, or None."""
    releases = list_releases(directory)
    return releases[0] if releases else None


def read_release(path: Path) -> Release:
    """A release directory as :class:`Release`: its files from ``SHA256SUMS``, their media
    types, sizes and the issue time from ``dcat.ttl``.

    Raises:
        InputError: the description or the checksum file is malformed.
    """
    graph = Graph()
    try:
        graph.parse(path / DESCRIPTION, format="turtle")
    except Exception as exc:  # rdflib raises several parser exception types
        raise InputError(f"{path / DESCRIPTION}: does not parse as Turtle: {exc}") from exc
    issued = next(graph.objects(None, DCTERMS.issued), None)
    if not isinstance(issued, Literal) or not isinstance(issued.toPython(), datetime):
        raise InputError(f"{path / DESCRIPTION}: the dataset has no dcterms:issued date-time.")
    media = {
        str(title): str(media_type).removeprefix(MEDIA_TYPES)
        for distribution in graph.subjects(RDF.type, DCAT.Distribution)
        for title in graph.objects(distribution, DCTERMS.title)
        for media_type in graph.objects(distribution, DCAT.mediaType)
    }
    media[DESCRIPTION] = "text/turtle"  # the description lists the dumps, not itself
    files = []
    lines = (path / CHECKSUMS).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        digest, _, name = line.partition("  ")
        if not re.fullmatch(r"[0-9a-f]{64}", digest) or name not in media or not is_version(name):
            raise InputError(
                f"{path / CHECKSUMS}, line {number}: not '<sha256>  <file>' for a file of the "
                f"release directory that {DESCRIPTION} describes."
            )
        size = (path / name).stat().st_size if (path / name).is_file() else 0
        files.append(ReleaseFile(name, media[name], size, digest))
    return Release(path.name, path, issued.toPython(), tuple(files))
