"""EDTF literals (Extended Date/Time Format: Library of Congress, ISO 8601-2:2019) and the
interval of days each one denotes: dipkg's profile of the format.

The profile is what people write loosely about when something happened, and nothing that has
no bounded interval of days:

- a date (level 0): ``2024``, ``2024-03``, ``2024-03-15``;
- unspecified digits (``X``, level 1 and the level 2 form inside a month or day), right-aligned
  so that the days they stand for are one interval: ``202X``, ``2024-XX``, ``2024-1X``
  (October to December), ``2023-11-1X`` (the 10th to the 19th);
- a season (level 1): ``2024-21`` spring (March to May), ``2024-22`` summer (June to August),
  ``2024-23`` autumn (September to November), ``2024-24`` winter (December 2024 to February
  2025): the northern meteorological seasons, the winter named by the year it starts in;
- a qualifier on a date (level 1): ``?`` uncertain, ``~`` approximate, ``%`` both. The
  standard gives a qualifier no width, and neither does dipkg: ``2024~`` denotes the days of
  2024, marked approximate;
- an interval of two of these (level 0/1): ``2024-03-01/2024-03-10``, ``2024-01/2024-04``.

Refused, each with the reason: open or unknown interval ends (``../2024``, ``2024/``), sets,
times, level 2 seasons (25-41), qualifiers on one component, ``Y``-prefixed and negative
years, and unspecified digits left of a given one (``2024-XX-15`` is no interval).
Spec: https://www.loc.gov/standards/datetime/ . Pure functions; no I/O.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

QUALIFIERS = "?~%"

SEASONS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 14)}
"""EDTF level 1 season codes -> (first month, last month), months past 12 in the next year."""

_COMPONENTS = re.compile(r"^([0-9X]{4})(?:-([0-9X]{2}))?(?:-([0-9X]{2}))?$")
_SEASON = re.compile(r"^([0-9]{4})-(2[1-4])$")

LEXICAL_PATTERN = (
    "^[0-9X]{4}(-[0-9X]{2}(-[0-9X]{2})?)?[?~%]?(/[0-9X]{4}(-[0-9X]{2}(-[0-9X]{2})?)?[?~%]?)?$"
)
"""The lexical space of the profile as a regular expression (the SHACL ``sh:pattern`` of
``dip:edtfDate`` in ontology/shapes.ttl, which must say the same): a literal the profile
accepts matches it; the reader refuses the rest of what matches (``2024-13``, ``2024-XX-15``)."""


@dataclass(frozen=True, slots=True)
class Interval:
    """The days an EDTF literal denotes, first and last included, and whether a qualifier
    (``?``, ``~``, ``%``) marks any part of it."""

    earliest: dt.date
    latest: dt.date
    is_qualified: bool = False


def is_extended(text: str) -> bool:
    """Whether ``text`` uses what EDTF adds to ISO 8601 dates (a qualifier, ``X``, a season,
    an interval), as opposed to a plain ``YYYY[-MM[-DD]]``.

    >>> [is_extended(t) for t in ("2024-03", "2024-21", "2024~", "2024-03-01/2024-03-10")]
    [False, True, True, True]
    """
    return bool(re.search(r"[X?~%/]", text)) or bool(_SEASON.match(text))


def parse_interval(text: str) -> Interval:
    """The interval of days an EDTF literal of the profile denotes.

    >>> unspecified = parse_interval("2023-11-1X")
    >>> str(unspecified.earliest), str(unspecified.latest), unspecified.is_qualified
    ('2023-11-10', '2023-11-19', False)
    >>> parse_interval("2023-24").latest
    datetime.date(2024, 2, 29)
    >>> parse_interval("2024~").is_qualified
    True
    >>> parse_interval("2024-01/2024-04").latest
    datetime.date(2024, 4, 30)

    Raises:
        ValueError: the text is outside the profile or names no real day; the message says
            which part and why.
    """
    if "/" in text:
        start_text, _, end_text = text.partition("/")
        if start_text in ("", "..") or end_text in ("", ".."):
            raise ValueError(
                f"{text!r} has an open or unknown end; dipkg's dates are bounded intervals "
                "(write both ends, e.g. 2024-03-01/2024-03-10)"
            )
        start, end = _qualified(start_text), _qualified(end_text)
        if start.earliest > end.latest:
            raise ValueError(f"{text!r} ends before it starts")
        return Interval(start.earliest, end.latest, start.is_qualified or end.is_qualified)
    return _qualified(text)


def _qualified(text: str) -> Interval:
    bare = text.rstrip(QUALIFIERS)
    if len(text) - len(bare) > 1:
        raise ValueError(f"{text!r} has more than one qualifier; use one of ? ~ %")
    if any(mark in bare for mark in QUALIFIERS):
        raise ValueError(
            f"{text!r} qualifies a part of the date; dipkg's EDTF dates take one qualifier "
            "at the end (2024-03~)"
        )
    earliest, latest = _days(bare)
    return Interval(earliest, latest, bare != text)


def _days(text: str) -> tuple[dt.date, dt.date]:
    season = _SEASON.match(text)
    if season:
        year, (first, last) = int(season.group(1)), SEASONS[int(season.group(2))]
        end_year, end_month = year + (last - 1) // 12, (last - 1) % 12 + 1
        return (
            dt.date(year, first, 1),
            dt.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1]),
        )
    match = _COMPONENTS.match(text)
    if not match:
        raise ValueError(
            f"{text!r} is not an EDTF date of dipkg's profile (2024, 2024-03, 2024-03-15, "
            "202X, 2023-11-1X, a season 2024-21 to 2024-24, a qualifier ? ~ %, or an "
            "interval 2024-03-01/2024-03-10)"
        )
    parts = [p for p in match.groups() if p is not None]
    joined = "".join(parts)
    if "X" in joined and set(joined[joined.index("X") :]) != {"X"}:
        raise ValueError(
            f"{text!r} has an unspecified digit left of a given one; dipkg's EDTF dates leave "
            "only the last digits unspecified (2023-11-1X), so that they denote one interval"
        )
    if joined.startswith("XX"):
        raise ValueError(f"{text!r} leaves the century unspecified; give at least 19XX")
    year_low, year_high = _digits(parts[0], 0), _digits(parts[0], 9)
    if len(parts) == 1:
        return dt.date(year_low, 1, 1), dt.date(year_high, 12, 31)
    month_low, month_high = _digits(parts[1], 0), min(_digits(parts[1], 9), 12)
    if "X" in parts[1]:
        month_low = max(month_low, 1)
    if not 1 <= month_low <= month_high:
        raise ValueError(f"{text!r} names no real month")
    if len(parts) == 2:
        return dt.date(year_low, month_low, 1), _month_end(year_high, month_high)
    last_day = calendar.monthrange(year_high, month_high)[1]
    day_low, day_high = _digits(parts[2], 0), min(_digits(parts[2], 9), last_day)
    if "X" in parts[2]:
        day_low = max(day_low, 1)
    if not 1 <= day_low <= day_high:
        raise ValueError(f"{text!r} names no real day")
    return dt.date(year_low, month_low, day_low), dt.date(year_high, month_high, day_high)


def _digits(part: str, fill: int) -> int:
    return int(part.replace("X", str(fill)))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])
