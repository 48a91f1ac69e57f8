"""The cue words of extraction, read from data files anyone can edit: ``kg/extract/cues/*.yaml``
(one file per family of rules: word lists, word -> kind tables) and
``kg/extract/cues/countries.tsv`` (states with their demonyms, capitals and other names).

Loaded once per process; a missing list is a programming error (``KeyError``).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

DIRECTORY = Path(__file__).with_name("cues")


@functools.cache
def _family(family: str) -> dict[str, object]:
    with (DIRECTORY / f"{family}.yaml").open(encoding="utf-8") as stream:
        return dict(yaml.safe_load(stream) or {})


def words(family: str, name: str) -> frozenset[str]:
    """A word list.

    >>> "meet" in words("events", "event_verbs") or "hold" in words("events", "light_verbs")
    True
    """
    return frozenset(str(w) for w in _family(family)[name])  # type: ignore[attr-defined]


def sequence(family: str, name: str) -> tuple[str, ...]:
    """A word list whose order matters (weekdays)."""
    return tuple(str(w) for w in _family(family)[name])  # type: ignore[attr-defined]


def table(family: str, name: str) -> dict[str, str]:
    """A word -> value table (a trigger noun -> its event type)."""
    return {str(k): str(v) for k, v in _family(family)[name].items()}  # type: ignore[attr-defined]


def numbers(family: str, name: str) -> dict[str, int]:
    """A word -> number table (a number word -> its value, a season -> its first month)."""
    return {str(k): int(v) for k, v in _family(family)[name].items()}  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Country:
    """A state of the country table: demonyms and capitals used as metonyms, other names."""

    name: str
    demonyms: tuple[str, ...]
    capitals: tuple[str, ...]
    aliases: tuple[str, ...]


@functools.cache
def countries() -> dict[str, Country]:
    """The country table, by name."""
    rows = {}
    with (DIRECTORY / "countries.tsv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream, delimiter="\t"):

            def split(value: str | None) -> tuple[str, ...]:
                return tuple(v.strip() for v in (value or "").split(",") if v.strip())

            rows[row["name"]] = Country(
                row["name"], split(row["demonyms"]), split(row["capitals"]), split(row["aliases"])
            )
    return rows
