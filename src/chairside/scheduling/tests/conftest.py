from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from chairside.web.tests.conftest import web  # noqa: F401  (shared fixture)

# A Tuesday in January: no DST change near it in either world clinic.
FROZEN_NOW = "2027-01-05T12:00:00Z"


@pytest.fixture
def frozen() -> Iterator[None]:
    """Freeze the clock before any token is issued (tokens carry times)."""
    with time_machine.travel(FROZEN_NOW, tick=True):
        yield
