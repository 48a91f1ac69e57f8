"""Source documents: text, Markdown or HTML files plus metadata -> :class:`Document`; web noise.

Owns reading an article (``.txt`` kept byte-for-byte as decoded UTF-8; ``.md`` kept as written;
``.html`` reduced to its article text by trafilatura, offline), its metadata (a ``.meta.yaml``
sidecar, explicit values, or both: explicit values win), and :func:`clean_text`, which finds
the web noise around an article (repeated headlines, photo captions and credits, "Read more"
teasers, share and newsletter trailers, bylines, editors' summaries, Markdown markup) as
character ranges of the document text. Cleaning never rewrites the text: every evidence
offset points into :attr:`Document.text`, and :attr:`CleanText.masked` is the same text with
the noise blanked out, character for character, for the extractor to parse.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.records import DateValue, Document
from kg.sources.yamlfile import Fields, load_yaml, read_text

LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
META_KEYS = {"title", "published", "language", "kind", "notes", "url", "source"}
TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
DOCUMENT_SUFFIXES = TEXT_SUFFIXES + MARKDOWN_SUFFIXES + HTML_SUFFIXES
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
    if suffix not in DOCUMENT_SUFFIXES:
        raise InputError(
            f"{path}: unsupported document type {suffix or '(none)'!r}.",
            hint=f"Give plain text, Markdown or HTML ({', '.join(DOCUMENT_SUFFIXES)}).",
        )
    raw = read_text(path)
    page_title: str | None = None
    page_date: str | None = None
    if suffix in HTML_SUFFIXES:
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
    return Document(
        id=document_id(path),
        text=text,
        title=title,
        published=published,
        language=language,
        kind=meta.text("kind", "news article") or "news article",
        notes=notes,
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


# -- web noise -------------------------------------------------------------------------------

NOISE_KINDS = (
    "headline",
    "heading",
    "repeated",
    "caption",
    "credit",
    "teaser",
    "trailer",
    "byline",
    "summary",
    "dateline",
    "markup",
)


@dataclass(frozen=True, slots=True)
class Noise:
    """A range of the document text that is web noise, and which kind."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True, slots=True)
class CleanText:
    """A document text with its noise ranges; ``masked`` blanks the noise out in place."""

    text: str
    noise: tuple[Noise, ...]
    masked: str

    @property
    def kept(self) -> list[tuple[int, int]]:
        """The ranges of text that are not noise: one per paragraph, without the whitespace
        around it."""
        return [
            (m.start(), m.start() + len(m.group(0).rstrip()))
            for m in re.finditer(r"\S(?:[^\n]|\n(?![ \t]*\n))*", self.masked)
        ]

    def is_noise(self, start: int, end: int) -> bool:
        """Whether the range lies wholly inside noise (or blank space)."""
        return not self.masked[start:end].strip()


_TERMINAL = re.compile(r"[.!?…:;\"”’')\]]\s*$")
_AGENCIES = (
    r"Reuters|AP|AFP|Getty Images|Bloomberg|EPA|EPA-EFE|Xinhua|Kyodo|Yonhap|TASS|Sputnik|"
    r"Pool|Anadolu|Shutterstock|Alamy|NurPhoto|SOPA Images|Sipa|dpa|ANI|PTI|CNN|BBC"
)
_CREDIT = re.compile(
    rf"^(?:\(?(?:photo|photograph|picture|image|credit|photo credit|source)s?\s*(?:by|:)\s*.+"
    rf"|.{{0,60}}\b(?:{_AGENCIES})\b\)?"
    rf"|[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){{0,3}}\s*/\s*(?:{_AGENCIES}|[A-Z][\w ]+)\)?"
    r"|.*\bvia Getty Images\)?)$",
    re.IGNORECASE,
)
_INLINE_CREDIT = re.compile(
    rf"\((?:(?:{_AGENCIES})(?: Photo)?\s*/\s*[^)]{{1,60}}|Photo(?: by|:)[^)]{{1,60}})\)"
)
_CAPTION_START = re.compile(r"^(?:photo|caption|pictured|image|above|file photo)\s*[:\-—]", re.I)
_CAPTION_DATE_END = re.compile(
    r",\s*(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)\s+\d{1,2},\s*"
    r"\d{4}\.?(?:\s*(?:REUTERS|AP|AFP)?[/\w .]*)?$"
)
_CAPTION_VERB = re.compile(
    r"\b(?:meets|shakes|speaks|attends|arrives|arrive|looks|waves|gestures|walks|delivers|"
    r"poses|greets|listens|talks|sits|stands|holds|leaves|reviews|shake|pose|speak|react|"
    r"reacts|is seen|are seen|is greeted|are pictured|is pictured)\b"
)
_TEASER = re.compile(
    r"^(?:related(?: articles?| stor(?:y|ies)| coverage| content| reading| news)?|read more|"
    r"read also|also read|see also|more on this(?: story)?|recommended(?: for you)?|"
    r"most read|more from [\w ]+|you may also like|don'?t miss|watch|listen|explainer)\b"
    r"\s*[:|–—-]?",
    re.IGNORECASE,
)
_TRAILER = re.compile(
    r"^(?:share(?: this)?(?: article| story| on \w+)?|share|tweet|email|print|copy link|"
    r"comments?|advertisement|ad|sponsored|join our newsletter|sign up.*|subscribe.*|"
    r"follow us.*|follow .* on (?:twitter|x|facebook|instagram).*|get the .* newsletter.*|"
    r"download (?:the|our) app.*|click here.*|all rights reserved.*|©.*|copyright.*|"
    r"(?:additional )?reporting by .*|editing by .*|writing by .*|compiled by .*|"
    r"newsletter|topics?:.*|tags?:.*)$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:by\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+)*(?:\s*(?:,|and|&|\|)\s*[\w.'’ -]+)*"
    r"|(?:updated|published|posted|last updated)\b.*\d.*"
    r"|[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3}\s*(?:,|\|)\s*(?:"
    + _AGENCIES
    + r"|[\w ]*(?:correspondent|reporter|editor|staff writer))\b.*)$",
    re.IGNORECASE,
)
_SUMMARY = re.compile(
    r"^(?:editor[’']?s?[’']?\s*(?:p\s*/\s*s|note|summary|notes)|key (?:points|takeaways)|"
    r"summary|in brief|tl;\s*dr|the bottom line|at a glance)\s*[:.]?\s*$",
    re.IGNORECASE,
)
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'’/-]+(?:\s+[A-Z][A-Z.'’/-]+)*(?:,\s*[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+)*)?"
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"\s*(?:\([A-Za-z .]+\))?\s*[-—–]+\s+)"
)
_TIMESTAMP = re.compile(
    r"^\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:GMT|UTC|BST|CET|CEST|ET|EST|EDT|MSK|"
    r"local time|local)?\s*(?:[-—–:|]\s*)?"
)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*$")
_MD_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_MD_BULLET = re.compile(r"^(?:[*+-]|\d+\.)\s+")
_MD_QUOTE = re.compile(r"^>\s?")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*)(?=\S)([^*\n]+?)(?<=\S)\1")
_MD_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[#*_>\[\]()\"“”‘’'`]", "", text)
    return re.sub(r"\s+", " ", text).strip(" .")


def _blocks(text: str) -> list[tuple[int, int]]:
    """Blank-line separated blocks as (start, end), trailing whitespace excluded."""
    return [
        (m.start(), m.start() + len(m.group(0).rstrip()))
        for m in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text)
    ]


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    position = start
    for line in text[start:end].split("\n"):
        stripped = line.strip()
        if stripped:
            offset = position + line.index(stripped[0])
            spans.append((offset, offset + len(stripped)))
        position += len(line) + 1
    return spans


def _words(text: str) -> int:
    return len(text.split())


def _is_title_like(line: str) -> bool:
    return bool(line) and not _TERMINAL.search(line) and _words(line) <= 25


def clean_text(document: Document | str, title: str | None = None) -> CleanText:
    """Find the web noise of a document; the text itself is never changed.

    Noise: the headline (the first line when it is the title or reads as one) and every
    repetition of a paragraph, subheadings, photo captions and credits, bylines and
    datelines, "Related article" / "Read more" teasers (the marker and the teaser headline),
    share and newsletter trailers, an editor's summary after its marker line, and Markdown
    markup. A fact found only inside noise is not extracted.

    >>> cleaned = clean_text("Talks resume\\n\\nThe two sides met on Monday.\\n\\nShare\\n")
    >>> [(n.kind, cleaned.text[n.start:n.end]) for n in cleaned.noise]
    [('headline', 'Talks resume'), ('trailer', 'Share')]
    >>> cleaned.kept
    [(14, 42)]
    """
    if isinstance(document, Document):
        text, title = document.text, title or document.title
    else:
        text = document
    noise: list[Noise] = []
    blocks = _blocks(text)
    seen: dict[str, int] = {}
    repeats: dict[str, int] = {}
    for start, end in blocks:
        key = _norm(text[start:end])
        repeats[key] = repeats.get(key, 0) + 1
    title_key = _norm(title) if title else None
    in_summary = False
    teaser_next = False
    first_body = True
    for index, (start, end) in enumerate(blocks):
        block = text[start:end]
        lines = _lines(text, start, end)
        key = _norm(block)
        single = len(lines) == 1
        kind: str | None = None
        if in_summary and (_TIMESTAMP.match(block) or _MD_HEADING.match(block)):
            in_summary = False
        if in_summary:
            kind = "summary"
        elif _MD_RULE.match(block.strip()):
            kind = "markup"
        elif teaser_next and single and _words(block) <= 30:
            kind = "teaser"
        elif key and key == title_key:
            kind = "headline"
        elif key in seen:
            kind = "caption" if _looks_like_caption(block) else "repeated"
        elif single and _SUMMARY.match(block.strip()):
            kind, in_summary = "summary", True
        elif single and _TEASER.match(block.strip()):
            kind = "teaser"
            rest = _TEASER.sub("", block.strip(), count=1).strip()
            teaser_next = _words(rest) == 0
            seen.setdefault(key, index)
            noise.append(Noise(start, end, kind))
            continue
        elif single and _words(block) <= 12 and _TRAILER.match(block.strip()):
            kind = "trailer"
        elif single and _words(block) <= 14 and _BYLINE.match(block.strip().lstrip("#").strip()):
            kind = "byline"
        elif single and _words(block) <= 12 and _CREDIT.match(block.strip()):
            kind = "credit"
        elif _MD_IMAGE.match(block.strip()) or _CAPTION_START.match(block.strip()):
            kind = "caption"
        elif repeats.get(key, 0) > 1 and _looks_like_caption(block):
            kind = "caption"
        elif single and index == 0 and (_MD_HEADING.match(block) or _is_title_like(block)):
            kind = "headline"
        elif single and (_MD_HEADING.match(block) or _is_title_like(block)) and _words(block) <= 14:
            kind = "heading"
        teaser_next = False
        seen.setdefault(key, index)
        if kind is not None:
            noise.append(Noise(start, end, kind))
            continue
        noise.extend(_line_noise(text, lines, first_body))
        first_body = False
    noise.sort(key=lambda n: (n.start, n.end))
    return CleanText(text, tuple(noise), _mask(text, noise))


def _looks_like_caption(block: str) -> bool:
    line = block.strip()
    if _CAPTION_START.match(line) or _INLINE_CREDIT.search(line):
        return True
    return bool(_CAPTION_DATE_END.search(line) and _CAPTION_VERB.search(line))


def _line_noise(text: str, lines: list[tuple[int, int]], first_body: bool) -> list[Noise]:
    """Noise inside a kept block: credit lines, inline credits, datelines, Markdown markup."""
    found: list[Noise] = []
    for index, (start, end) in enumerate(lines):
        line = text[start:end]
        if (
            len(lines) > 1
            and _words(line) <= 12
            and (_TRAILER.match(line) or _CREDIT.match(line) or _BYLINE.match(line))
        ):
            found.append(Noise(start, end, "credit"))
            continue
        stamp = _TIMESTAMP.match(line)
        if stamp and stamp.end() < len(line):
            found.append(Noise(start, start + stamp.end(), "dateline"))
        elif index == 0 and first_body:
            dateline = _DATELINE.match(line)
            if dateline and dateline.end() < len(line):
                found.append(Noise(start, start + dateline.end(), "dateline"))
        for match in _INLINE_CREDIT.finditer(line):
            found.append(Noise(start + match.start(), start + match.end(), "credit"))
        found.extend(_markup(line, start))
    return found


def _markup(line: str, offset: int) -> list[Noise]:
    found = []
    for pattern in (_MD_HEADING, _MD_BULLET, _MD_QUOTE):
        match = pattern.match(line)
        if match:
            found.append(Noise(offset, offset + match.end(), "markup"))
    for match in _MD_LINK.finditer(line):
        found.append(Noise(offset + match.start(), offset + match.start() + 1, "markup"))
        found.append(Noise(offset + match.end(1), offset + match.end(), "markup"))
    for match in _MD_EMPHASIS.finditer(line):
        width = len(match.group(1))
        found.append(Noise(offset + match.start(), offset + match.start() + width, "markup"))
        found.append(Noise(offset + match.end() - width, offset + match.end(), "markup"))
    return found


def _mask(text: str, noise: list[Noise]) -> str:
    chars = list(text)
    for item in noise:
        for i in range(item.start, item.end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)
