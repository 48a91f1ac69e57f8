"""Date expressions: every common form, resolved against the publication date, with
precision and basis; relative dates without a publication date stay unresolved."""

from __future__ import annotations

import pytest

from kg.extract.dates import find_dates, resolve_date
from kg.records import DateValue

from .conftest import ExtractText

TUESDAY = DateValue.parse("2024-04-02")  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected", "precision", "basis"),
    [
        ("on November 15, 2023", "2023-11-15", "day", "stated"),
        ("on 15 November 2023", "2023-11-15", "day", "stated"),
        ("the 15th of November", "2023-11-15", "day", "inferred"),
        ("on Nov. 15", "2023-11-15", "day", "inferred"),
        ("2024-01-05", "2024-01-05", "day", "stated"),
        ("in July 2022", "2022-07", "month", "stated"),
        ("in January", "2024-01", "month", "inferred"),
        ("in 1985", "1985", "year", "stated"),
        ("since 2017", "2017", "year", "stated"),
        ("on Tuesday", "2024-04-02", "day", "inferred"),
        ("on Monday", "2024-04-01", "day", "inferred"),
        ("last Tuesday", "2024-03-26", "day", "inferred"),
        ("next Friday", "2024-04-05", "day", "inferred"),
        ("yesterday", "2024-04-01", "day", "inferred"),
        ("this week", "2024-W14", "week", "inferred"),
        ("last week", "2024-W13", "week", "inferred"),
        ("two weeks ago", "2024-W12", "week", "inferred"),
        ("three days ago", "2024-03-30", "day", "inferred"),
        ("next month", "2024-05", "month", "inferred"),
        ("last month", "2024-03", "month", "inferred"),
        ("earlier this year", "2024", "year", "inferred"),
        ("late last year", "2023", "year", "inferred"),
        ("last fall", "2023", "year", "inferred"),
        ("next January", "2025-01", "month", "inferred"),
        ("November's summit", "2023-11", "month", "inferred"),
        ("in June last year", "2023-06", "month", "inferred"),
        ("on Nov. 15 last year", "2023-11-15", "day", "inferred"),
        ("on 22 July last year", "2023-07-22", "day", "inferred"),
        ("in April of next year", "2025-04", "month", "inferred"),
        ("in late March this year", "2024-03", "month", "inferred"),
    ],
    ids=lambda value: str(value),
)
def test_forms_resolve_against_publication(
    text: str, expected: str, precision: str, basis: str
) -> None:
    mentions = find_dates(text)
    assert len(mentions) == 1, mentions
    value = resolve_date(mentions[0], TUESDAY).value
    assert value is not None
    assert (value.iso, value.precision, value.basis) == (expected, precision, basis)


def test_future_clause_reads_a_bare_month_forward() -> None:
    mention = find_dates("in January")[0]
    assert resolve_date(mention, TUESDAY, future=False).value.iso == "2024-01"  # type: ignore[union-attr]
    assert resolve_date(mention, TUESDAY, future=True).value.iso == "2025-01"  # type: ignore[union-attr]


def test_future_weekday_is_the_next_one() -> None:
    mention = find_dates("on Thursday")[0]
    assert resolve_date(mention, TUESDAY, future=True).value.iso == "2024-04-04"  # type: ignore[union-attr]
    assert resolve_date(mention, TUESDAY, future=False).value.iso == "2024-03-28"  # type: ignore[union-attr]


def test_relative_date_without_publication_is_unresolved_not_guessed() -> None:
    resolved = resolve_date(find_dates("last Tuesday")[0], None)
    assert resolved.value is None
    assert "publication date" in (resolved.unresolved or "")


def test_absolute_date_needs_no_publication() -> None:
    resolved = resolve_date(find_dates("on November 15, 2023")[0], None)
    assert resolved.value is not None and resolved.value.iso == "2023-11-15"


def test_weekday_against_month_precision_publication_is_unresolved() -> None:
    resolved = resolve_date(find_dates("on Tuesday")[0], DateValue.parse("2023-11"))
    assert resolved.value is None
    assert "publication day" in (resolved.unresolved or "")


def test_relative_reading_is_explained_in_the_note() -> None:
    value = resolve_date(find_dates("last August")[0], DateValue.parse("2023-11")).value
    assert value is not None and value.iso == "2023-08"
    assert "publication date" in (value.note or "")


@pytest.mark.parametrize(
    "text",
    [
        "the 2024 election",
        "he may go",
        "a $300 million package",
        "for the first time in 24 years",
        "to march on",
    ],
)
def test_non_dates_are_not_dated(text: str) -> None:
    values = [resolve_date(m, TUESDAY).value for m in find_dates(text)]
    assert all(v is None for v in values), values


def test_vague_future_has_no_date() -> None:
    mentions = find_dates("in the coming weeks")
    assert mentions and mentions[0].is_vague
    assert resolve_date(mentions[0], TUESDAY).value is None


# -- dates as people write them: EDTF --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "edtf", "iso", "earliest", "latest", "basis"),
    [
        (
            "in mid-November 2023",
            "2023-11-11/2023-11-20",
            "2023-11",
            "2023-11-11",
            "2023-11-20",
            "stated",
        ),
        (
            "in early March",
            "2024-03-01/2024-03-10",
            "2024-03",
            "2024-03-01",
            "2024-03-10",
            "inferred",
        ),
        (
            "in late February 2024",
            "2024-02-21/2024-02-29",
            "2024-02",
            "2024-02-21",
            "2024-02-29",
            "stated",
        ),
        (
            "at the end of January",
            "2024-01-21/2024-01-31",
            "2024-01",
            "2024-01-21",
            "2024-01-31",
            "inferred",
        ),
        ("in early 2024", "2024-01/2024-04", "2024", "2024-01-01", "2024-04-30", "stated"),
        ("late last year", "2023-09/2023-12", "2023", "2023-09-01", "2023-12-31", "inferred"),
        ("in spring 2023", "2023-21", "2023", "2023-03-01", "2023-05-31", "stated"),
        ("in the summer of 2022", "2022-22", "2022", "2022-06-01", "2022-08-31", "stated"),
        ("last fall", "2023-23", "2023", "2023-09-01", "2023-11-30", "inferred"),
        ("last winter", "2023-24", "2023", "2023-12-01", "2024-02-29", "inferred"),
        ("in the winter", "2023-24", "2023", "2023-12-01", "2024-02-29", "inferred"),
        ("around 2025", "2025~", "2025", "2025-01-01", "2025-12-31", "stated"),
        (
            "around mid-May 2024",
            "2024-05-11~/2024-05-20~",
            "2024-05",
            "2024-05-11",
            "2024-05-20",
            "stated",
        ),
        ("possibly in June", "2023-06?", "2023-06", "2023-06-01", "2023-06-30", "inferred"),
        (
            "circa November 15, 2023",
            "2023-11-15~",
            "2023-11-15",
            "2023-11-15",
            "2023-11-15",
            "stated",
        ),
    ],
    ids=lambda value: str(value),
)
def test_loose_forms_become_edtf_dates(
    text: str, edtf: str, iso: str, earliest: str, latest: str, basis: str
) -> None:
    mentions = find_dates(text)
    assert len(mentions) == 1, mentions
    value = resolve_date(mentions[0], TUESDAY).value
    assert value is not None
    assert (value.edtf, value.iso, str(value.earliest), str(value.latest), value.basis) == (
        edtf,
        iso,
        earliest,
        latest,
        basis,
    )
    assert mentions[0].text in text and mentions[0].text.split()[0] in text.split()


@pytest.mark.parametrize(
    "text",
    [
        "Around 2000 troops crossed the border.",
        "The fall of the regime surprised everyone.",
        "Prices rose roughly 2024 percent.",
    ],
)
def test_loose_cues_without_a_date_date_nothing(text: str) -> None:
    assert find_dates(text) == []


def test_in_the_spring_reads_forward_in_a_future_clause() -> None:
    mention = find_dates("They will meet in the spring.")[0]
    forward = resolve_date(mention, DateValue.parse("2024-11-20"), future=True).value
    backward = resolve_date(mention, DateValue.parse("2024-11-20"), future=False).value
    assert (forward and forward.edtf, backward and backward.edtf) == ("2025-21", "2024-21")


@pytest.mark.parametrize(
    ("sentence", "edtf"),
    [
        ("Biden met Xi in mid-November 2023 in Woodside.", "2023-11-11/2023-11-20"),
        ("Biden will visit China in the spring.", "2024-21"),
        ("Biden and Xi spoke by phone in early March.", "2024-03-01/2024-03-10"),
        ("Biden met Xi around 2022 in Bangkok.", "2022~"),
    ],
    ids=lambda value: str(value),
)
def test_events_in_sentences_carry_the_edtf_date(
    extract_text: ExtractText, sentence: str, edtf: str
) -> None:
    events = extract_text(sentence).coding.events
    assert [e.date.edtf if e.date else None for e in events] == [edtf]
