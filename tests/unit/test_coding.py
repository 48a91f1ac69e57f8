"""The curated-coding loader: records with exact spans, and errors naming file, item, field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.records import DateValue, Document
from kg.sources.coding import read_coding
from kg.sources.registry import load_registry

TEXT = "Xi met Biden on Tuesday. Xi said “no”. Xi met Biden again."
VOCABULARY = {
    "event-type": frozenset({"meeting", "phone_call"}),
    "event-status": frozenset({"held", "planned"}),
    "participant-role": frozenset({"participant", "host", "visitor"}),
    "topic": frozenset({"taiwan"}),
    "pledge-status": frozenset({"made", "reaffirmed"}),
    "commitment-kind": frozenset({"pledge"}),
    "demand-kind": frozenset({"demand"}),
}
GOOD = """
document: doc
events:
  - id: m
    type: meeting
    date: {value: 2024-04-02, basis: inferred}
    participants: [{actor: Xi}, {actor: Biden}]
    evidence: ["Xi met Biden", {quote: "Xi met Biden", occurrence: 2}]
statements:
  - id: s
    speaker: President Xi
    quote: no
    at: m
    evidence: ["Xi said “no”."]
"""


@pytest.fixture()
def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "registry.yaml").write_text(
        textwrap.dedent("""
        states:
          - {id: china, label: China}
          - {id: us, label: United States}
        people:
          - {id: xi, label: Xi Jinping, aliases: [Xi], country: china}
          - {id: biden, label: Joe Biden, aliases: [Biden], country: us}
    """),
        encoding="utf-8",
    )
    registry = load_registry(tmp_path / "registry.yaml")
    document = Document("doc", TEXT, "Title", DateValue.parse("2024-04-02"))

    def read(text: str):  # type: ignore[no-untyped-def]
        path = tmp_path / "doc.coding.yaml"
        path.write_text(text, encoding="utf-8")
        return read_coding(path, document, registry, VOCABULARY)

    return read


def test_good_coding(setup) -> None:  # type: ignore[no-untyped-def]
    coding = setup(GOOD)
    [event] = coding.events
    assert event.actor_ids == {"xi", "biden"}
    assert event.date is not None and event.date.basis == "inferred"
    first, second = event.evidence
    assert (first.start, second.start) == (0, TEXT.rindex("Xi met Biden"))
    assert all(TEXT[s.start : s.end] == s.text for s in event.evidence)
    [statement] = coding.statements
    assert statement.speaker == "xi" and statement.date == event.date


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('Xi met Biden"', 'Xi met Obama"'), "events[0].evidence[0]: quote not found in doc"),
        (("occurrence: 2", "occurrence: 3"), "quote not found in doc (occurrence 3)"),
        (
            ("{actor: Biden}", "{actor: Obama}"),
            "participants[1].actor: 'Obama' is not in the actor registry",
        ),
        (("2024-04-02", "2024-02-30"), "events[0].date: '2024-02-30' is not a real date"),
        (
            ("type: meeting", "type: dinner"),
            "events[0].type: 'dinner' is not in the event-type scheme",
        ),
        (("document: doc", "document: other"), "document: names 'other'"),
        (("at: m", "at: x"), "statements[0].at: no event has id 'x'"),
        (("quote: no", "quote: yes"), "statements[0].quote: 'yes' is not inside"),
        (("basis: inferred", "basis: corrected"), "a corrected date needs a note"),
        (
            ("    type: meeting", "    type: meeting\n    colour: red"),
            "events[0].colour: unknown key",
        ),
        (("events:", "events: ["), "doc.coding.yaml:"),
    ],
    ids=[
        "quote-missing",
        "occurrence",
        "unknown-actor",
        "impossible-date",
        "unknown-concept",
        "wrong-document",
        "unknown-event",
        "quote-not-in-evidence",
        "corrected-without-note",
        "unknown-key",
        "malformed-yaml",
    ],
)
def test_errors_name_file_item_and_field(setup, change: tuple[str, str], message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        setup(GOOD.replace(*change))
    assert message in info.value.message
    assert "doc.coding.yaml" in info.value.message


# -- property-based: whatever the YAML, an InputError or a coding, never a crash -----------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 3000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["Xi", "Biden", "meeting", "held", "2024-04-02", "2024-W14", "m", "", "no"]),
    st.text(max_size=12),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "type",
                    "date",
                    "value",
                    "basis",
                    "participants",
                    "actor",
                    "evidence",
                    "quote",
                    "occurrence",
                    "speaker",
                    "at",
                    "status",
                    "role",
                    "topics",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)
_CODINGS = st.fixed_dictionaries(
    {"document": st.sampled_from(["doc", "other"])},
    optional={
        "events": st.lists(_VALUES, max_size=2),
        "statements": st.lists(_VALUES, max_size=2),
        "pledges": st.lists(_VALUES, max_size=2),
        "demands": st.lists(_VALUES, max_size=2),
        "coder": _SCALARS,
    },
)


@pytest.mark.slow
@given(_CODINGS)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_coding_is_read_or_refused_with_an_input_error(setup, data) -> None:  # type: ignore[no-untyped-def]
    try:
        coding = setup(yaml.safe_dump(data, allow_unicode=True))
    except InputError as exc:
        assert "doc.coding.yaml" in exc.message
    else:
        for fact in (*coding.events, *coding.statements):
            assert all(TEXT[s.start : s.end] == s.text for s in fact.evidence)


# a person the registry lacks, declared in the coding; a confidence on the event
WITH_PROVISIONAL = GOOD.replace(
    "document: doc\n",
    "document: doc\nprovisional:\n  people:\n    - {id: kim, label: Kim Jong Un, country: china}\n",
)
WITH_PROVISIONAL = WITH_PROVISIONAL.replace(
    "participants: [{actor: Xi}, {actor: Biden}]",
    "participants: [{actor: Kim Jong Un}, {actor: Biden}]\n    confidence: 0.85",
)


def test_provisional_entries_and_confidence(setup) -> None:  # type: ignore[no-untyped-def]
    coding = WITH_PROVISIONAL
    read = setup(coding)
    [event] = read.events
    assert event.actor_ids == {"kim", "biden"} and event.confidence == 0.85


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("confidence: 0.85", "confidence: high"), "is not a number from 0 to 1"),
        (("{id: kim, label: Kim Jong Un", "{id: xi, label: Kim Jong Un"), "is in the registry now"),
        (("country: china}", "country: korea}"), "'korea' is not an actor id"),
    ],
    ids=["confidence", "now-in-registry", "bad-reference"],
)
def test_provisional_and_confidence_errors(setup, change, message) -> None:  # type: ignore[no-untyped-def]
    coding = WITH_PROVISIONAL
    with pytest.raises(InputError, match=message):
        setup(coding.replace(*change))
