"""Responses to demands found by extraction: each kind from its cue words, linked to the
demand of the same document that was made of the responder, and nothing where no demand was
made of it or the verb answers something else."""

from __future__ import annotations

import pytest

from tests.extract.conftest import ExtractText

ASK = "Biden urged China to release the five detained journalists. "


@pytest.mark.parametrize(
    ("text", "kind", "rule"),
    [
        (ASK + "China rejected the demand on Wednesday.", "rejected", "response.verb.reject"),
        (ASK + "Beijing dismissed the call as interference.", "rejected", "response.verb.dismiss"),
        (ASK + "China refused to release them.", "rejected", "response.verb.refuse"),
        (ASK + "China agreed to release the journalists.", "accepted", "response.verb.agree"),
        (ASK + "China said it would consider the request.", "deflected", "response.verb.consider"),
        (ASK + "China declined to comment.", "deflected", "response.verb.decline-comment"),
        (ASK + "China did not respond.", "ignored", "response.verb.not-respond"),
        (ASK + "China partly met the demand.", "partly_met", "response.verb.meet"),
    ],
    ids=[
        "rejected",
        "dismissed",
        "refused",
        "agreed",
        "consider",
        "no-comment",
        "silence",
        "partly",
    ],
)
def test_each_kind_answers_the_demand(
    extract_text: ExtractText, text: str, kind: str, rule: str
) -> None:
    coding = extract_text(text).coding
    [demand] = coding.demands
    [response] = coding.responses
    assert (response.demand, response.kind, response.rule) == (demand.key, kind, rule)
    assert response.responders == ("china",)
    [span] = response.evidence
    assert text[span.start : span.end] == span.text and span.start > 0
    assert 0 < response.confidence < 1


def test_the_response_is_dated_by_its_own_sentence(extract_text: ExtractText) -> None:
    coding = extract_text(ASK + "China rejected the demand on Wednesday.").coding
    [response] = coding.responses
    # published on Tuesday 2 April 2024: the Wednesday before
    assert response.date is not None and response.date.iso == "2024-03-27"


@pytest.mark.parametrize(
    "text",
    [
        "China rejected the demand.",  # no demand reported
        ASK + "China rejected the accusation.",  # not the demand
        ASK + "China agreed to buy 100 Boeing aircraft.",  # another matter
        ASK + "The United States rejected the request.",  # the side that asked
        ASK + "Russia rejected the demand.",  # not asked of it
        ASK + "China did not reject the demand.",  # negated
    ],
    ids=["no-demand", "other-object", "other-topic", "own-side", "not-addressed", "negated"],
)
def test_no_response_without_a_demand_made_of_the_responder(
    extract_text: ExtractText, text: str
) -> None:
    assert extract_text(text).coding.responses == ()
