"""Content negotiation: the request's ``Accept`` (q-values, wildcards) or a ``format``
override -> one row of ``kg.formats``, or a 406 problem."""

from __future__ import annotations

from dataclasses import replace

from flask import request

from kg.errors import DipkgError
from kg.formats import FORMATS, Format


class NotAcceptableError(DipkgError):
    """No format of the needed kind is acceptable."""


def choose_format(kind: str, override: str | None = None, default: str | None = None) -> Format:
    """The format to answer in (its media type is the one the client named, alias included).

    Args:
        kind: ``results`` (SELECT/ASK) or ``rdf`` (graphs).
        override: a format name or media type that wins over Accept (``format``/``_format``).
        default: the format used when Accept is missing or ``*/*``.

    Raises:
        NotAcceptableError: nothing acceptable (or an unknown override).
    """
    candidates = [f for f in FORMATS if f.kind == kind]
    if override:
        for fmt in candidates:
            if override in (fmt.name, fmt.media_type, fmt.extension, *fmt.aliases, *fmt.nicknames):
                return fmt
        names = ", ".join(f.name for f in candidates)
        raise NotAcceptableError(
            f"Format {override!r} is not available for this result; available: {names}."
        )
    default_fmt = next(f for f in candidates if f.name == (default or candidates[0].name))
    accept = request.accept_mimetypes
    if not accept or accept.best == "*/*":
        return default_fmt
    offered = [default_fmt.media_type] + [
        m for f in candidates for m in (f.media_type, *f.aliases) if m != default_fmt.media_type
    ]
    best = accept.best_match(offered)
    if best is None:
        names = ", ".join(f.media_type for f in candidates)
        raise NotAcceptableError(
            f"None of the accepted media types ({request.headers.get('Accept')}) can carry "
            f"this result; available: {names}."
        )
    chosen = next(f for f in candidates if best in (f.media_type, *f.aliases))
    return chosen if best == chosen.media_type else replace(chosen, media_type=best)
