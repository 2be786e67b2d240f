"""Property-based fuzzing of the clinical API from its own OpenAPI schema.

schemathesis generates requests for every patients/scheduling/audit
operation; each runs through Django in-process as a clinic admin, inside a
savepoint that is rolled back, and must come back without a 5xx and as the
schema says (status code, content type, body). Bounded: a fixed number of
examples per operation, derandomized so CI runs are repeatable.
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

FUZZED_TAGS = {"patients", "scheduling", "audit"}
# (generation mode, examples per operation): valid requests must be handled
# as documented; invalid ones must be refused with a documented 4xx.
MODES = [(GenerationMode.POSITIVE, 15), (GenerationMode.NEGATIVE, 8)]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class _Rollback(Exception):
    pass


def _operations(raw_schema: dict):
    schema = schemathesis.openapi.from_dict(raw_schema)
    for result in schema.get_all_operations():
        operation = result.ok()
        if FUZZED_TAGS & set(operation.definition.raw.get("tags", [])):
            yield operation


def _run(client, case) -> Response:
    kwargs = case.as_transport_kwargs(base_url=f"http://{client.host}")
    kwargs["headers"]["Authorization"] = f"Bearer {client.token}"
    fields = ("method", "url", "headers", "params", "json", "data", "cookies")
    prepared = requests.Request(
        **{k: kwargs[k] for k in fields if k in kwargs}
    ).prepare()
    headers = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in prepared.headers.items()
        if k.lower() not in ("content-type", "content-length", "host")
    }
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    response = client.client.generic(
        prepared.method,
        prepared.path_url,
        data=body,
        content_type=prepared.headers.get("Content-Type", "application/octet-stream"),
        HTTP_HOST=client.host,
        **headers,
    )
    return Response(
        status_code=response.status_code,
        headers={k: [v] for k, v in response.headers.items()},
        content=response.content,
        request=prepared,
        elapsed=0.0,
        verify=False,
    )


def test_clinical_api_survives_fuzzing(api, alpha):
    with time_machine.travel("2027-01-05T12:00:00Z", tick=True):
        client = api(alpha, "admin")
        raw = client.get("/api/openapi.json").json()
        operations = list(_operations(raw))
        assert len(operations) >= 20

        for operation in operations:
            for mode, examples in MODES:
                _fuzz_operation(client, operation, mode, examples)


def _fuzz_operation(client, operation, mode, examples: int) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        try:
            with transaction.atomic():
                response = _run(client, case)
                case.validate_response(response, checks=CHECKS)
                raise _Rollback
        except _Rollback:
            pass

    fuzz()
