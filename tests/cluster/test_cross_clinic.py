"""The few reads that span clinic schemas still work on the cluster.

The console's statistics and "find my clinic" are one UNION ALL over the
clinics' schemas; on Citus each branch lives on the worker of its clinic, so
the coordinator runs each sub-query on its worker and merges the results
(what that costs: docs/scale-out.md, Limits).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chairside.console.selectors import clinic_onboarding_for, clinic_stats_for
from tenants.selectors import clinic_list_for_email

pytestmark = pytest.mark.usefixtures("committed")


def test_console_counts_span_clinic_schemas(alpha, beta):
    month_start = datetime(2026, 1, 1, tzinfo=UTC)
    stats = clinic_stats_for(
        clinics=[alpha, beta],
        month_start=month_start,
        month_end=datetime(2100, 1, 1, tzinfo=UTC),
    )
    assert set(stats) == {alpha.pk, beta.pk}
    assert stats[beta.pk].patients >= 2
    onboarding = clinic_onboarding_for(clinics=[alpha, beta])
    assert onboarding[alpha.pk].dentists == onboarding[beta.pk].dentists == 2


def test_find_my_clinic_spans_clinics(alpha, beta):
    assert clinic_list_for_email(email="dentist@beta.test") == [beta]
    assert {c.slug for c in clinic_list_for_email(email="nobody@nowhere.test")} == set()
