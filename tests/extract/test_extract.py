"""The extraction as a whole: its shape, spans into the exact text, provisional actors and
places, metonyms, unresolved dates, and reading the bundled corpus."""

from __future__ import annotations

from pathlib import Path

from kg.config import Settings
from kg.extract import Extraction, extract, registry_with
from kg.sources.articles import read_document
from kg.sources.registry import Registry, load_registry

from .conftest import ExtractText

ARTICLE = (
    "Leaders meet in Woodside\n\n"
    "By Jane Doe\n\n"
    "President Joe Biden met Chinese President Xi Jinping in Woodside, California on Tuesday. "
    "Xi pledged to curb the flow of fentanyl precursors.\n\n"
    "“We had a good meeting,” Biden said. Beijing urged Washington to lift its tariffs.\n\n"
    "Kevin Lamarque/Reuters\n"
)


def check_spans(extraction: Extraction) -> None:
    text = extraction.coding.document.text
    coding = extraction.coding
    spans = [s for e in coding.events for s in e.evidence]
    spans += [s for p in coding.pledges for s in p.evidence]
    spans += [s for d in coding.demands for s in d.evidence]
    spans += [s for s in (x for st in coding.statements for x in st.evidence)]
    assert spans
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert span.document_id == coding.document.id


def test_extraction_shape(extract_text: ExtractText) -> None:
    extraction = extract_text(ARTICLE)
    coding = extraction.coding
    assert coding.source == "automatic"
    assert [e.type for e in coding.events] == ["meeting"]
    assert [p.topics for p in coding.pledges] == [("narcotics",)]
    assert [(d.requesters, d.addressees) for d in coding.demands] == [
        (("china",), ("united-states",))
    ]
    assert [s.speaker for s in coding.statements] == ["joe-biden"]
    keys = [x.key for x in (*coding.events, *coding.pledges, *coding.demands, *coding.statements)]
    assert len(keys) == len(set(keys))
    assert coding.pledges[0].made_at == coding.events[0].key
    check_spans(extraction)
    assert {n.kind for n in extraction.noise} >= {"headline", "byline", "credit"}


def test_metonyms_denote_states(extract_text: ExtractText) -> None:
    [demand] = extract_text("Beijing urged Washington to lift its tariffs.").coding.demands
    assert (demand.requesters, demand.addressees) == (("china",), ("united-states",))


def test_unknown_people_and_places_are_provisional_never_dropped(extract_text: ExtractText) -> None:
    extraction = extract_text(
        "Japanese Prime Minister Fumio Kishida met South Korean President Yoon Suk Yeol in Hiroshima on Sunday."
    )
    [event] = extraction.coding.events
    assert event.actor_ids == {"fumio-kishida", "yoon-suk-yeol"}
    provisional = {a.id: a for a in extraction.actors}
    assert all(a.is_provisional for a in provisional.values())
    assert provisional["fumio-kishida"].country == "japan"
    assert provisional["yoon-suk-yeol"].country == "south-korea"
    assert {p.id for p in extraction.places} == {"hiroshima"}
    assert event.location == "hiroshima"
    assert {p.represents for p in event.participants} == {"japan", "south-korea"}


def test_provisional_surname_is_the_same_person(extract_text: ExtractText) -> None:
    extraction = extract_text(
        "Fumio Kishida met Biden in Woodside on Tuesday. Kishida pledged to double defence spending."
    )
    [pledge] = extraction.coding.pledges
    assert pledge.makers == ("fumio-kishida",)


def test_registry_with_adds_provisional_actors(
    extract_text: ExtractText, registry: Registry
) -> None:
    extraction = extract_text("Fumio Kishida met Biden in Woodside on Tuesday.")
    extended = registry_with(registry, extraction)
    assert extended.actors["fumio-kishida"].is_provisional
    assert "fumio-kishida" not in registry.actors


def test_missing_publication_date_leaves_relative_dates_unresolved(
    extract_text: ExtractText,
) -> None:
    extraction = extract_text("Biden met Xi in Woodside last Tuesday.", published=None)
    [event] = extraction.coding.events
    assert event.date is None
    [unresolved] = extraction.unresolved_dates
    assert unresolved.span.text == "last Tuesday"
    assert "publication date" in unresolved.reason


def test_absolute_dates_need_no_publication_date(extract_text: ExtractText) -> None:
    extraction = extract_text("Biden met Xi in Woodside on November 15, 2023.", published=None)
    assert extraction.coding.events[0].date.iso == "2023-11-15"  # type: ignore[union-attr]
    assert extraction.unresolved_dates == ()


def test_bundled_corpus_extracts_with_exact_spans() -> None:
    settings = Settings()
    registry = load_registry(settings.corpus_dir / "registry.yaml")
    from kg.rdf.ontology import load_vocabulary, scheme_notations

    vocabulary = scheme_notations(load_vocabulary(settings.ontology_dir))
    for path in sorted(Path(settings.corpus_dir).glob("*.txt")):
        extraction = extract(read_document(path), registry, vocabulary)
        check_spans(extraction)
        assert extraction.coding.events
        for noise in extraction.noise:
            for event in extraction.coding.events:
                for span in event.evidence:
                    assert not (noise.start <= span.start and span.end <= noise.end)


def test_titled_names_are_people_whatever_the_ner_says(extract_text: ExtractText) -> None:
    extraction = extract_text(
        "German Chancellor Olaf Scholz met Xi in Beijing on Tuesday. "
        "European Commission President Ursula von der Leyen met Scholz in Beijing on Wednesday."
    )
    people = {a.id: a for a in extraction.actors if a.kind == "person"}
    assert people["olaf-scholz"].country == "germany"
    assert people["ursula-von-der-leyen"].label == "Ursula von der Leyen"
    assert [e.actor_ids for e in extraction.coding.events if e.type == "meeting"] == [
        {"olaf-scholz", "xi-jinping"},
        {"ursula-von-der-leyen", "olaf-scholz"},
    ]
