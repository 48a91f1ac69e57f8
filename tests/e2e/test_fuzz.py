"""Fuzzing of the HTTP API from its own OpenAPI document (schemathesis generates the cases,
Hypothesis drives them): whatever the parameters and bodies, no response is a server error
(503 is deliberate: a timeout or a busy worker), and every error is a problem+json body."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.support import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_no_operation_answers_a_server_error(live_server: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    seen: dict[str, set[int]] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
        def fuzz(case: schemathesis.Case) -> None:
            response = case.call(timeout=30)
            seen.setdefault(case.operation.label, set()).add(response.status_code)
            assert response.status_code < 500 or response.status_code == 503, response.text[:300]
            if response.status_code >= 400:
                headers = {k.lower(): v for k, v in response.headers.items()}
                media = headers["content-type"]
                media = media[0] if isinstance(media, list) else media
                assert media.startswith("application/problem+json"), media

        fuzz()
    assert len(seen) == len(operations), seen
