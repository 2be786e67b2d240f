from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from chairside.accounts.models import Role, User
from chairside.core.actors import COMMAND, SIGNUP
from chairside.core.errors import ChairsideError, Conflict, PermissionDenied
from conftest import PASSWORD, world_user
from tenants import services
from tenants.models import Clinic, Domain, Plan

pytestmark = pytest.mark.django_db


def provision(slug: str = "gamma", **overrides):
    kwargs = {
        "name": "Gamma Dental",
        "slug": slug,
        "owner_email": f"owner@{slug}.test",
        "owner_password": PASSWORD,
    } | overrides
    return services.clinic_provision(**({"actor": COMMAND} | kwargs))


def test_provision_creates_schema_domain_and_owner():
    clinic, owner = provision(time_zone="Europe/Lisbon", currency="EUR", language="es")

    assert clinic.schema_name == "clinic_gamma"
    assert schema_exists("clinic_gamma")
    assert Domain.objects.get(tenant=clinic).domain == "gamma.localhost"
    assert (clinic.time_zone, clinic.currency, clinic.default_language) == (
        "Europe/Lisbon", "EUR", "es",
    )  # fmt: skip
    assert clinic.plan is not None
    with schema_context(clinic.schema_name):
        stored = User.objects.get()
        assert stored.email == "owner@gamma.test"
        assert stored.role == Role.ADMIN
        assert stored.check_password(PASSWORD)
    assert owner.pk == stored.pk


def test_hyphenated_slug_maps_to_a_valid_schema_name():
    clinic, _ = provision("smile-bright")
    assert clinic.schema_name == "clinic_smile_bright"
    assert clinic.host == "smile-bright.localhost"


@pytest.mark.parametrize(
    "slug",
    ["ab", "1clinic", "-gamma", "gamma-", "gam--ma", "gam_ma", "gam ma", "Ünïcode",
     "a" * 41, "gamma.evil", ""],
)  # fmt: skip
def test_badly_formed_slugs_are_refused(slug):
    with pytest.raises(ChairsideError) as exc_info:
        provision(slug)
    assert exc_info.value.code == "slug_invalid"
    assert not Clinic.objects.filter(name="Gamma Dental").exists()


@pytest.mark.parametrize("slug", ["www", "api", "admin", "public", "static"])
def test_reserved_slugs_are_refused(slug):
    with pytest.raises(ChairsideError) as exc_info:
        provision(slug)
    assert exc_info.value.code == "slug_reserved"


def test_slug_is_normalized_to_lowercase():
    clinic, _ = provision("  GammA ")
    assert clinic.slug == "gamma"


def test_duplicate_slug_is_refused_with_conflict(alpha):
    with pytest.raises(Conflict) as exc_info:
        provision("alpha")
    assert exc_info.value.code == "slug_taken"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("time_zone", "Mars/Olympus", "time_zone_invalid"),
        ("currency", "XXX", "currency_invalid"),
        ("language", "tlh", "language_invalid"),
        ("plan_code", "platinum", "plan_invalid"),
    ],
)
def test_bad_clinic_settings_are_refused(field, value, code):
    with pytest.raises(ChairsideError) as exc_info:
        provision(**{field: value})
    assert exc_info.value.code == code
    assert not schema_exists("clinic_gamma")


def test_weak_owner_password_leaves_nothing_behind():
    with pytest.raises(ChairsideError) as exc_info:
        provision(owner_password="123")
    assert exc_info.value.code == "password_invalid"
    assert not Clinic.objects.filter(slug="gamma").exists()
    assert not schema_exists("clinic_gamma")


def test_failure_midway_leaves_no_schema_domain_or_user(monkeypatch):
    def explode(**kwargs):
        # The schema and domain exist by now; the owner is next.
        assert schema_exists("clinic_gamma")
        assert Domain.objects.filter(domain="gamma.localhost").exists()
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(services, "user_create", explode)
    with pytest.raises(RuntimeError):
        provision()

    connection.set_schema_to_public()
    assert not Clinic.objects.filter(slug="gamma").exists()
    assert not Domain.objects.filter(domain="gamma.localhost").exists()
    assert not schema_exists("clinic_gamma")


def test_suspend_and_reactivate_keep_the_clinics_data(alpha, platform_admin):
    with schema_context(alpha.schema_name):
        users_before = User.objects.count()

    services.clinic_suspend(actor=platform_admin, clinic=alpha, reason="unpaid")
    alpha.refresh_from_db()
    assert alpha.is_suspended
    assert alpha.suspended_reason == "unpaid"
    with schema_context(alpha.schema_name):
        assert User.objects.count() == users_before

    services.clinic_reactivate(actor=platform_admin, clinic=alpha)
    alpha.refresh_from_db()
    assert not alpha.is_suspended


def test_stripe_account_is_validated_unique_and_clearable(alpha, beta):
    def connect(clinic, account_id):
        return services.clinic_stripe_account_set(
            actor=COMMAND, clinic=clinic, account_id=account_id
        )

    with pytest.raises(ChairsideError) as exc_info:
        connect(alpha, "not-an-account")
    assert exc_info.value.code == "stripe_account_invalid"

    connect(alpha, " acct_alphaABC123 ")
    alpha.refresh_from_db()
    assert alpha.stripe_account_id == "acct_alphaABC123"

    with pytest.raises(ChairsideError) as exc_info:
        connect(beta, "acct_alphaABC123")
    assert exc_info.value.code == "stripe_account_taken"

    connect(alpha, "")
    alpha.refresh_from_db()
    assert alpha.stripe_account_id is None


def test_plan_change_and_profile_update_are_saved(alpha, platform_admin):
    practice = Plan.objects.get(code="practice")
    services.clinic_plan_change(actor=platform_admin, clinic=alpha, plan=practice)
    admin = world_user(alpha, "admin")
    with schema_context(alpha.schema_name):
        services.clinic_profile_update(
            actor=admin, clinic=alpha, name=" Alpha Smiles ",
            time_zone="Europe/Paris", currency="EUR", language="es",
        )  # fmt: skip
    alpha.refresh_from_db()
    assert (alpha.plan, alpha.name, alpha.time_zone, alpha.currency) == (
        practice, "Alpha Smiles", "Europe/Paris", "EUR",
    )  # fmt: skip
    with pytest.raises(ChairsideError), schema_context(alpha.schema_name):
        services.clinic_profile_update(
            actor=admin, clinic=alpha, name="x", time_zone="Mars/Base",
            currency="EUR", language="es",
        )  # fmt: skip


PROFILE = {
    "name": "Taken Over",
    "time_zone": "UTC",
    "currency": "USD",
    "language": "en",
}


def test_only_platform_admins_suspend_reactivate_or_change_plans(alpha):
    practice = Plan.objects.get(code="practice")
    clinic_admin = world_user(alpha, "admin")
    for actor in (clinic_admin, SIGNUP, COMMAND):
        with pytest.raises(PermissionDenied):
            services.clinic_suspend(actor=actor, clinic=alpha)
        with pytest.raises(PermissionDenied):
            services.clinic_reactivate(actor=actor, clinic=alpha)
        with pytest.raises(PermissionDenied):
            services.clinic_plan_change(actor=actor, clinic=alpha, plan=practice)
    alpha.refresh_from_db()
    assert not alpha.is_suspended
    assert alpha.plan != practice


def test_a_clinic_admin_manages_only_their_own_clinic(alpha, beta):
    # Alpha's admin, signed in on alpha's domain (alpha's schema), aims at beta.
    alpha_admin = world_user(alpha, "admin")
    with schema_context(alpha.schema_name):
        with pytest.raises(PermissionDenied):
            services.clinic_profile_update(actor=alpha_admin, clinic=beta, **PROFILE)
        with pytest.raises(PermissionDenied):
            services.clinic_stripe_account_set(
                actor=alpha_admin, clinic=beta, account_id="acct_takeover1"
            )
    beta.refresh_from_db()
    assert (beta.name, beta.stripe_account_id) == ("Beta Dental", None)


@pytest.mark.parametrize("local", ["dentist", "receptionist", "patient"])
def test_staff_below_admin_cannot_change_the_clinic_profile(alpha, local):
    user = world_user(alpha, local)
    with schema_context(alpha.schema_name), pytest.raises(PermissionDenied):
        services.clinic_profile_update(actor=user, clinic=alpha, **PROFILE)


def test_a_person_who_is_not_a_platform_admin_cannot_provision(alpha):
    with pytest.raises(PermissionDenied):
        provision(actor=world_user(alpha, "admin"))
    assert not Clinic.objects.filter(slug="gamma").exists()


def test_the_console_provisions_as_its_platform_admin(platform_admin):
    clinic, owner = services.clinic_provision(
        actor=platform_admin, name="Gamma Dental", slug="gamma",
        owner_email="owner@gamma.test", owner_password=PASSWORD,
    )  # fmt: skip
    assert clinic.slug == "gamma"
    assert owner.role == Role.ADMIN
