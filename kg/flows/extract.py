"""Extract to coding: articles -> automatic extraction -> editable ``{doc}.coding.yaml`` files
in the curated format, for an analyst to review instead of typing a coding from scratch.

Per document: read it as ``dipkg ingest`` does (:func:`kg.flows.ingest.read_article`) ->
extract (:mod:`kg.extract`) -> write the coding (:func:`kg.sources.coding_writer.write_coding`),
with the provisional actors and places the registry lacks as ``provisional`` entries -> read
the text back with the curated loader, so that what is written is known to load. The reviewed
file beside the article is then the article's curated coding for ``dipkg ingest`` and
``dipkg build``. A problem with one document is that document's draft (``error``), never an
exception.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from kg.config import Settings
from kg.errors import DipkgError, InputError
from kg.extract import Extraction, Extractor
from kg.flows.ingest import read_article
from kg.rdf.ontology import load_vocabulary, scheme_notations
from kg.records import Document
from kg.sources.coding import parse_coding
from kg.sources.coding_writer import write_coding
from kg.sources.registry import load_registry

CODER = "dipkg extract (automatic; to be reviewed)"

_BATCH = 16  # documents spaCy parses together


@dataclass
class Draft:
    """One document's automatic coding, or why there is none.

    Attributes:
        path: the article file.
        document: the document id (the file name when it could not be read).
        text: the coding file's text (``None`` when ``error`` says why there is none).
        counts: facts per kind (events, pledges, demands, statements).
        provisional: ids of the provisional actors it declares.
        provisional_places: ids of the provisional places it declares.
        error: what went wrong, with the next step.
    """

    path: Path
    document: str
    text: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    provisional: list[str] = field(default_factory=list)
    provisional_places: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def file_name(self) -> str:
        """The coding's file name: ``{document id}.coding.yaml``."""
        return f"{self.document}.coding.yaml"


def _header(path: Path, extraction: Extraction) -> list[str]:
    document = extraction.coding.document
    lines = [
        f"Automatic coding of {path.name} by `dipkg extract` (dipkg {version('dipkg')}).",
        "TO BE REVIEWED: check every fact against the text; fix or delete what is wrong, add",
        "what is missing. Evidence quotes must stay exact substrings of the article; each",
        "fact's confidence is the extractor's (review the lowest first). Provisional actors",
        "and places are names the registry lacks: correct them, or name a registry actor.",
        "Then, with this file beside the article, `dipkg ingest` takes it as the article's",
        f"curated coding: dipkg ingest {path.name}",
        'Format: docs/model.md, "The curated coding".',
    ]
    if document.published is None:
        lines.append("No publication date: relative dates were left unresolved.")
    for unresolved in extraction.unresolved_dates:
        lines.append(f"Unresolved date {unresolved.span.text!r}: {unresolved.reason}")
    return lines


class CodingDrafter:
    """Drafts codings against one registry; reuse it for many documents (the vocabulary,
    registry and spaCy pipeline load once).

    Args:
        settings: ontology and corpus directories.
        registry_path: the actor registry (default: the corpus's ``registry.yaml``).
    """

    def __init__(self, settings: Settings, registry_path: Path | None = None) -> None:
        self.notations = scheme_notations(load_vocabulary(settings.ontology_dir))
        self.registry = load_registry(registry_path or settings.corpus_dir / "registry.yaml")
        self.extractor = Extractor(self.registry, self.notations)

    def draft_many(self, paths: Sequence[Path]) -> Iterator[Draft]:
        """One draft per file, in order; spaCy parses them in batches."""
        for start in range(0, len(paths), _BATCH):
            read: list[tuple[Path, Document] | Draft] = []
            for path in paths[start : start + _BATCH]:
                try:
                    read.append((path, read_article(path)))
                except DipkgError as exc:
                    read.append(_failed(path, path.name.split(".", 1)[0], exc))
            documents = [item[1] for item in read if not isinstance(item, Draft)]
            extractions = iter(self.extractor.extract_many(documents) if documents else ())
            for item in read:
                if isinstance(item, Draft):
                    yield item
                    continue
                path, document = item
                try:
                    yield self.draft(path, next(extractions))
                except DipkgError as exc:
                    yield _failed(path, document.id, exc)

    def draft(self, path: Path, extraction: Extraction) -> Draft:
        """Write one extraction as coding text and read it back with the curated loader.

        Raises:
            InputError: the text written does not load (a defect of dipkg, said so).
        """
        coding = extraction.coding
        text = write_coding(
            coding,
            self.registry,
            actors=extraction.actors,
            places=extraction.places,
            coder=CODER,
            header=_header(path, extraction),
        )
        source = f"{path.name} (its automatic coding)"
        try:
            parse_coding(text, source, coding.document, self.registry, self.notations)
        except InputError as exc:
            raise InputError(
                f"{exc.message} The automatic coding of {path.name} does not load.",
                hint="This is a dipkg defect: report it with the article; meanwhile, write "
                "the coding by hand (docs/model.md).",
            ) from exc
        return Draft(
            path,
            coding.document.id,
            text,
            counts={
                "events": len(coding.events),
                "pledges": len(coding.pledges),
                "demands": len(coding.demands),
                "statements": len(coding.statements),
                "responses": len(coding.responses),
            },
            provisional=[a.id for a in extraction.actors],
            provisional_places=[p.id for p in extraction.places],
        )


def save_draft(draft: Draft, out_dir: Path, *, overwrite: bool = False) -> Path:
    """Write a draft's text to ``out_dir/{document id}.coding.yaml``.

    Raises:
        InputError: the file exists (a reviewed coding may be there) and ``overwrite`` is off,
            or it cannot be written.
    """
    target = out_dir / draft.file_name
    if target.exists() and not overwrite:
        raise InputError(
            f"{target}: exists; not overwritten (it may hold a reviewed coding).",
            hint="Move it away, or pass --force to replace it with a new automatic coding.",
        )
    try:
        target.write_text(draft.text or "", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{target}: cannot be written ({exc.strerror}).") from exc
    return target


def _failed(path: Path, document: str, exc: DipkgError) -> Draft:
    return Draft(path, document, error=exc.message + (f" {exc.hint}" if exc.hint else ""))
