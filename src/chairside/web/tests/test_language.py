from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context

from conftest import world_user

pytestmark = pytest.mark.django_db


def test_clinic_default_language_applies_to_visitors(web, beta):
    beta.default_language = "es"
    beta.save(update_fields=["default_language"])

    response = web(beta).get("/")

    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in response.content.decode()
    assert "Iniciar sesión" in response.content.decode()


def test_user_language_wins_over_the_clinic_default(web, beta):
    beta.default_language = "es"
    beta.save(update_fields=["default_language"])
    with schema_context(beta.schema_name):
        user = world_user(beta, "receptionist")
        user.language = "en"
        user.save(update_fields=["language"])

    response = web(beta, "receptionist").get("/app/")

    assert response["Content-Language"] == "en"


def test_switching_language_is_kept_on_the_account(web, alpha):
    client = web(alpha, "receptionist")

    response = client.post("/i18n/setlang/", {"language": "es", "next": "/app/"})

    assert response["Location"] == "/app/"
    assert world_user(alpha, "receptionist").language == "es"
    assert "Pacientes" in client.get("/app/").content.decode()


def test_language_switch_refuses_offsite_redirects(web, alpha):
    response = web(alpha).post(
        "/i18n/setlang/", {"language": "es", "next": "https://evil.test/"}
    )
    assert response["Location"] == "/"


def test_times_are_shown_in_the_clinics_time_zone(web, alpha):
    from chairside.web.tests.factories import appointment_make

    # 14:30 UTC today is 09:30 or 10:30 in New York (depending on DST).
    with schema_context(alpha.schema_name):
        appointment = appointment_make(hour_utc=14, minute=30)
    local = appointment.starts_at.astimezone(ZoneInfo("America/New_York"))

    html = web(alpha, "admin").get("/app/").content.decode()

    assert f"{local:%H:%M}" in html


def test_spanish_catalog_has_no_untranslated_or_fuzzy_entries():
    """Every string of the Spanish catalog is translated (a fuzzy entry is
    left out of the compiled catalog, so it would show in English)."""
    from pathlib import Path

    po = (
        Path(__file__).resolve().parents[4] / "locale/es/LC_MESSAGES/django.po"
    ).read_text()
    entries = po.split("\n\n")[1:]  # after the header
    fuzzy = [e for e in entries if "#, fuzzy" in e and not e.startswith("#~")]
    empty = [
        e
        for e in entries
        if e.rstrip().endswith('msgstr ""') and "msgid_plural" not in e
    ]
    assert not fuzzy, fuzzy[:3]
    assert not empty, empty[:3]


def test_staff_calendar_pages_render_in_spanish(web, alpha):
    client = web(alpha, "receptionist")
    client.post("/i18n/setlang/", {"language": "es", "next": "/app/"})

    page = client.get("/app/calendar/").content.decode()

    assert "Reservar una cita" in page
    assert "Ficha del paciente" in page


def test_no_compiled_translation_repeats_itself():
    """A .po entry written as `msgstr "text"` followed by the same text on
    continuation lines compiles to the text twice (the notifications
    catalog's Spanish SMS and emails once said everything twice)."""
    import gettext
    from pathlib import Path

    root = Path(__file__).resolve().parents[4]
    doubled = []
    for mo in [
        *root.glob("locale/*/LC_MESSAGES/django.mo"),
        *root.glob("src/chairside/*/locale/*/LC_MESSAGES/django.mo"),
    ]:
        with mo.open("rb") as handle:
            catalog = gettext.GNUTranslations(handle)._catalog
        for key, text in catalog.items():
            half = len(text) // 2
            if key and text and len(text) % 2 == 0 and text[:half] == text[half:]:
                doubled.append((str(mo.relative_to(root)), text[:60]))
    assert not doubled, doubled
