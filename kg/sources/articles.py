"""Articles: text, Markdown or HTML files plus metadata -> :class:`Document`.

Owns reading an article (``.txt`` kept byte-for-byte as decoded UTF-8; ``.md`` kept as written;
``.html`` reduced to its article text by trafilatura, offline), its metadata (a ``.meta.yaml``
sidecar, explicit values, or both: explicit values win), and its identifier (the file name
without its document extension). The web noise around an article is found by
:mod:`kg.sources.cleaning`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from kg.errors import InputError
from kg.formats import DOCUMENT_SUFFIXES, format_of_path
from kg.records import DateValue, Document
from kg.sources.yamlfile import Fields, load_yaml, read_text

LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
WEB_URL = re.compile(r"https?://[^\s/?#<>\"{}|\\^`]+[^\s<>\"{}|\\^`]*")
"""An absolute http(s) URL whose characters an IRI may hold (RFC 3987), for ``fullmatch``."""
META_KEYS = {"title", "published", "language", "kind", "notes", "url", "source"}
DOCUMENT_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
"""What a document id may be (use ``fullmatch``): it becomes a file name and an IRI segment."""


def is_document_id(text: str) -> bool:
    """Whether ``text`` can be a document id: 1-100 letters, digits, '_', '.' and '-', not
    starting with '.' or '-', and nothing else (no trailing newline).

    >>> [is_document_id(t) for t in ("a.b", "abc" + chr(10), "..", "x" * 101)]
    [True, False, False, False]
    """
    return DOCUMENT_ID.fullmatch(text) is not None


def document_id(path: Path) -> str:
    """The document identifier: the file name without its document extension (never cut at
    another dot: ``a.b.txt`` is ``a.b``).

    >>> document_id(Path("corpus/000_6aee4f90ec08fcc7.txt"))
    '000_6aee4f90ec08fcc7'
    >>> document_id(Path("in/report.v2.html"))
    'report.v2'
    """
    name = path.name
    for suffix in DOCUMENT_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _check_characters(text: str, source: str) -> None:
    """Refuse control characters (other than tab and line ends) and non-characters: no RDF
    serialisation may carry them (XML 1.0 cannot at all), so a document holding one would
    break the dumps and pages.

    Raises:
        InputError: naming the source, the character and its offset.
    """
    found = _CONTROL.search(text)
    if found:
        raise InputError(
            f"{source}: the text holds the control character U+{ord(found.group()):04X} "
            f"at offset {found.start()}.",
            hint="Remove it (or replace it with a space) and try again.",
        )


def meta_path(text_path: Path) -> Path:
    """Where a document's metadata sidecar lives."""
    return text_path.with_name(document_id(text_path) + ".meta.yaml")


def read_document(
    path: Path,
    *,
    metadata: Mapping[str, object] | None = None,
    require_metadata: bool = True,
) -> Document:
    """Read a document (plain text, Markdown or HTML) and its metadata.

    Metadata comes from the ``.meta.yaml`` sidecar and from ``metadata`` (for instance
    command-line options); a key given in both takes the explicit value. With
    ``require_metadata`` (the curated corpus) the sidecar, a title and a publication date are
    required. Without it, a missing title is taken from the page or the first line, and a
    missing publication date stays ``None``: relative dates in the text are then reported as
    unresolved, never guessed.

    Raises:
        InputError: the file or sidecar is missing or unreadable, or a field is malformed.
    """
    suffix = path.suffix.lower()
    fmt = format_of_path(path, "document")
    if fmt is None:
        raise InputError(
            f"{path}: unsupported document type {suffix or '(none)'!r}.",
            hint=f"Give plain text, Markdown or HTML ({', '.join(DOCUMENT_SUFFIXES)}).",
        )
    raw = read_text(path)
    page_title: str | None = None
    page_date: str | None = None
    if fmt.name == "html":
        text, page_title, page_date = html_to_text(raw, str(path))
    else:
        text = raw
    _check_characters(text, str(path))
    sidecar = meta_path(path)
    values: dict[str, object] = {}
    where = str(sidecar)
    if sidecar.exists():
        values.update(load_yaml(sidecar) or {})
    elif require_metadata and not metadata:
        raise InputError(
            f"{sidecar}: metadata file not found for {path.name}.",
            hint="Write a .meta.yaml with at least title and published (ISO 8601).",
        )
    if metadata:
        values.update({k: v for k, v in metadata.items() if v is not None})
        where = f"{sidecar} and the given options" if sidecar.exists() else "the given options"
    meta = Fields(values, where, "")
    meta.check_keys(META_KEYS)
    notes = meta.text("notes")
    published_text = meta.text("published", required=require_metadata)
    if published_text is None and page_date is not None:
        published_text = page_date
        notes = _join(notes, "Publication date taken from the page's own metadata.")
    published = None
    if published_text is not None:
        try:
            published = DateValue.parse(published_text)
        except ValueError as exc:
            raise meta.error(
                "published", f"{exc}.", hint="Write the date as 2024-04-02, 2024-04 or 2024."
            ) from exc
    title = meta.text("title", required=require_metadata) or page_title or _first_line(text)
    _check_characters(title, f"{where}: title")
    language = meta.text("language", "en") or "en"
    if not LANGUAGE_TAG.match(language):
        raise meta.error(
            "language", f"{language!r} is not a language tag.", hint="Write it as en, fr or pt-BR."
        )
    url = meta.text("url")
    if url is not None and not WEB_URL.fullmatch(url):
        raise meta.error(
            "url",
            f"{url!r} is not an absolute http or https URL.",
            hint="Give the address the article was published at, e.g. https://example.org/story.",
        )
    return Document(
        id=document_id(path),
        text=text,
        title=title,
        published=published,
        language=language,
        kind=meta.text("kind", "news article") or "news article",
        notes=notes,
        url=url,
    )


def html_to_text(html: str, where: str = "HTML") -> tuple[str, str | None, str | None]:
    """An HTML page's article text (boilerplate removed), title and publication date.

    Uses trafilatura on the string itself: nothing is fetched. Paragraphs are separated by a
    blank line, so the text reads like the plain-text corpus.

    Raises:
        InputError: no article text could be found in the page.
    """
    import trafilatura  # heavy; only HTML input needs it

    extracted = trafilatura.extract(
        html, output_format="txt", include_comments=False, include_tables=False
    )
    if not extracted or not extracted.strip():
        raise InputError(
            f"{where}: no article text found in the HTML page.",
            hint="Give the article as plain text or Markdown instead.",
        )
    paragraphs = [line.strip() for line in extracted.splitlines() if line.strip()]
    metadata = trafilatura.extract_metadata(html)
    title = metadata.title if metadata is not None else None
    date = metadata.date if metadata is not None else None
    if date is not None and not re.match(r"^\d{4}(-\d{2}){0,2}$", date):
        date = None
    return "\n\n".join(paragraphs) + "\n", title or None, date


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return "(untitled)"


def _join(first: str | None, second: str) -> str:
    return f"{first} {second}" if first else second
