"""The plan-once migrate_schemas executor (tenants.schema_engine.migrate).

Test migrations are added to what the loader reads from disk (for every
loader, the stock executor's included), on top of the patients app's latest
migration, and applied inside each test's rolled-back transaction.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, migrations, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from chairside.patients.models import Patient
from tenants.schema_engine import schema_clone, spare_pool
from tenants.schema_engine.migrate import migrate_schemas_once
from tenants.tests.catalog import schema_fingerprint

pytestmark = pytest.mark.django_db

TEMPLATE = "clinic_template"


def _patients_leaf() -> tuple[str, str]:
    (leaf,) = [
        n for n in MigrationLoader(None).graph.leaf_nodes() if n[0] == "patients"
    ]
    return leaf


@pytest.fixture
def add_migrations(monkeypatch, settings):
    """Make the loader find these migrations (name -> operations) on disk."""
    # A clinic migrated on its own brings the template along; these tests
    # choose which schemas migrate.
    settings.CLINIC_TEMPLATE_SCHEMA = "no_template_in_these_tests"

    def add(*specs: tuple[str, list]) -> None:
        original = MigrationLoader.load_disk
        parent = _patients_leaf()
        chain = []
        for name, operations in specs:
            chain.append((name, operations, parent))
            parent = ("patients", name)

        def load_disk(self):
            original(self)
            for name, operations, depends_on in chain:
                cls = type(
                    "Migration",
                    (migrations.Migration,),
                    {"dependencies": [depends_on], "operations": operations},
                )
                self.disk_migrations[("patients", name)] = cls(name, "patients")

        monkeypatch.setattr(MigrationLoader, "load_disk", load_disk)
        monkeypatch.setattr(schema_clone, "_tenant_leaves", None)

    return add


def _clone(schema: str) -> str:
    with transaction.atomic():
        schema_clone.clone_template_into(schema, template=TEMPLATE)
    return schema


def _stock(schema: str) -> None:
    call_command(
        "migrate_schemas",
        schema_name=schema,
        executor="standard",
        interactive=False,
        verbosity=0,
    )


def _applied(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT name FROM "{schema}".django_migrations'  # noqa: S608
            " WHERE app = 'patients' AND name LIKE '9%%'"
        )
        return {row[0] for row in cursor.fetchall()}


def _comment(schema: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(%s::regclass, 'pg_class')",
            [f'"{schema}".patients_patient'],
        )
        return cursor.fetchone()[0]


SQL_ONLY = [
    migrations.AddField(
        "patient",
        "planonce_note",
        models.CharField(max_length=20, default="n/a", blank=True),
    ),
    migrations.AddIndex(
        "patient", models.Index(fields=["planonce_note"], name="patient_planonce_idx")
    ),
    # A literal % survives the replay (no parameter interpolation).
    migrations.RunSQL(
        "COMMENT ON TABLE patients_patient IS 'planonce 100%'", migrations.RunSQL.noop
    ),
    # A new model: its content type and permissions must appear everywhere.
    migrations.CreateModel(
        "PlanonceThing",
        [
            ("id", models.BigAutoField(primary_key=True)),
            (
                "patient",
                models.ForeignKey("patients.patient", on_delete=models.CASCADE),
            ),
            ("label", models.CharField(max_length=10, unique=True)),
        ],
    ),
]


def test_a_replayed_migration_matches_the_stock_executor_exactly(
    alpha, beta, add_migrations
):
    zeta = _clone("clinic_zeta")
    before = schema_fingerprint(alpha.schema_name)
    assert schema_fingerprint(beta.schema_name) == before
    assert schema_fingerprint(zeta) == before
    add_migrations(("9001_planonce", SQL_ONLY))

    _stock(alpha.schema_name)
    with CaptureQueriesContext(connection) as queries:
        outcome = migrate_schemas_once([beta.schema_name, zeta])

    assert outcome.replayed == [beta.schema_name, zeta]
    assert not outcome.failed
    assert not outcome.stock
    stock = schema_fingerprint(alpha.schema_name)
    assert stock != before
    assert "patients.planoncething" in stock["content_types"]
    assert "patients.planoncething.view_planoncething" in stock["permissions"]
    assert schema_fingerprint(beta.schema_name) == stock
    assert schema_fingerprint(zeta) == stock
    for schema in (alpha.schema_name, beta.schema_name, zeta):
        assert _applied(schema) == {"9001_planonce"}
        assert _comment(schema) == "planonce 100%"
    # The replayed schema: search path, the SQL and its migration rows, then
    # the post_migrate handlers (a model was created).
    replay = [q["sql"] for q in queries.captured_queries]
    assert sum("planonce 100%" in sql for sql in replay) == 2


def test_a_trivial_migration_replays_in_one_statement_per_schema(
    alpha, beta, add_migrations
):
    add_migrations(
        (
            "9002_comment",
            [migrations.RunSQL("COMMENT ON TABLE patients_patient IS 'x'")],
        )
    )
    outcome = migrate_schemas_once([beta.schema_name])
    assert outcome.replayed == [beta.schema_name]

    zeta = _clone("clinic_zeta")  # outside the capture: its DDL names it
    with CaptureQueriesContext(connection) as queries:
        outcome = migrate_schemas_once([alpha.schema_name, zeta])
    assert outcome.replayed == [alpha.schema_name, "clinic_zeta"]
    replays = [q["sql"] for q in queries.captured_queries if "IS 'x'" in q["sql"]]
    assert len(replays) == 2  # applied on alpha, replayed on zeta in one go
    assert "django_migrations" in replays[1]
    assert _applied("clinic_zeta") == {"9002_comment"}


def test_runpython_falls_back_to_the_stock_executor(beta, add_migrations):
    def forwards(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        content_type.objects.using(schema_editor.connection.alias).create(
            app_label="planonce", model="marker"
        )

    add_migrations(("9003_python", [migrations.RunPython(forwards)]))
    outcome = migrate_schemas_once([beta.schema_name])

    assert outcome.stock == [beta.schema_name]
    assert not outcome.replayed
    assert _applied(beta.schema_name) == {"9003_python"}
    assert "planonce.marker" in schema_fingerprint(beta.schema_name)["content_types"]


POISON = [
    migrations.RunSQL(
        "ALTER TABLE patients_patient ADD CONSTRAINT patient_not_poison"
        " CHECK (first_name <> 'Poison')"
    )
]


def _poison(schema: str) -> None:
    with schema_context(schema):
        Patient.objects.create(
            first_name="Poison", last_name="Ivy", email=f"ivy@{schema}.test"
        )
        with connection.cursor() as cursor:
            # Its audit row's deferred checks now, as a commit would: a table
            # with pending trigger events cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_a_failing_first_schema_hands_over_to_the_next(beta, add_migrations):
    zeta = _clone("clinic_zeta")
    _poison(zeta)
    add_migrations(("9004_check", POISON))

    outcome = migrate_schemas_once([zeta, beta.schema_name])

    assert list(outcome.failed) == [zeta]
    assert "patient_not_poison" in outcome.failed[zeta]
    assert outcome.replayed == [beta.schema_name]
    assert _applied(zeta) == set()  # left as it was
    assert _applied(beta.schema_name) == {"9004_check"}


def test_the_command_migrates_template_spares_and_clinics_and_names_failures(
    alpha, beta, add_migrations, settings, capsys
):
    settings.CLINIC_TEMPLATE_SCHEMA = TEMPLATE
    with transaction.atomic():
        schema_clone.clone_template_into(spare_pool.SPARE_PREFIX + "planonce")
    _poison(beta.schema_name)
    add_migrations(("9004_check", POISON))
    assert not schema_clone.template_is_current()

    with pytest.raises(CommandError, match="clinic_beta") as failure:
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=1)

    assert "patient_not_poison" in str(failure.value)
    assert schema_clone.template_is_current()
    assert spare_pool.schema_is_current(spare_pool.SPARE_PREFIX + "planonce")
    assert _applied(alpha.schema_name) == {"9004_check"}
    assert _applied(beta.schema_name) == set()
    out = capsys.readouterr().out
    assert "1 failed" in out


def test_a_single_clinic_run_brings_the_template_and_spares_along(
    alpha, beta, add_migrations, settings
):
    settings.CLINIC_TEMPLATE_SCHEMA = TEMPLATE
    spare = spare_pool.SPARE_PREFIX + "planonce"
    with transaction.atomic():
        schema_clone.clone_template_into(spare)
    add_migrations(
        (
            "9002_comment",
            [migrations.RunSQL("COMMENT ON TABLE patients_patient IS 'x'")],
        )
    )
    single = {"schema_name": alpha.schema_name, "interactive": False, "verbosity": 0}

    call_command("migrate_schemas", plan=True, **single)
    assert not schema_clone.template_is_current()  # --plan migrates nothing

    call_command("migrate_schemas", **single)

    assert _applied(alpha.schema_name) == {"9002_comment"}
    assert _applied(TEMPLATE) == {"9002_comment"}
    assert _applied(spare) == {"9002_comment"}
    assert _applied(beta.schema_name) == set()  # only the clinic named
