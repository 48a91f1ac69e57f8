"""DateValue: the four precisions, their intervals, and compatibility."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.records import DateValue


@pytest.mark.parametrize(
    ("text", "precision", "earliest", "latest"),
    [
        ("2023-11-15", "day", dt.date(2023, 11, 15), dt.date(2023, 11, 15)),
        ("2024-W14", "week", dt.date(2024, 4, 1), dt.date(2024, 4, 7)),
        ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("1985", "year", dt.date(1985, 1, 1), dt.date(1985, 12, 31)),
    ],
    ids=["day", "week", "month", "year"],
)
def test_parse(text: str, precision: str, earliest: dt.date, latest: dt.date) -> None:
    value = DateValue.parse(text)
    assert (value.precision, value.earliest, value.latest) == (precision, earliest, latest)


@pytest.mark.parametrize(
    "text",
    ["March 2024", "2024-13", "2023-02-30", "24-01-01", "2024-W60", ""],
    ids=["words", "month-13", "feb-30", "two-digit-year", "week-60", "empty"],
)
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        DateValue.parse(text)


def test_unknown_basis_refused() -> None:
    with pytest.raises(ValueError, match="basis"):
        DateValue.parse("2024", basis="guessed")


def test_compatibility() -> None:
    month, day, other = (DateValue.parse(t) for t in ("2023-11", "2023-11-15", "2023-12-01"))
    assert month.is_compatible(day) and day.is_compatible(month)
    assert not month.is_compatible(other)
