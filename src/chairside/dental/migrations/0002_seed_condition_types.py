"""The conditions every clinic's chart starts with (a clinic may add more)."""

from django.db import migrations

CONDITIONS = [
    # code, name, colour, effect on the tooth
    ("caries", "Caries", "#d62728", ""),
    ("fracture", "Fracture", "#ff7f0e", ""),
    ("missing", "Missing", "#7f7f7f", "missing"),
    ("impacted", "Impacted", "#8c564b", ""),
    ("implant", "Implant", "#17becf", "implant"),
    ("crown", "Crown (existing)", "#2ca02c", "crown"),
    ("filling", "Filling (existing)", "#2ca02c", "filling"),
    ("root_canal", "Root canal (existing)", "#2ca02c", "root_canal"),
    ("watch", "Watch", "#bcbd22", ""),
]


def seed(apps, schema_editor):
    ConditionType = apps.get_model("dental", "ConditionType")
    for code, name, colour, effect in CONDITIONS:
        ConditionType.objects.get_or_create(
            code=code, defaults={"name": name, "colour": colour, "effect": effect}
        )


class Migration(migrations.Migration):
    dependencies = [("dental", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
