"""Before the audit trail moves to accounts (#16): its JSON column takes the journals' common
name (`changes` → `details`) and the API token becomes a plain number (no foreign key to a
model above accounts). Data preserved: the column `actor_token_id` keeps its values."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="auditevent", old_name="changes", new_name="details"),
        migrations.AlterField(
            model_name="auditevent",
            name="actor_token",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, db_column="actor_token_id", verbose_name="jeton d'API (n°)"
            ),
        ),
        migrations.RenameField(
            model_name="auditevent", old_name="actor_token", new_name="actor_token_id"
        ),
    ]
