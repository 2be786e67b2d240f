from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from conftest import PASSWORD


@pytest.fixture
def platform_admin(db):
    """A console user: a superuser of the public schema."""
    from chairside.accounts.models import User

    with schema_context("public"):
        return User.objects.create_superuser("root@chairside.test", PASSWORD)
