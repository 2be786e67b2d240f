"""Encrypt medical histories written before the field was encrypted."""

from django.db import migrations


def encrypt_plaintext(apps, schema_editor):
    from chairside.core import crypto

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, medical_history FROM patients_patient")
        rows = cursor.fetchall()
        for pk, value in rows:
            try:
                crypto.decrypt(value or "")
                continue  # already a token
            except crypto.InvalidToken:
                pass
            cursor.execute(
                "UPDATE patients_patient SET medical_history = %s WHERE id = %s",
                [crypto.encrypt(value or ""), pk],
            )


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_audit_search_encryption")]

    operations = [
        migrations.RunPython(encrypt_plaintext, reverse_code=migrations.RunPython.noop)
    ]
