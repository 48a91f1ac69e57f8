"""Date expressions in article text and their resolution against the publication date.

Owns finding dates in every common form ("November 15, 2023", "the 15th of November",
"July 2022", "in 1985", "on Tuesday", "last Tuesday", "this week", "next month", "earlier
this year", "last fall", "three weeks ago", "very soon") and turning each into a
:class:`~kg.records.DateValue` at the precision the text supports, with basis ``stated`` (the
text gives the full date) or ``inferred`` (read against the publication date; the note says
how). Dates people write loosely become EDTF dates (:mod:`kg.edtf`) by the cue words of
``cues/dates.yaml``: a part of a month or year ("mid-November", "early 2024", "late last
year": an interval), a season ("in the spring", "summer 2024", "last fall": ``2024-21``...),
approximate ("around 2024": ``2024~``) or uncertain ("possibly in March": ``2024-03?``).
Without a publication date a relative expression is *unresolved*: it gets no value and a
reason, never a guess. Pure functions over strings; no spaCy.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kg.extract import lexicon
from kg.records import DateValue

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = lexicon.sequence("dates", "weekdays")
NUMBERS = lexicon.numbers("dates", "numbers")
SEASONS = lexicon.numbers("dates", "seasons")
MONTH_PARTS = lexicon.table("dates", "month_parts")
YEAR_PARTS = lexicon.table("dates", "year_parts")
YEAR_FOLLOWERS = lexicon.words("dates", "year_followers")
QUALIFIER_CUES = {
    **{cue: "~" for cue in lexicon.sequence("dates", "approximate")},
    **{cue: "?" for cue in lexicon.sequence("dates", "uncertain")},
}

_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?"
    r"|Dec\.?)"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NUM = (
    r"(?P<num>\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|a few|several|a couple of)"
)
_UNIT = r"(?P<unit>day|week|month|year)s?"
_LEAD = (
    r"(?:(?P<lead>(?i:early|earlier|mid|late|later|the end of|the start of|the beginning of))"
    r"[\s-]+)?"
)
_REL = r"(?P<rel>(?i:last|next|this|this past|this coming))"
_SEASON = r"(?P<season>(?i:spring|summer|fall|autumn|winter))"
_PERIOD_REL = (
    r"(?P<rel>(?i:last|next|this|past|coming|earlier this|later this|early this|late last"
    r"|early last|earlier last|late this|early next|late next))"
)
# "November 15 last year", "in June of next year": a month of the year before, of or after
# publication
_YEAR_REL = r",?\s+(?:of\s+)?(?P<year_rel>(?i:last|this|next))\s+year\b"
_DAY_WORDS = (
    r"(?P<word>(?i:today|yesterday|tomorrow|tonight|this morning|this afternoon|this evening"
    r"|last night))"
)
_VAGUE = (
    r"(?i)\b(?:very soon|soon|shortly|in the (?:near|coming|upcoming|next few) "
    r"(?:future|days|weeks|months)|in the upcoming weeks|in (?:the )?coming (?:days|weeks|months)"
    r"|later this (?:month|year))\b"
)

# Order matters: the first pattern that matches at a position wins (longest forms first).
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("iso", r"\b(?P<year>(?:19|20)\d{2})-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
        ("month_day_year", rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
        ("day_month_year", rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"),
        ("month_day_year_rel", rf"\b{_MONTH}\s+{_DAY}{_YEAR_REL}"),
        ("day_month_year_rel", rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR_REL}"),
        ("month_year_rel", rf"\b{_LEAD}{_MONTH}{_YEAR_REL}"),
        ("weekday_month_day", rf"\b{_WEEKDAY},?\s+{_MONTH}\s+{_DAY}\b(?!,?\s+\d)"),
        (
            "month_day",
            rf"\b{_MONTH}\s+{_DAY}\b(?!,?\s+(?:19|20)\d{{2}})(?!\s*(?:%|per|million|billion))",
        ),
        ("day_month", rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}\b(?!,?\s+(?:19|20)\d{{2}})"),
        ("month_year", rf"\b{_LEAD}{_MONTH}(?:\s+of)?,?\s+{_YEAR}\b"),
        (
            "relative_month",
            rf"\b(?P<rel>(?i:last|next|this|this past|this coming|earlier this|later this))"
            rf"\s+{_MONTH}\b",
        ),
        ("possessive_month", rf"\b{_MONTH}['’]s\b"),
        ("month", rf"\b{_LEAD}{_MONTH}\b(?!\s+[0-3]?\d\b)"),
        ("season_year", rf"\b(?:the\s+)?{_SEASON}(?:\s+of)?,?\s+{_YEAR}\b"),
        ("season", rf"\b{_REL}\s+{_SEASON}\b"),
        # "in the spring", "during summer" (not "the fall of the regime")
        (
            "season_bare",
            rf"\b(?i:in|during|by|over|until|through)\s+(?:the\s+)?{_SEASON}\b(?!\s+of\b)",
        ),
        ("weekday_rel", rf"\b{_REL}\s+{_WEEKDAY}\b"),
        ("weekday", rf"\b(?:on\s+)?{_WEEKDAY}\b(?:\s+(?:morning|afternoon|evening|night))?"),
        (
            "day_word",
            rf"\b{_DAY_WORDS}\b",
        ),
        (
            "period_rel",
            rf"\b{_PERIOD_REL}\s+(?P<unit>(?i:week|month|year))\b",
        ),
        ("ago", rf"\b{_NUM}\s+{_UNIT}\s+ago\b"),
        ("in_future", rf"\b(?:in|within)\s+{_NUM}\s+{_UNIT}(?:['’]\s*time)?\b"),
        ("year", rf"\b{_LEAD}{_YEAR}\b(?!\s*(?:%|per|million|billion|-|–))"),
        ("vague_future", _VAGUE),
    )
)
# Bare years are dates only after a word that introduces a time ("in 1985", "since 2017").
_YEAR_LEADS = re.compile(
    r"(?:\b(?:in|since|during|until|by|from|of|before|after|through|to|early|late|mid|"
    r"earlier|later|end of|start of|beginning of|spring|summer|fall|autumn|winter|and|or)"
    r"[\s-]+|,\s*)$",
    re.IGNORECASE,
)


# A cue word right before a date that qualifies it ("around 2024", "possibly in March").
_QUALIFIER_BEFORE = re.compile(
    r"\b(?P<cue>"
    + "|".join(re.escape(c) for c in sorted(QUALIFIER_CUES, key=len, reverse=True))
    + r")\s+(?:(?:in|on|by|during)\s+)?$",
    re.IGNORECASE,
)


# A month name alone is a date only after a word that introduces a time ("in January").
_MONTH_LEADS = re.compile(
    r"\b(?:in|during|since|until|by|from|early|late|mid|before|after|through|of|last|"
    r"next|this)[\s-]+$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date expression found in a text: where, what form, and its parsed parts."""

    start: int
    end: int
    text: str
    form: str
    parts: tuple[tuple[str, str], ...]

    def part(self, name: str) -> str | None:
        """A named part of the expression (``month``, ``day``, ``rel``...), or None."""
        return dict(self.parts).get(name)

    @property
    def is_relative(self) -> bool:
        """Whether resolving the expression needs the publication date."""
        return self.form not in (
            "iso",
            "month_day_year",
            "day_month_year",
            "month_year",
            "year",
            "season_year",
        )

    @property
    def is_vague(self) -> bool:
        """Undatable future ("soon", "in the coming weeks"): a planned event, no date."""
        return self.form == "vague_future"

    @property
    def points_forward(self) -> bool | None:
        """True for expressions that name the future ("next week"), False for the past."""
        rel = (self.part("rel") or self.part("word") or "").lower()
        if self.form in ("in_future", "vague_future") or rel in ("next", "coming", "this coming"):
            return True
        if rel == "tomorrow" or rel.startswith("later this") or rel.endswith("next"):
            return True
        if self.form == "ago" or rel in ("last", "past", "this past", "yesterday", "last night"):
            return False
        if rel.endswith("last") or rel.startswith("earlier"):
            return False
        return None


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    """A date mention read against the publication date: its value, or why it has none."""

    mention: DateMention
    value: DateValue | None
    unresolved: str | None = None


def find_dates(text: str, offset: int = 0) -> list[DateMention]:
    """Every date expression in ``text``, left to right, without overlaps.

    >>> [m.text for m in find_dates("Xi met Biden on the 15th of November, in 2023 and last week.")]
    ['the 15th of November', '2023', 'last week']
    >>> [(m.text, m.part("qualifier")) for m in find_dates("They may meet around 2025.")]
    [('around 2025', '~')]
    """
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for form, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            cue = _QUALIFIER_BEFORE.search(text[max(0, start - 40) : start])
            if form == "year" and not match.group("lead"):
                # "around 2025" is a date, "around 2000 troops" is not
                after = re.match(r"\s+([a-z]+)", text[end:])
                if cue is not None and after and after.group(1) not in YEAR_FOLLOWERS:
                    continue
                if cue is None and not _YEAR_LEADS.search(text[max(0, start - 16) : start]):
                    continue
            if form == "month" and not match.group("month")[0].isupper():
                continue
            if (
                form == "month"
                and not match.group("lead")
                and not _MONTH_LEADS.search(text[max(0, start - 16) : start])
            ):
                continue
            if form == "weekday" and re.match(r"\s*,?\s*(?:19|20)\d{2}", text[end:]):
                continue
            parts = tuple((k, v) for k, v in match.groupdict().items() if v is not None)
            if cue is not None:
                start -= len(cue.group(0))
                parts += (("qualifier", QUALIFIER_CUES[cue.group("cue").lower()]),)
            found.append(DateMention(start + offset, end + offset, text[start:end], form, parts))
            taken.append((start, end))
    return sorted(found, key=lambda m: m.start)


_HEADING_TRIM = " \t*#_,.:"


def dated_lines(text: str, mentions: list[DateMention]) -> list[tuple[int, DateValue]]:
    r"""The lines that are nothing but a full date ("January 22, 2024", "**Sunday, 7 May
    2023**"): the date lines of readouts and live blogs, which date the text after them.
    Each as (offset of the line, the date), in text order.

    >>> text = "Readout\nJanuary 22, 2024\n\nBlinken met Tinubu today on January 23."
    >>> [(start, value.iso) for start, value in dated_lines(text, find_dates(text))]
    [(8, '2024-01-22')]
    """
    found: list[tuple[int, DateValue]] = []
    for mention in mentions:
        if mention.form not in ("iso", "month_day_year", "day_month_year"):
            continue
        line_start = text.rfind("\n", 0, mention.start) + 1
        line_end = text.find("\n", mention.end)
        line = text[line_start : len(text) if line_end < 0 else line_end].strip(_HEADING_TRIM)
        rest = line.replace(mention.text, "", 1).strip(_HEADING_TRIM).lower()
        if rest and rest not in WEEKDAYS:
            continue
        value = resolve_date(mention, None).value
        if value is not None:
            found.append((line_start, value))
    return found


def _month(value: str) -> int:
    return MONTHS[value.lower().rstrip(".")]


def _iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _value(iso: str, basis: str, note: str | None) -> DateValue:
    return DateValue.parse_edtf(iso, basis, note)


def resolve_date(
    mention: DateMention, published: DateValue | None, future: bool = False
) -> ResolvedDate:
    """Read a date mention against the publication date, as an EDTF date where cue words
    make it loose (a part of a month or year, a qualifier).

    ``future`` says the clause speaks of the future (``will``, ``is expected to``): a bare
    month or weekday then means the next one, not the last one. A relative expression with no
    publication date is returned unresolved, with the reason.

    >>> pub = DateValue.parse("2024-04-02")
    >>> resolve_date(find_dates("on Tuesday")[0], pub).value.iso
    '2024-04-02'
    >>> resolve_date(find_dates("last August")[0], DateValue.parse("2023-11")).value.iso
    '2023-08'
    >>> resolve_date(find_dates("next month")[0], None).unresolved
    '“next month” needs the publication date, which is unknown'
    >>> resolve_date(find_dates("in mid-November 2023")[0], None).value.edtf
    '2023-11-11/2023-11-20'
    >>> resolve_date(find_dates("in the spring")[0], pub, future=True).value.edtf
    '2024-21'
    """
    resolved = _resolve_plain(mention, published, future)
    if resolved.value is None:
        return resolved
    value = resolved.value
    lead = (mention.part("lead") or (mention.part("rel") or "").split(" ")[0]).lower()
    if value.edtf is None and lead:
        value = _part_of(value, lead)
    mark = mention.part("qualifier")
    return ResolvedDate(mention, value.qualified(mark) if mark else value)


def _part_of(value: DateValue, lead: str) -> DateValue:
    """The part of a month or year a lead word names ("early", "mid", "late"), as an EDTF
    interval; the value itself at any other precision or for another word."""
    table = {"month": MONTH_PARTS, "year": YEAR_PARTS}.get(value.precision, {})
    if lead not in table:
        return value
    first, last = (int(n) for n in table[lead].split("-"))
    if value.precision == "month":
        last = min(last, value.latest.day)
    return _value(f"{value.iso}-{first:02d}/{value.iso}-{last:02d}", value.basis, value.note)


def _resolve_plain(
    mention: DateMention, published: DateValue | None, future: bool = False
) -> ResolvedDate:
    """The date a mention names, before its cue words loosen it (:func:`resolve_date`)."""
    form = mention.form
    quoted = f"“{mention.text}”"
    if form == "iso":
        return ResolvedDate(mention, _value(mention.text, "stated", None))
    if form in ("month_day_year", "day_month_year"):
        month = _month(mention.part("month") or "")
        iso = f"{mention.part('year')}-{month:02d}-{int(mention.part('day') or 0):02d}"
        return _checked(mention, iso, "stated", None)
    if form == "month_year":
        iso = f"{mention.part('year')}-{_month(mention.part('month') or ''):02d}"
        return _checked(mention, iso, "stated", None)
    if form == "year":
        return _checked(mention, mention.part("year") or "", "stated", None)
    if form == "season_year":
        code = _season_code(mention.part("season") or "")
        return _checked(mention, f"{mention.part('year')}-{code}", "stated", None)
    if form == "vague_future" or (form == "in_future" and not future):
        # "for the first time in 24 years" is a duration, not a date
        return ResolvedDate(mention, None, None)
    if published is None:
        return ResolvedDate(mention, None, f"{quoted} needs the publication date, which is unknown")
    forward = mention.points_forward
    if forward is None:
        forward = future
    note = f"{quoted} read against the publication date ({published.iso})."
    try:
        relative = _relative_iso(mention, published, forward)
    except _NeedsDayError:
        return ResolvedDate(
            mention,
            None,
            f"{quoted} needs a publication day; the publication date is only {published.iso}",
        )
    if relative is None:
        return ResolvedDate(mention, None, f"{quoted} could not be read as a date")
    return _checked(mention, relative, "inferred", note)


class _NeedsDayError(Exception):
    pass


def _checked(mention: DateMention, iso: str, basis: str, note: str | None) -> ResolvedDate:
    try:
        return ResolvedDate(mention, _value(iso, basis, note))
    except ValueError:
        return ResolvedDate(mention, None, f"“{mention.text}” is not a real date")


def _relative_iso(mention: DateMention, published: DateValue, forward: bool) -> str | None:
    form = mention.form
    rel = (mention.part("rel") or "").lower()
    pub_first, pub_last = published.earliest, published.latest
    year = pub_first.year
    year_rel = (mention.part("year_rel") or "").lower()
    if year_rel:
        in_year = year + {"last": -1, "this": 0, "next": 1}[year_rel]
        month_number, day_text = _month(mention.part("month") or ""), mention.part("day")
        if day_text:
            return f"{in_year}-{month_number:02d}-{int(day_text):02d}"
        return f"{in_year}-{month_number:02d}"
    if form in ("month_day", "day_month", "weekday_month_day"):
        month, day_number = _month(mention.part("month") or ""), int(mention.part("day") or 0)
        candidates = [(y, month, day_number) for y in (year - 1, year, year + 1)]
        dates = []
        for y, m, d in candidates:
            try:
                dates.append(dt.date(y, m, d))
            except ValueError:
                continue
        if forward:
            later = [d for d in dates if d >= pub_first]
            chosen = min(later) if later else None
        else:
            earlier = [d for d in dates if d <= pub_last]
            chosen = max(earlier) if earlier else None
        return chosen.isoformat() if chosen else None
    if form in ("month", "possessive_month", "relative_month"):
        month = _month(mention.part("month") or "")
        pub_month = (pub_first.year, pub_first.month)
        if rel in ("this",):
            return f"{year}-{month:02d}"
        if rel in ("next", "this coming", "later this") or (not rel and forward):
            target_year = year if (year, month) > pub_month else year + 1
            if rel == "later this" or (not rel and forward and (year, month) == pub_month):
                target_year = year
            return f"{target_year}-{month:02d}"
        if rel in ("last", "this past"):
            target_year = year if (year, month) < pub_month else year - 1
            return f"{target_year}-{month:02d}"
        target_year = year if (year, month) <= pub_month else year - 1
        return f"{target_year}-{month:02d}"
    if form == "season":
        season_month = SEASONS[(mention.part("season") or "").lower()]
        pub_season = _season_start(pub_first)
        if rel in ("last", "this past"):
            target = (
                (pub_season[0] - 1, season_month)
                if season_month >= pub_season[1]
                else (
                    pub_season[0],
                    season_month,
                )
            )
        elif rel in ("next", "this coming"):
            target = (
                (pub_season[0] + 1, season_month)
                if season_month <= pub_season[1]
                else (
                    pub_season[0],
                    season_month,
                )
            )
        else:
            target = (pub_season[0], season_month)
        return f"{target[0]}-{_season_code(mention.part('season') or '')}"
    if form == "season_bare":
        code = _season_code(mention.part("season") or "")
        seasons = [DateValue.parse_edtf(f"{y}-{code}") for y in (year - 1, year, year + 1)]
        if forward:
            season = next((s for s in seasons if s.latest >= pub_first), None)
        else:
            season = next((s for s in reversed(seasons) if s.earliest <= pub_last), None)
        return season.edtf if season else None
    if form in ("weekday", "weekday_rel"):
        if published.precision != "day":
            raise _NeedsDayError
        weekday = WEEKDAYS.index((mention.part("weekday") or "").lower())
        delta = (weekday - pub_first.weekday()) % 7
        if rel in ("next", "this coming"):
            day = pub_first + dt.timedelta(days=delta or 7)
        elif rel in ("last", "this past"):
            back = (pub_first.weekday() - weekday) % 7
            day = pub_first - dt.timedelta(days=back or 7)
        elif rel == "this":
            day = pub_first + dt.timedelta(days=weekday - pub_first.weekday())
        elif forward:
            day = pub_first + dt.timedelta(days=delta)
        else:
            back = (pub_first.weekday() - weekday) % 7
            day = pub_first - dt.timedelta(days=back)
        return day.isoformat()
    if form == "day_word":
        word = (mention.part("word") or "").lower()
        if published.precision != "day":
            raise _NeedsDayError
        shift = {"yesterday": -1, "tomorrow": 1, "last night": -1}.get(word, 0)
        return (pub_first + dt.timedelta(days=shift)).isoformat()
    if form == "period_rel":
        unit = (mention.part("unit") or "").lower()
        step = 0
        if rel in ("last", "past", "late last", "early last", "earlier last"):
            step = -1
        elif rel in ("next", "coming", "early next", "late next"):
            step = 1
        if unit == "week":
            if published.precision not in ("day", "week"):
                raise _NeedsDayError
            return _iso_week(pub_first + dt.timedelta(weeks=step))
        if unit == "month":
            if published.precision == "year":
                raise _NeedsDayError
            month_index = pub_first.year * 12 + pub_first.month - 1 + step
            return f"{month_index // 12}-{month_index % 12 + 1:02d}"
        return str(year + step)
    if form in ("ago", "in_future"):
        number = _number(mention.part("num") or "1")
        unit = (mention.part("unit") or "").lower()
        sign = -1 if form == "ago" else 1
        if unit == "year":
            return str(year + sign * number)
        if unit == "month":
            if published.precision == "year":
                raise _NeedsDayError
            month_index = pub_first.year * 12 + pub_first.month - 1 + sign * number
            return f"{month_index // 12}-{month_index % 12 + 1:02d}"
        if published.precision != "day":
            raise _NeedsDayError
        if unit == "week":
            return _iso_week(pub_first + dt.timedelta(weeks=sign * number))
        return (pub_first + dt.timedelta(days=sign * number)).isoformat()
    return None


def _number(text: str) -> int:
    text = text.lower()
    return int(text) if text.isdigit() else NUMBERS.get(text, 1)


def _season_code(season: str) -> int:
    """The EDTF level 1 code of a season word: 21 spring, 22 summer, 23 autumn, 24 winter."""
    return 21 + (SEASONS[season.lower()] - 3) // 3


def _season_start(day: dt.date) -> tuple[int, int]:
    """The (year, first month) of the meteorological season a day falls in."""
    if day.month == 12:
        return day.year, 12
    if day.month <= 2:
        return day.year - 1, 12
    return day.year, (day.month - 3) // 3 * 3 + 3
