"""Statements: quotations with the speaker before, after, "according to", or a pronoun;
scare quotes are not statements."""

from __future__ import annotations

import pytest

from .conftest import ExtractText


@pytest.mark.parametrize(
    ("text", "speaker", "quote"),
    [
        (
            "“We have developed a very special bond,” Biden said.",
            "joe-biden",
            "We have developed a very special bond",
        ),
        (
            "Biden said: “We have developed a very special bond.”",
            "joe-biden",
            "We have developed a very special bond.",
        ),
        (
            "Xi said that “turning our backs on each other is not realistic” for the two countries.",
            "xi-jinping",
            "turning our backs on each other is not realistic",
        ),
        (
            "What Xi described as “the most important bilateral relationship in the world” is strained.",
            "xi-jinping",
            "the most important bilateral relationship in the world",
        ),
        (
            "Biden called the talks “some of the most productive discussions we’ve had”.",
            "joe-biden",
            "some of the most productive discussions we’ve had",
        ),
        (
            "The White House described the meeting as “candid and constructive”.",
            "white-house",
            "candid and constructive",
        ),
        (
            "According to Blinken, “the door to diplomacy remains open.”",
            "antony-blinken",
            "the door to diplomacy remains open.",
        ),
        (
            "Putin spoke after the talks. “There was no hostility,” he said.",
            "vladimir-putin",
            "There was no hostility",
        ),
        (
            "“We would hope there would be a chance for another meeting,” the senior administration official said.",
            "us-senior-administration-official",
            "We would hope there would be a chance for another meeting",
        ),
        (
            "Xi asked Biden to “stop arming Taiwan, and support China’s peaceful reunification”.",
            "xi-jinping",
            "stop arming Taiwan, and support China’s peaceful reunification",
        ),
        (
            'Xi\'s pledge to "strengthen strategic coordination" with Moscow was noted.',
            "xi-jinping",
            "strengthen strategic coordination",
        ),
    ],
    ids=[
        "after",
        "before-colon",
        "said-that",
        "described-as",
        "called",
        "organisation",
        "according-to",
        "pronoun",
        "anonymous",
        "asked-to",
        "possessor",
    ],
)
def test_speaker_and_quote(extract_text: ExtractText, text: str, speaker: str, quote: str) -> None:
    statements = extract_text(text).coding.statements
    assert [(s.speaker, s.quote) for s in statements] == [(speaker, quote)]
    span = statements[0].evidence[0]
    assert quote in span.text


def test_unknown_speaker_becomes_a_provisional_person(extract_text: ExtractText) -> None:
    extraction = extract_text(
        "“We are ready to talk,” Japanese Prime Minister Fumio Kishida told reporters."
    )
    [statement] = extraction.coding.statements
    actor = next(a for a in extraction.actors if a.id == statement.speaker)
    assert (actor.id, actor.label, actor.kind, actor.is_provisional) == (
        "fumio-kishida",
        "Fumio Kishida",
        "person",
        True,
    )
    assert actor.country == "japan"
    japan = next(a for a in extraction.actors if a.id == "japan")
    assert japan.kind == "state" and japan.is_provisional


def test_unknown_anonymous_source_is_provisional(extract_text: ExtractText) -> None:
    extraction = extract_text("“The talks went well,” a Chinese diplomat said.")
    [statement] = extraction.coding.statements
    actor = next(a for a in extraction.actors if a.id == statement.speaker)
    assert actor.kind == "anonymous" and actor.is_provisional and actor.country == "china"


@pytest.mark.parametrize(
    "text",
    [
        "In a “clear-headed” and “not heated” discussion, both sides restated their positions.",
        "Biden reaffirmed the “One China” policy.",
        "One hashtag read “the heads of states looking at a photograph from 38 years ago”.",
    ],
    ids=["scare-quotes", "policy-name", "no-speaker"],
)
def test_no_statement(extract_text: ExtractText, text: str) -> None:
    assert extract_text(text).coding.statements == ()


def test_repeated_quote_is_one_statement(extract_text: ExtractText) -> None:
    text = "“Trust but verify,” Biden said.\n\n“Trust but verify,” Biden said again on Tuesday.\n"
    assert len(extract_text(text).coding.statements) == 1
