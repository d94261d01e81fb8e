"""The audit trail now belongs to accounts (#16): removed from access's state only; the
table `access_auditevent` and its rows stay, owned by `accounts.AuditEvent`."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_auditevent_details_token_number"),
        ("accounts", "0003_auditevent_moved_from_access"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
