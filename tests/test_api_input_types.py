"""Every API input goes through the project's own bounded field types.

Walks every operation of both NinjaAPI instances — the models ninja builds
for its body, query and path parameters, nested models and list items
included — and fails on any field PostgreSQL or Python could choke on:
text without a length bound or the NUL check, a date or datetime without the
year bound (chairside.core.types), a Decimal without the column's digits, an
int without both bounds, an unbounded list, or anything untyped. And every
paginated operation must page with BoundedLimitOffsetPagination.

A new endpoint with a plain `str`, `datetime`, `Decimal` or `int`, or with
ninja's stock paginator, fails here before it can answer a 500.
"""

from __future__ import annotations

import datetime
import enum
import types
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
import pytest
from ninja.files import UploadedFile
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from chairside.core import types as bounded
from chairside.core.pagination import BoundedLimitOffsetPagination
from config.api import clinic_api, public_api

PAGINATION_FIELD = "ninja_pagination"


def _operations() -> Iterator[tuple[str, Any]]:
    for api in (public_api, clinic_api):
        for router in api._get_bound_routers():
            for path, path_view in router.path_operations.items():
                for operation in path_view.operations:
                    for method in operation.methods:
                        yield f"{api.urls_namespace} {method} {path}", operation


def _validators(metadata: list[Any]) -> set[Any]:
    return {m.func for m in metadata if isinstance(m, AfterValidator)}


def _has(metadata: list[Any], *kinds: type) -> bool:
    return any(isinstance(m, kinds) for m in metadata)


def _digits(metadata: list[Any]) -> bool:
    return any(
        getattr(m, "max_digits", None) is not None
        and getattr(m, "decimal_places", None) is not None
        for m in metadata
    )


def _expand(metadata: list[Any]) -> list[Any]:
    # A Field(...) inside Annotated carries its constraints in .metadata.
    out: list[Any] = []
    for item in metadata:
        out.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    return out


# The scalar types an input may use: (is it bounded?, what to use instead).
SCALAR_RULES: dict[Any, tuple[Callable[[list[Any]], bool], str]] = {
    str: (
        lambda m: _has(m, annotated_types.MaxLen) and bounded._no_nul in _validators(m),
        "str (use Text(n))",
    ),
    int: (
        lambda m: (
            _has(m, annotated_types.Ge, annotated_types.Gt)
            and _has(m, annotated_types.Le, annotated_types.Lt)
        ),
        "int without both bounds (use Id, Quantity, Int32 or Field(ge, le))",
    ),
    Decimal: (_digits, "Decimal (use Money)"),
    datetime.datetime: (
        lambda m: bounded._sane_datetime in _validators(m),
        "datetime (use SaneDateTime)",
    ),
    datetime.date: (
        lambda m: bounded._sane_date in _validators(m),
        "date (use SaneDate)",
    ),
    bool: (lambda m: True, ""),
    datetime.time: (lambda m: True, ""),  # a wall-clock time cannot overflow
    # An uploaded file never reaches a column as such: the endpoint reads at
    # most its service's limit (dental's CSV import: MAX_BYTES + 1).
    UploadedFile: (lambda m: True, ""),
}


def problems(annotation: Any, metadata: list[Any], where: str) -> list[str]:
    """What is unbounded about one field's type (empty: nothing)."""
    metadata = _expand(metadata)
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return problems(base, [*metadata, *extra], where)
    if origin in (Union, types.UnionType):
        return [
            problem
            for member in get_args(annotation)
            if member is not type(None)
            for problem in problems(member, metadata, where)
        ]
    if origin in (list, set, tuple):
        found = [] if _has(metadata, annotated_types.MaxLen) else [f"{where}: list"]
        (item,) = get_args(annotation)
        return found + problems(item, [], f"{where}[]")
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_problems(annotation, where)
    if origin is Literal or (
        isinstance(annotation, type) and issubclass(annotation, enum.Enum)
    ):
        return []
    is_bounded, instead = SCALAR_RULES.get(
        annotation, (lambda m: False, f"{annotation!r} is not a bounded input type")
    )
    return [] if is_bounded(metadata) else [f"{where}: {instead}"]


def model_problems(model: type[BaseModel], where: str) -> list[str]:
    return [
        problem
        for name, field in model.model_fields.items()
        for problem in problems(
            field.annotation, list(field.metadata), f"{where}.{name}"
        )
    ]


def operation_problems(name: str, operation: Any) -> list[str]:
    found: list[str] = []
    for model in operation.models:
        for field_name, field in model.model_fields.items():
            if field_name == PAGINATION_FIELD and (
                field.annotation is not BoundedLimitOffsetPagination.Input
            ):
                found.append(f"{name}: pages with {field.annotation.__qualname__}")
        found += model_problems(model, name)
    return found


def test_the_walk_sees_every_operation_and_its_inputs():
    names = {name for name, _ in _operations()}
    assert "clinic_api POST /payments" in names
    assert "clinic_api GET /billing/invoices" in names
    assert "public_api POST /public/clinics" in names
    assert len(names) > 40


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (str, 1),
        (bounded.Text(10), 0),
        (int, 1),
        (bounded.Id, 0),
        (Decimal, 1),
        (bounded.Money, 0),
        (datetime.datetime | None, 1),
        (bounded.SaneDateTime | None, 0),
        (datetime.date, 1),
        (bounded.DateOrInstant, 0),
        (list[bounded.Id], 1),
        (dict[str, Any], 1),
    ],
)
def test_the_check_tells_bounded_from_plain(annotation, expected):
    assert len(problems(annotation, [], "f")) == expected


def test_every_api_input_is_a_bounded_type():
    found = [
        problem
        for name, operation in _operations()
        for problem in operation_problems(name, operation)
    ]
    assert found == []
