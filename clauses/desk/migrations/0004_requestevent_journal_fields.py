"""A request's events join the journal family (#16): `actor` → `actor_user`, `data` →
`details` (columns renamed, rows kept), plus the common `actor_repr` label."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0003_first_response_working_days"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="requestevent", old_name="actor", new_name="actor_user"),
        migrations.RenameField(model_name="requestevent", old_name="data", new_name="details"),
        migrations.AddField(
            model_name="requestevent",
            name="actor_repr",
            field=models.CharField(blank=True, max_length=300, verbose_name="par (libellé)"),
        ),
    ]
