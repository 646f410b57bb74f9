"""Property-based test of the whole API: schemathesis generates requests for every operation of the
OpenAPI document, valid and invalid, and sends them to a live server on 127.0.0.1 with a seeded database.
Whatever it sends, the server must never answer with a 5xx, and every error is a problem document.

Bounded: a few examples per operation, derandomized so a run is reproducible.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from cartera.api.services import api_token_create

EXAMPLES_PER_OPERATION = 5


def test_no_generated_request_makes_the_server_fail(live_server, world, records):
    # `records` seeds one record of every resource on the world's accounts, so ids hit real rows too.
    _token, key = api_token_create(actor=world.administrator, name="schemathesis")
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {key}"}
    answers: dict[str, set[int]] = {}
    failures: list[tuple[str, str, int, str]] = []

    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: schemathesis.Case) -> None:
            response = case.call(base_url=live_server.url, headers=headers, timeout=30)
            answers.setdefault(f"{case.method} {case.operation.path}", set()).add(response.status_code)
            content_type = ",".join(response.headers.get("content-type", []))
            if response.status_code >= 500 or (
                response.status_code >= 400 and content_type != "application/problem+json"
            ):
                failures.append((case.method, case.formatted_path, response.status_code, response.text[:300]))

        exercise()

    assert failures == []
    assert len(answers) == len(list(schema.get_all_operations()))
