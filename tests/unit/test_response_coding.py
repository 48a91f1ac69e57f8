"""Responses in the curated coding: read with spans and registry ids, refused with the file,
item and field named, and written back so that reading the text gives the same records."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.records import DateValue, Document
from kg.sources.coding import parse_coding
from kg.sources.coding_writer import write_coding
from kg.sources.registry import load_registry

TEXT = "Biden asked Xi to curb fentanyl exports. Xi rejected the request. China did not respond."
VOCABULARY = {
    "topic": frozenset({"narcotics"}),
    "demand-kind": frozenset({"request"}),
    "response-kind": frozenset({"rejected", "ignored"}),
}
GOOD = """
document: doc
demands:
  - id: curb
    kind: request
    by: [Biden]
    to: [Xi]
    content: curb fentanyl exports
    topics: [narcotics]
    evidence: ["Biden asked Xi to curb fentanyl exports."]
responses:
  - id: no
    demand: curb
    kind: rejected
    by: [President Xi]
    date: {value: 2024-04-03, basis: inferred, note: the day after the call}
    evidence: ["Xi rejected the request."]
    note: a flat refusal
  - id: silence
    demand: curb
    kind: ignored
    by: [China]
    evidence: ["China did not respond."]
"""


@pytest.fixture()
def read(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "registry.yaml").write_text(
        textwrap.dedent("""
        states:
          - {id: china, label: China}
          - {id: us, label: United States}
        people:
          - {id: xi, label: Xi Jinping, aliases: [Xi, President Xi], country: china}
          - {id: biden, label: Joe Biden, aliases: [Biden], country: us}
        """),
        encoding="utf-8",
    )
    registry = load_registry(tmp_path / "registry.yaml")
    document = Document("doc", TEXT, "Title", DateValue.parse("2024-04-03"))

    def read(text: str):  # type: ignore[no-untyped-def]
        return parse_coding(text, "doc.coding.yaml", document, registry, VOCABULARY)

    read.registry = registry  # type: ignore[attr-defined]
    return read


def test_responses_are_read_with_spans_and_registry_ids(read) -> None:  # type: ignore[no-untyped-def]
    no, silence = read(GOOD).coding.responses
    assert (no.key, no.demand, no.kind, no.responders) == ("no", "curb", "rejected", ("xi",))
    assert no.date == DateValue.parse("2024-04-03", "inferred", "the day after the call")
    [span] = no.evidence
    assert TEXT[span.start : span.end] == "Xi rejected the request." == span.text
    assert no.note == "a flat refusal" and no.confidence == 1.0
    assert (silence.kind, silence.responders, silence.date) == ("ignored", ("china",), None)


def test_the_coding_round_trips_through_the_writer(read) -> None:  # type: ignore[no-untyped-def]
    first = read(GOOD).coding
    text = write_coding(first, read.registry)
    assert "responses:" in text and "demand: curb" in text
    again = read(text).coding
    assert again.responses == first.responses
    assert again.demands == first.demands


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("demand: curb\n    kind: rejected", "demand: stop\n    kind: rejected"),
            "responses[0].demand: no demand has id 'stop'",
        ),
        (
            ("kind: rejected", "kind: sulked"),
            "responses[0].kind: 'sulked' is not in the response-kind scheme",
        ),
        (("by: [President Xi]", "by: []"), "responses[0].by: a response needs at least one actor"),
        (
            ("by: [China]", "by: [Atlantis]"),
            "responses[1].by: 'Atlantis' is not in the actor registry",
        ),
        (
            ('["Xi rejected the request."]', '["Xi accepted the request."]'),
            "responses[0].evidence[0]: quote not found",
        ),
        (("id: silence", "id: curb"), "'curb' is used by two items"),
        (
            ("    note: a flat refusal", "    note: a flat refusal\n    tone: cold"),
            "responses[0].tone: unknown key",
        ),
    ],
    ids=[
        "unknown-demand",
        "unknown-kind",
        "no-responder",
        "unknown-actor",
        "quote-missing",
        "same-id",
        "unknown-key",
    ],
)
def test_a_broken_response_names_file_item_and_field(
    read, change: tuple[str, str], message: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        read(GOOD.replace(*change))
    assert message in info.value.message
    assert "doc.coding.yaml" in info.value.message
