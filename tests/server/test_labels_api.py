"""``/api/labels`` in process (Flask's test client) over the bundled store: the name to show
for each IRI (skos:prefLabel before rdfs:label), by GET or a form POST, IRIs without a label
left out; bounded input, and every bad request a problem+json naming the parameter."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from server.responses import MAX_LABELS

ID = "https://w3id.org/dipkg/id/"
CHINA = ID + "actor/china"
MEETING = ID + "event/2023-11-15-meeting-joe-biden-xi-jinping"
TOPIC = "https://w3id.org/dipkg/concept/topic/strategic_coordination"
MEETING_CLASS = "https://w3id.org/dipkg/def#Meeting"
FORM = "application/x-www-form-urlencoded"


def test_each_iri_gets_its_label_and_unlabelled_ones_are_left_out(client: FlaskClient) -> None:
    unknown = ID + "actor/nobody-of-that-name"
    response = client.get(
        "/api/labels", query_string=[("iri", i) for i in (CHINA, MEETING, unknown)]
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "labels": {
            CHINA: "People's Republic of China",
            MEETING: "Meeting of Joe Biden and Xi Jinping, 2023-11-15",
        }
    }


def test_a_concept_shows_its_preferred_label_and_a_class_its_label(client: FlaskClient) -> None:
    labels = client.get(
        "/api/labels", query_string=[("iri", TOPIC), ("iri", MEETING_CLASS)]
    ).get_json()["labels"]
    assert labels == {TOPIC: "Strategic coordination", MEETING_CLASS: "Meeting"}


def test_a_long_list_goes_in_a_form_post(client: FlaskClient) -> None:
    many = [CHINA] + [f"{ID}actor/unknown-{n}" for n in range(MAX_LABELS - 1)]
    response = client.post("/api/labels", data={"iri": many})
    assert response.status_code == 200
    assert response.get_json()["labels"] == {CHINA: "People's Republic of China"}


def problem_of(response) -> dict[str, object]:  # type: ignore[no-untyped-def]
    assert response.mimetype == "application/problem+json", response.data[:200]
    body: dict[str, object] = response.get_json()
    assert body["status"] == response.status_code
    return body


@pytest.mark.parametrize(
    ("arguments", "kind", "parameter"),
    [
        ([], "bad-parameter", "iri"),
        ([("iri", "")], "bad-parameter", "iri"),
        ([("iri", "not an iri")], "bad-parameter", "iri"),
        ([("iri", CHINA + "> . ?s ?p ?o")], "bad-parameter", "iri"),
        ([("iri", "https://x/" + "a" * 3000)], "bad-parameter", "iri"),
        ([("iri", f"{ID}x/{n}") for n in range(MAX_LABELS + 1)], "bad-parameter", "iri"),
        ([("iri", CHINA), ("lang", "fr")], "unknown-parameter", "lang"),
    ],
    ids=["none", "empty", "words", "injection", "too-long", "too-many", "unknown"],
)
def test_bad_input_is_a_problem_naming_the_parameter(
    client: FlaskClient, arguments: list[tuple[str, str]], kind: str, parameter: str
) -> None:
    response = client.post("/api/labels", data=MultiDict(arguments), content_type=FORM)
    if len(arguments) < 10:  # the same answer by GET (a long list would not fit a URL)
        assert problem_of(client.get("/api/labels", query_string=arguments)) == problem_of(response)
    body = problem_of(response)
    assert response.status_code == 400
    assert body["type"] == f"/problems/{kind}"
    assert body["parameter"] == parameter


def test_a_post_body_must_be_form_encoded(client: FlaskClient) -> None:
    response = client.post("/api/labels", json={"iri": [CHINA]})
    assert response.status_code == 415
    assert problem_of(response)["type"] == "/problems/unsupported-media-type"


def test_the_openapi_document_describes_it(client: FlaskClient) -> None:
    operations = client.get("/api/openapi.json").get_json()["paths"]["/api/labels"]
    assert set(operations) == {"get", "post"}
    (parameter,) = operations["get"]["parameters"]
    assert parameter["name"] == "iri" and parameter["schema"]["maxItems"] == MAX_LABELS
    assert "400" in operations["get"]["responses"] and "415" in operations["post"]["responses"]
