"""The per-process cache of live token families (services.access_token_user).

Tests run inside a rolled-back transaction, where the cache stores nothing
(see chairside.core.localcache); these tests let it store, as it does when
serving real requests, and empty it afterwards.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django_tenants.utils import schema_context

from chairside.accounts import services
from chairside.accounts.services import (
    access_token_user,
    tokens_issue,
    tokens_revoke,
    user_deactivate,
)
from conftest import world_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def caching(local_caches):
    return


def test_a_cached_token_is_checked_without_a_query(
    alpha, caching, django_assert_num_queries
):
    with schema_context(alpha.schema_name):
        pair = tokens_issue(user=world_user(alpha, "receptionist"))
        access_token_user(pair.access)
        with django_assert_num_queries(0):
            user = access_token_user(pair.access)
    assert user.email == "receptionist@alpha.test"


def test_logout_stops_a_cached_access_token_at_once(alpha, caching):
    with schema_context(alpha.schema_name):
        pair = tokens_issue(user=world_user(alpha, "receptionist"))
        access_token_user(pair.access)
        tokens_revoke(refresh_token=pair.refresh)
        with pytest.raises(services.NotAuthenticated) as exc:
            access_token_user(pair.access)
    assert exc.value.code == "token_revoked"


def test_deactivation_stops_every_cached_token_of_the_user(alpha, caching):
    with schema_context(alpha.schema_name):
        user = world_user(alpha, "dentist")
        first, second = tokens_issue(user=user), tokens_issue(user=user)
        other = tokens_issue(user=world_user(alpha, "receptionist"))
        for pair in (first, second, other):
            access_token_user(pair.access)
        user_deactivate(actor=world_user(alpha, "admin"), user=user)
        for pair in (first, second):
            with pytest.raises(services.NotAuthenticated):
                access_token_user(pair.access)
        assert access_token_user(other.access).email == "receptionist@alpha.test"


def test_refresh_token_reuse_stops_the_cached_family(api, alpha, caching):
    with schema_context(alpha.schema_name):
        pair = tokens_issue(user=world_user(alpha, "receptionist"))
        access_token_user(pair.access)
        services.tokens_refresh(refresh_token=pair.refresh)
        with pytest.raises(services.NotAuthenticated):
            services.tokens_refresh(refresh_token=pair.refresh)
        with pytest.raises(services.NotAuthenticated):
            access_token_user(pair.access)


def test_entries_expire(alpha, caching, settings, django_assert_num_queries):
    settings.ACCESS_TOKEN_CACHE_SECONDS = 0
    with schema_context(alpha.schema_name):
        pair = tokens_issue(user=world_user(alpha, "receptionist"))
        access_token_user(pair.access)
        with django_assert_num_queries(1):
            access_token_user(pair.access)


def test_nothing_is_cached_inside_a_transaction(alpha, django_assert_num_queries):
    # No `caching` fixture: the rule that protects rolled-back data.
    services._live_families.clear()
    with schema_context(alpha.schema_name):
        pair = tokens_issue(user=world_user(alpha, "receptionist"))
        access_token_user(pair.access)
        with django_assert_num_queries(1):
            access_token_user(pair.access)


def test_logout_through_the_api_refuses_the_access_token(api, alpha, caching):
    client = api(alpha)
    tokens = client.post(
        "/api/auth/token",
        {
            "email": "receptionist@alpha.test",
            "password": "correct-horse-battery-staple",
        },
    ).json()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}
    assert client.get("/api/me", **auth).status_code == HTTPStatus.OK
    client.post("/api/auth/logout", {"refresh": tokens["refresh"]})
    assert client.get("/api/me", **auth).status_code == HTTPStatus.UNAUTHORIZED


def test_a_verified_access_token_still_expires_on_time(alpha, caching, monkeypatch):
    from chairside.accounts import tokens

    with schema_context(alpha.schema_name):
        pair = tokens_issue(user=world_user(alpha, "receptionist"))
        claims = tokens.token_decode(pair.access, token_type="access")
        assert tokens.token_decode(pair.access, token_type="access") == claims
        # The cached verification is not a licence past the token's expiry.
        monkeypatch.setattr(tokens.time, "time", lambda: claims["exp"] + 1)
        with pytest.raises(services.NotAuthenticated) as exc:
            tokens.token_decode(pair.access, token_type="access")
    assert exc.value.code == "token_expired"


def test_a_verified_access_token_counts_in_its_own_clinic_only(alpha, beta, caching):
    from chairside.accounts import tokens

    with schema_context(alpha.schema_name):
        pair = tokens_issue(user=world_user(alpha, "receptionist"))
        tokens.token_decode(pair.access, token_type="access")
    with schema_context(beta.schema_name), pytest.raises(services.NotAuthenticated):
        tokens.token_decode(pair.access, token_type="access")


def test_an_access_token_is_not_a_refresh_token_even_once_verified(alpha, caching):
    from chairside.accounts import tokens

    with schema_context(alpha.schema_name):
        pair = tokens_issue(user=world_user(alpha, "receptionist"))
        tokens.token_decode(pair.access, token_type="access")
        with pytest.raises(services.NotAuthenticated):
            tokens.token_decode(pair.access, token_type="refresh")
