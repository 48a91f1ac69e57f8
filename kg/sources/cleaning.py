"""Web noise around an article: repeated headlines, photo captions and credits, "Read more"
teasers, share and newsletter trailers, bylines, editors' summaries, datelines, Markdown markup,
found by :func:`clean_text` as character ranges of the document text.

Cleaning never rewrites the text: every evidence offset points into :attr:`Document.text`, and
:attr:`CleanText.masked` is the same text with the noise blanked out, character for character,
for the extractor to parse.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kg.records import Document

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
