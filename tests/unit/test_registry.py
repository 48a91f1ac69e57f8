"""The actor registry: loading, name resolution, offices with dates, and load errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError, UnknownActorError
from kg.records import DateValue
from kg.sources.registry import load_registry

REGISTRY = """
states:
  - {id: china, label: People's Republic of China, aliases: [China, PRC], metonyms: [Beijing], wikidata: Q148}
people:
  - id: wang-yi
    label: Wang Yi
    country: china
    offices: [{office: fm-china, from: 2023-07-25}]
  - id: qin-gang
    label: Qin Gang
    country: china
    offices: [{office: fm-china, from: 2022-12-30, to: 2023-07-25}]
offices:
  - {id: fm-china, label: Minister of Foreign Affairs of China, of: china, aliases: [the Chinese foreign minister]}
  - {id: defence-china, label: Minister of National Defense of China, of: china}
places:
  - {id: woodside, label: Woodside, in: california}
  - {id: california, label: California}
"""


@pytest.fixture()
def registry(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "registry.yaml"
    path.write_text(REGISTRY, encoding="utf-8")
    return load_registry(path)


@pytest.mark.parametrize(
    "name",
    ["China", "PRC", "Beijing", "china", "  the PRC "],
    ids=["label-alias", "alias", "metonym", "case", "article-space"],
)
def test_state_names(registry, name: str) -> None:  # type: ignore[no-untyped-def]
    assert registry.resolve_actor(name).id == "china"


def test_office_resolves_to_holder_at_the_date(registry) -> None:  # type: ignore[no-untyped-def]
    assert (
        registry.resolve_actor("the Chinese foreign minister", DateValue.parse("2024-01")).id
        == "wang-yi"
    )
    assert (
        registry.resolve_actor("the Chinese foreign minister", DateValue.parse("2023-03")).id
        == "qin-gang"
    )


def test_office_stays_itself_without_a_holder(registry) -> None:  # type: ignore[no-untyped-def]
    assert (
        registry.resolve_actor("Minister of National Defense of China", DateValue.parse("2024")).id
        == "defence-china"
    )
    assert registry.resolve_actor("the Chinese foreign minister", None).id == "fm-china"


def test_unknown_actor(registry) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownActorError, match="'Zhou Enlai' is not in the actor registry"):
        registry.resolve_actor("Zhou Enlai")


def test_place_ancestors(registry) -> None:  # type: ignore[no-untyped-def]
    assert registry.place_ancestors("woodside") == ["california"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("states:\n  - {id: China, label: x}\n", "states[0].id: 'China' must be lowercase"),
        ("states:\n  - {id: x, label: x, wikidata: 148}\n", "not a Wikidata item id"),
        (
            "people:\n  - {id: a, label: A, country: nowhere}\n",
            "a.country: 'nowhere' is not an actor id",
        ),
        ("places:\n  - {id: a, label: A, in: b}\n", "a.in: 'b' is not a place id"),
        ("states:\n  - {id: x, label: x, colour: red}\n", "states[0].colour: unknown key"),
        ("states: [\n", "registry.yaml:2"),
    ],
    ids=["bad-id", "bad-wikidata", "unknown-country", "unknown-place", "unknown-key", "malformed"],
)
def test_load_errors_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_registry(path)
    assert message in info.value.message and "registry.yaml" in info.value.message
