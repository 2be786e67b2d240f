from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
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


ROOT = Path(__file__).resolve().parents[4]


def _untranslated(po: str) -> list[str]:
    """Entries of a .po file that would show in English: empty, or fuzzy (a
    fuzzy entry is left out of the compiled catalog)."""
    entries = po.split("\n\n")[1:]  # after the header
    return [
        e
        for e in entries
        if not e.startswith("#~")
        and (
            "#, fuzzy" in e
            or (e.rstrip().endswith('msgstr ""') and "msgid_plural" not in e)
        )
    ]


def test_spanish_catalog_has_no_untranslated_or_fuzzy_entries():
    """Every string of the Spanish catalog is translated."""
    catalogs = [ROOT / "locale", *ROOT.glob("src/chairside/*/locale")]
    for locale in catalogs:
        left = _untranslated((locale / "es/LC_MESSAGES/django.po").read_text())
        assert not left, (locale, left[:3])


def test_every_translatable_string_is_in_the_spanish_catalog(tmp_path):
    """The catalogs cover today's code: makemessages over a copy of the tree
    adds no entry still to translate. (A string added without refreshing the
    catalog, like the "Refund due" status, otherwise shows in English.)"""
    for part in ("src", "templates", "tenants", "config", "locale"):
        shutil.copytree(
            ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "manage.py", tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        # Settings are read, never connected: no database is reached.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{tmp_path / 'src'}",
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    missing = {
        str(po.relative_to(tmp_path)): _untranslated(po.read_text())[:3]
        for po in tmp_path.glob("**/locale/es/LC_MESSAGES/django.po")
        if _untranslated(po.read_text())
    }
    assert not missing, missing


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
