"""Content negotiation: the request's ``Accept`` -> one row of ``kg.formats`` (or a ``format``
override), or a 406 problem; whether a browser wants the HTML page instead.

``Accept`` is read as RFC 9110 12.5.1 says, not as Werkzeug's matcher does (it refuses a range
whose parameters differ from the offered type's, so ``text/csv; charset=utf-8`` got 406): the
most specific range that matches a type gives its weight; ``charset`` matches when it is UTF-8
(every body dipkg writes is UTF-8), other parameters (a JSON-LD ``profile``) are accepted and
ignored: dipkg serves compacted JSON-LD and says so by the plain media type. Every answer chosen
here varies with ``Accept``, and the request is marked so that the response says ``Vary: Accept``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from flask import g, request

from kg.errors import DipkgError
from kg.formats import FORMATS, Format

_ITEM = re.compile(r'(?:[^,"]|"(?:[^"\\]|\\.)*")+')
_PARAMETER = re.compile(r'\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;]*)\s*')


class NotAcceptableError(DipkgError):
    """No format of the needed kind is acceptable."""


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One element of ``Accept``: ``type/subtype``, its parameters (lower-case names), weight."""

    type: str
    subtype: str
    parameters: tuple[tuple[str, str], ...]
    weight: float

    def matches(self, media_type: str) -> bool:
        """Whether this range covers ``media_type`` (``type/subtype``, no parameters)."""
        main, _, sub = media_type.partition("/")
        if self.type != "*" and self.type != main:
            return False
        if self.subtype != "*" and self.subtype != sub:
            return False
        return all(
            value in ("utf-8", "utf8") for name, value in self.parameters if name == "charset"
        )

    @property
    def specificity(self) -> int:
        """RFC 9110's precedence: a type with parameters, a type, ``type/*``, ``*/*``."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.parameters else 2


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed elements are skipped.

    >>> for r in parse_accept('text/csv; charset=UTF-8, application/ld+json;profile="a b";q=0.5'):
    ...     print(r.type, r.subtype, r.parameters, r.weight)
    text csv (('charset', 'utf-8'),) 1.0
    application ld+json (('profile', 'a b'),) 0.5
    """
    ranges = []
    for item in _ITEM.findall(header):
        media, *rest = item.split(";", 1)
        main, slash, sub = media.strip().lower().partition("/")
        if not slash or not main or not sub:
            continue
        parameters: list[tuple[str, str]] = []
        weight = 1.0
        for name, value in _PARAMETER.findall(rest[0] if rest else ""):
            name = name.lower()
            value = value[1:-1].replace('\\"', '"') if value.startswith('"') else value
            if name == "q":
                try:
                    weight = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    weight = 0.0
                break  # what follows the weight are extensions, not media-type parameters
            parameters.append((name, value.lower() if name == "charset" else value))
        ranges.append(MediaRange(main, sub, tuple(parameters), weight))
    return ranges


def quality(media_type: str, ranges: list[MediaRange]) -> float:
    """The weight the client gives ``media_type``: that of the most specific range covering it
    (0 when none does)."""
    covering = [r for r in ranges if r.matches(media_type)]
    if not covering:
        return 0.0
    top = max(r.specificity for r in covering)
    return max(r.weight for r in covering if r.specificity == top)


def accepted_ranges() -> list[MediaRange] | None:
    """The request's media ranges, None when it sends no ``Accept`` (anything goes); marks the
    response as varying with ``Accept``."""
    g.dipkg_negotiated = True
    header = request.headers.get("Accept", "").strip()
    return parse_accept(header) if header else None


def choose_format(kind: str, override: str | None = None, default: str | None = None) -> Format:
    """The format to answer in (its media type is the one the client named, alias included).

    Args:
        kind: ``results`` (SELECT/ASK) or ``rdf`` (graphs).
        override: a format name or media type that wins over Accept (``format``/``_format``);
            media-type parameters in it are ignored.
        default: the format used when Accept is missing or ranks it first among equals.

    Raises:
        NotAcceptableError: nothing acceptable (or an unknown override).
    """
    candidates = [f for f in FORMATS if f.kind == kind]
    if override:
        wanted = override.split(";", 1)[0].strip()
        for fmt in candidates:
            if wanted in (fmt.name, fmt.media_type, fmt.extension, *fmt.aliases, *fmt.nicknames):
                return fmt
        names = ", ".join(f.name for f in candidates)
        raise NotAcceptableError(
            f"Format {override!r} is not available for this result; available: {names}."
        )
    default_fmt = next(f for f in candidates if f.name == (default or candidates[0].name))
    ranges = accepted_ranges()
    if ranges is None:
        return default_fmt
    # In order of preference among equal weights: the default, the other formats' own media
    # types, then the aliases clients also use.
    others = [f for f in candidates if f is not default_fmt]
    offered = [(f, f.media_type) for f in (default_fmt, *others)]
    offered += [(f, alias) for f in candidates for alias in f.aliases]
    best_fmt, best_type, best_q = default_fmt, default_fmt.media_type, 0.0
    for fmt, media_type in offered:
        q = quality(media_type, ranges)
        if q > best_q:
            best_fmt, best_type, best_q = fmt, media_type, q
    if best_q == 0.0:
        names = ", ".join(f.media_type for f in candidates)
        raise NotAcceptableError(
            f"None of the accepted media types ({request.headers.get('Accept')}) can carry "
            f"this result; available: {names}."
        )
    return best_fmt if best_type == best_fmt.media_type else replace(best_fmt, media_type=best_type)


def wants_html() -> bool:
    """Whether the request prefers an HTML page to every RDF format (and gives no ``format``)."""
    if "format" in request.args:
        return False
    ranges = accepted_ranges()
    if ranges is None:
        return False
    best_rdf = max(quality(f.media_type, ranges) for f in FORMATS if f.kind == "rdf")
    return quality("text/html", ranges) > best_rdf
