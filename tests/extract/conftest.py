"""Fixtures for the extraction tests: a small registry written inline, the vocabulary, and a
helper that extracts a text as an article published on a given day."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.config import Settings
from kg.extract import Extraction, Extractor
from kg.rdf.ontology import load_vocabulary, scheme_notations
from kg.records import DateValue, Document
from kg.sources.registry import Registry, load_registry

REGISTRY = """
states:
  - {id: united-states, label: United States, aliases: [US, U.S., the United States, America], metonyms: [Washington]}
  - {id: china, label: People's Republic of China, aliases: [China, PRC], metonyms: [Beijing]}
  - {id: russia, label: Russia, metonyms: [Moscow, Kremlin]}
  - {id: ukraine, label: Ukraine, metonyms: [Kyiv]}
  - {id: taiwan, label: Taiwan}
organisations:
  - {id: white-house, label: White House, country: united-states, aliases: [the White House]}
people:
  - id: joe-biden
    label: Joe Biden
    aliases: [Biden, President Biden, President Joe Biden]
    country: united-states
    offices: [{office: president-of-the-united-states, from: 2021-01-20}]
  - id: xi-jinping
    label: Xi Jinping
    aliases: [Xi, President Xi, Chinese President Xi Jinping]
    country: china
    offices: [{office: president-of-china, from: 2013-03-14}]
  - id: vladimir-putin
    label: Vladimir Putin
    aliases: [Putin, Russian President Vladimir Putin]
    country: russia
    offices: [{office: president-of-russia, from: 2012-05-07}]
  - id: antony-blinken
    label: Antony Blinken
    aliases: [Blinken]
    country: united-states
    offices: [{office: us-secretary-of-state, from: 2021-01-26}]
  - id: wang-yi
    label: Wang Yi
    country: china
    offices: [{office: foreign-minister-of-china, from: 2023-07-25}]
anonymous:
  - {id: us-senior-administration-official, label: Senior US administration official, country: united-states, aliases: [a senior administration official, the senior administration official]}
offices:
  - {id: president-of-the-united-states, label: President of the United States, of: united-states}
  - {id: president-of-china, label: President of the People's Republic of China, of: china, aliases: [Chinese president]}
  - {id: president-of-russia, label: President of Russia, of: russia}
  - {id: us-secretary-of-state, label: United States Secretary of State, of: united-states, aliases: [Secretary of State]}
  - {id: foreign-minister-of-china, label: Minister of Foreign Affairs of China, of: china, aliases: [the Chinese foreign minister, Chinese foreign minister]}
  - {id: defense-minister-of-china, label: Minister of National Defense of China, of: china, aliases: [China's minister of defense]}
places:
  - {id: united-states-territory, label: United States}
  - {id: california, label: California, in: united-states-territory}
  - {id: woodside, label: Woodside, in: california}
  - {id: china-territory, label: China}
  - {id: beijing, label: Beijing, in: china-territory}
  - {id: russia-territory, label: Russia}
  - {id: moscow, label: Moscow, in: russia-territory}
  - {id: thailand-territory, label: Thailand}
  - {id: bangkok, label: Bangkok, in: thailand-territory}
"""


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    path = tmp_path_factory.mktemp("registry") / "registry.yaml"
    path.write_text(textwrap.dedent(REGISTRY), encoding="utf-8")
    return load_registry(path)


@pytest.fixture(scope="session")
def vocabulary() -> dict[str, frozenset[str]]:
    return dict(scheme_notations(load_vocabulary(Settings().ontology_dir)))


@pytest.fixture(scope="session")
def extractor(registry: Registry, vocabulary: dict[str, frozenset[str]]) -> Extractor:
    """Every rule, also those the rule counts leave unused: these tests test what each rule
    finds; test_confidence.py tests which are used."""
    return Extractor(registry, vocabulary, keep_all=True)


ExtractText = Callable[..., Extraction]


@pytest.fixture(scope="session")
def extract_text(extractor: Extractor) -> ExtractText:
    """Extract a text as a document published on ``published`` (None: unknown)."""

    def run(text: str, published: str | None = "2024-04-02", title: str = "") -> Extraction:
        document = Document(
            id="doc",
            text=text,
            title=title,
            published=DateValue.parse(published) if published else None,
        )
        return extractor.extract(document)

    return run


def write_document(folder: Path, name: str, text: str, meta: str | None) -> Path:
    """Write a document (and its sidecar, if given) into a folder."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    if meta is not None:
        (folder / (name.split(".", 1)[0] + ".meta.yaml")).write_text(meta, encoding="utf-8")
    return path
