"""Bounded limit/offset pagination for every list endpoint.

django-ninja's LimitOffsetPagination ({"items": [...], "count": N}) with hard
upper bounds, so neither a huge `limit` nor an `offset` past PostgreSQL's
bigint can turn a request into a slow query or a 500.
"""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_OFFSET = 1_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE,
            ge=1,
            le=settings.NINJA_PAGINATION_MAX_LIMIT,
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
