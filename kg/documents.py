"""Source documents: a text file plus its ``.meta.yaml`` sidecar -> :class:`Document`.

The text is kept byte-for-byte (as decoded UTF-8): every evidence offset points into it.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import InputError
from kg.records import DateValue, Document
from kg.yamlfile import Fields, load_yaml, read_text

META_KEYS = {"title", "published", "language", "kind", "notes", "url", "source"}


def document_id(path: Path) -> str:
    """The document identifier: the file name without extension.

    >>> document_id(Path("corpus/000_6aee4f90ec08fcc7.txt"))
    '000_6aee4f90ec08fcc7'
    """
    return path.name.split(".", 1)[0]


def meta_path(text_path: Path) -> Path:
    """Where a document's metadata sidecar lives."""
    return text_path.with_name(document_id(text_path) + ".meta.yaml")


def read_document(path: Path) -> Document:
    """Read a document and its metadata sidecar.

    Raises:
        InputError: the text or sidecar is missing, not UTF-8, or a field is malformed.
    """
    text = read_text(path)
    sidecar = meta_path(path)
    if not sidecar.exists():
        raise InputError(
            f"{sidecar}: metadata file not found for {path.name}.",
            hint="Write a .meta.yaml with at least title and published (ISO 8601).",
        )
    meta = Fields(load_yaml(sidecar) or {}, str(sidecar), "")
    meta.check_keys(META_KEYS)
    published_text = meta.text("published", required=True) or ""
    try:
        published = DateValue.parse(published_text)
    except ValueError as exc:
        raise meta.error(
            "published", f"{exc}.", hint="Write the date as 2024-04-02, 2024-04 or 2024."
        ) from exc
    return Document(
        id=document_id(path),
        text=text,
        title=meta.text("title", required=True) or "",
        published=published,
        language=meta.text("language", "en") or "en",
        kind=meta.text("kind", "news article") or "news article",
        notes=meta.text("notes"),
    )
