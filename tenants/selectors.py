from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from psycopg import sql

from chairside.core.actors import no_actor
from tenants.models import Clinic, Plan


def clinic_get_by_slug(*, slug: str) -> Clinic | None:
    return Clinic.objects.exclude(schema_name="public").filter(slug=slug).first()


def clinic_list() -> QuerySet[Clinic]:
    return Clinic.objects.exclude(schema_name="public").select_related("plan")


def plan_list_active() -> QuerySet[Plan]:
    return Plan.objects.filter(is_active=True)


@no_actor(
    "a read (the SQL is one SELECT) for the anonymous find-my-clinic page, "
    "which answers the same whatever it finds"
)
def clinic_list_for_email(*, email: str) -> list[Clinic]:
    """The active clinics where an active account has this email ("find my
    clinic"): one UNION ALL over the clinics' schemas, no round trip each."""
    clinics = list(clinic_list().filter(status=Clinic.Status.ACTIVE))
    if not clinics:
        return []
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL(
            "SELECT %s AS schema FROM {}.accounts_user"
            " WHERE lower(email) = lower(%s) AND is_active"
        ).format(sql.Identifier(c.schema_name))
        for c in clinics
    )
    params: list[str] = []
    for c in clinics:
        params += [c.schema_name, email.strip()]
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(), params)
        found = {row[0] for row in cursor.fetchall()}
    return [c for c in clinics if c.schema_name in found]
