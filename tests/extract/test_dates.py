"""Date expressions: every common form, resolved against the publication date, with
precision and basis; relative dates without a publication date stay unresolved."""

from __future__ import annotations

import pytest

from kg.extract.dates import find_dates, resolve_date
from kg.records import DateValue

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
