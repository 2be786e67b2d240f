"""Requests are transactions (ATOMIC_REQUESTS): what that means for the
per-process caches, which may keep only what is committed."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from chairside.core import localcache

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_a_request_transaction(monkeypatch):
    # The test's own transaction stands in for a request's one outermost block.
    (block,) = connection.atomic_blocks
    monkeypatch.setattr(block, "_from_testcase", False)


def test_a_request_transaction_may_cache_until_it_writes(as_a_request_transaction):
    assert localcache.may_store()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE written (x int)")
    assert not localcache.may_store()


def test_inside_a_nested_block_nothing_is_cached(as_a_request_transaction):
    with transaction.atomic():
        assert not localcache.may_store()


def test_a_test_case_transaction_caches_nothing():
    assert not localcache.may_store()
