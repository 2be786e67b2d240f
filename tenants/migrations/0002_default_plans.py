from decimal import Decimal

from django.db import migrations

PLANS = [
    ("starter", "Starter", Decimal("49.00"), 2),
    ("practice", "Practice", Decimal("129.00"), 8),
    ("group", "Group", Decimal("299.00"), 40),
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("tenants", "Plan")
    for code, name, price, max_dentists in PLANS:
        Plan.objects.update_or_create(
            code=code,
            defaults={"name": name, "monthly_price": price, "max_dentists": max_dentists},
        )


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]
    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]
