"""Property-based fuzzing of the clinic API from its own OpenAPI schema.

schemathesis generates requests for every patients/scheduling/audit/billing/
payments/reminders operation; each runs through Django in-process as a clinic
admin, inside a savepoint that is rolled back, and must come back without a
5xx and as the schema says (status code, content type, body). Its date and
date-time values include the extremes (years 1 and 9999 at ±14:00).

Then a hostile pass, since generated values that fit the schema rarely hit
what breaks a database: each generated request is sent again with one value
at a time replaced by one of the same JSON type that PostgreSQL or Python
could choke on (a NUL in text, an int past bigint, a decimal wider than any
column, a date-time past year 9999 in UTC), every declared query parameter
(offset, limit, ids ...) set past bigint, and every body replaced by 3 MB.
None may answer a 5xx; each error is in the one JSON shape.

Bounded: a fixed number of examples per operation, derandomized so CI runs
are repeatable.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import pytest
import requests
import schemathesis
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.formats import unregister_string_format

pytestmark = pytest.mark.django_db

FUZZED_TAGS = {
    "patients",
    "scheduling",
    "dental",
    "audit",
    "billing",
    "payments",
    "reminders",
}
# The hostile pass also takes sign-in (its rate limit answers 429, a 4xx).
HOSTILE_TAGS = FUZZED_TAGS | {"auth"}
# (generation mode, examples per operation): valid requests must be handled
# as documented; invalid ones must be refused with a documented 4xx.
MODES = [(GenerationMode.POSITIVE, 15), (GenerationMode.NEGATIVE, 8)]
# Generated requests per operation that the hostile pass mutates.
HOSTILE_BASES = 2

EXTREME_DATETIMES = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59",
    "0001-01-01T00:00:00",
]
EXTREME_DATES = ["0001-01-01", "9999-12-31"]
BEYOND_BIGINT = 2**63
HUGE_DECIMAL = "9" * 40 + ".99"
HUGE_BODY = json.dumps({"x": "x" * (3 * 1024 * 1024)})
DATETIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT")
DATE_RE = re.compile(r"^\d{4}-\d\d-\d\d$")
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class _Rollback(Exception):
    pass


@pytest.fixture
def extreme_dates() -> Iterator[None]:
    """Generated date and date-time values include the extremes."""
    recent = st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001 - bounds of a naive strategy
        max_value=datetime(2028, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    )
    schemathesis.openapi.format(
        "date-time",
        st.one_of(st.sampled_from(EXTREME_DATETIMES), recent.map(datetime.isoformat)),
    )
    schemathesis.openapi.format(
        "date",
        st.one_of(
            st.sampled_from(EXTREME_DATES),
            recent.map(lambda moment: moment.date().isoformat()),
        ),
    )
    yield
    unregister_string_format("date-time")
    unregister_string_format("date")


def _operations(raw_schema: dict, tags: set[str] = FUZZED_TAGS):
    schema = schemathesis.openapi.from_dict(raw_schema)
    for result in schema.get_all_operations():
        operation = result.ok()
        if tags & set(operation.definition.raw.get("tags", [])):
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


def test_clinical_api_survives_fuzzing(api, alpha, extreme_dates):
    with time_machine.travel("2027-01-05T12:00:00Z", tick=True):
        client = api(alpha, "admin")
        raw = client.get("/api/openapi.json").json()
        operations = list(_operations(raw))
        assert len(operations) >= 30

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


# --- The hostile pass --------------------------------------------------------


# Text by what it looks like: (pattern, its hostile stand-ins).
HOSTILE_TEXT = [
    (DATETIME_RE, EXTREME_DATETIMES[:2]),
    (DATE_RE, EXTREME_DATES),
    (NUMBER_RE, [HUGE_DECIMAL, "1e400"]),
]


def _hostile(value: Any) -> list[Any]:
    """Values of the same JSON type that PostgreSQL or Python could choke on."""
    if isinstance(value, str):
        found = [bad for pattern, bad in HOSTILE_TEXT if pattern.match(value)]
        return found[0] if found else [f"{value}\x00"]
    if isinstance(value, float):
        return [1e308, HUGE_DECIMAL]
    if isinstance(value, int) and not isinstance(value, bool):
        return [BEYOND_BIGINT, -BEYOND_BIGINT - 1]
    return []


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list) and value:
        yield from _leaves(value[0], (*path, 0))
    elif path:
        yield path, value


def _replaced(value: Any, path: tuple, new: Any) -> Any:
    value = copy.deepcopy(value)
    target = value
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return value


def _declared_samples(operation, location: str) -> dict[str, Any]:
    """A plausible value per declared parameter, to be made hostile even when
    the generated request left it out (offset and limit, typically)."""
    samples: dict[str, Any] = {}
    for param in operation.definition.raw.get("parameters", []):
        if param.get("in") != location:
            continue
        schema = param.get("schema", {})
        kinds = [schema, *schema.get("anyOf", [])]
        if any(k.get("type") == "integer" for k in kinds):
            samples[param["name"]] = 1
        elif any(k.get("format") == "date-time" for k in kinds):
            samples[param["name"]] = "2027-01-05T10:00:00Z"
        elif any(k.get("format") == "date" for k in kinds):
            samples[param["name"]] = "2027-01-05"
        elif any(k.get("type") == "string" and "enum" not in k for k in kinds):
            samples[param["name"]] = "x"
    return samples


def _mutations(case) -> Iterator[tuple[str, dict, dict, Any]]:
    """(what, path parameters, query, body) with one hostile value each."""
    path_params = dict(case.path_parameters or {})
    query = {**_declared_samples(case.operation, "query"), **(case.query or {})}
    body = case.body if isinstance(case.body, dict | list) else None
    for name, value in path_params.items():
        for bad in _hostile(value):
            yield f"path {name}={bad!r}", {**path_params, name: bad}, query, body
    for name, value in query.items():
        for bad in _hostile(value):
            yield f"query {name}={bad!r}", path_params, {**query, name: bad}, body
    if body is not None:
        for path, value in _leaves(body):
            for bad in _hostile(value):
                mutated = _replaced(body, path, bad)
                yield f"body {path}={bad!r}", path_params, query, mutated


def _send(client, method: str, path: str, *, query: dict, body: Any, raw=None):
    encoded = raw if raw is not None else json.dumps(body if body is not None else {})
    url = requests.Request("GET", f"http://{client.host}{path}", params=query)
    return client.client.generic(
        method,
        url.prepare().path_url,
        data=encoded.encode(),
        content_type="application/json",
        HTTP_HOST=client.host,
        HTTP_AUTHORIZATION=f"Bearer {client.token}",
    )


def _assert_clean_error(response, what: str) -> None:
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (
        what,
        response.content[:500],
    )
    if response.status_code >= HTTPStatus.BAD_REQUEST:
        assert set(response.json()["error"]) == {"code", "message", "details"}, what


def _in_rollback(send) -> Any:
    try:
        with transaction.atomic():
            response = send()
            raise _Rollback(response)
    except _Rollback as done:
        return done.args[0]


def test_clinic_api_survives_hostile_values(api, alpha):
    with time_machine.travel("2027-01-05T12:00:00Z", tick=True):
        client = api(alpha, "admin")
        raw = client.get("/api/openapi.json").json()
        operations = list(_operations(raw, HOSTILE_TAGS))
        assert len(operations) >= 30
        for operation in operations:
            _hostile_operation(client, operation)


def _hostile_operation(client, operation) -> None:
    method = operation.method.upper()
    if "requestBody" in operation.definition.raw:
        path = operation.path.format(
            **dict.fromkeys(re.findall(r"{(\w+)}", operation.path), 1)
        )
        response = _in_rollback(
            lambda: _send(client, method, path, query={}, body=None, raw=HUGE_BODY)
        )
        assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE, (
            f"{method} {operation.path}: 3 MB body",
            response.content[:300],
        )
        _assert_clean_error(response, f"{method} {operation.path}: 3 MB body")

    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    @settings(
        max_examples=HOSTILE_BASES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def hostile(case):
        for what, path_params, query, body in _mutations(case):
            path = operation.path.format(**path_params)
            response = _in_rollback(
                lambda: _send(client, method, path, query=query, body=body)  # noqa: B023
            )
            _assert_clean_error(response, f"{method} {operation.path}: {what}")

    hostile()
