"""The audit trail moves from access to accounts (#16), table and rows unchanged
(`access_auditevent`): state only, plus the content type renamed so that permissions and
admin history follow. The login journal becomes a `JournalEntry` (`user` → `actor_user`)."""

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="accounts", model="auditevent").exists():
        ContentType.objects.using(db).filter(app_label="access", model="auditevent").update(
            app_label="accounts"
        )


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(app_label="accounts", model="auditevent").update(
        app_label="access"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organisations_memberships_invitations"),
        ("access", "0002_auditevent_details_token_number"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                verbose_name="date",
                            ),
                        ),
                        (
                            "actor_repr",
                            models.CharField(
                                blank=True, max_length=300, verbose_name="par (libellé)"
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("view", "Consultation"),
                                    ("create", "Création"),
                                    ("update", "Modification"),
                                    ("delete", "Suppression"),
                                    ("export", "Export"),
                                    ("login", "Connexion"),
                                    ("logout", "Déconnexion"),
                                    ("confirm", "Confirmation"),
                                    ("revoke", "Révocation"),
                                ],
                                max_length=20,
                                verbose_name="action",
                            ),
                        ),
                        (
                            "actor_token_id",
                            models.PositiveBigIntegerField(
                                blank=True, null=True, verbose_name="jeton d'API (n°)"
                            ),
                        ),
                        (
                            "object_id",
                            models.CharField(
                                blank=True, max_length=64, verbose_name="identifiant de l'objet"
                            ),
                        ),
                        (
                            "object_repr",
                            models.CharField(blank=True, max_length=300, verbose_name="objet"),
                        ),
                        (
                            "territory",
                            models.CharField(
                                blank=True, db_index=True, max_length=3, verbose_name="département"
                            ),
                        ),
                        (
                            "details",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                encoder=django.core.serializers.json.DjangoJSONEncoder,
                                verbose_name="changements",
                            ),
                        ),
                        (
                            "ip",
                            models.GenericIPAddressField(
                                blank=True, null=True, verbose_name="adresse IP"
                            ),
                        ),
                        (
                            "actor_organisation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="accounts.organisation",
                                verbose_name="pour le compte de",
                            ),
                        ),
                        (
                            "actor_user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="par",
                            ),
                        ),
                        (
                            "content_type",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="contenttypes.contenttype",
                                verbose_name="type d'objet",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="accounts.organisation",
                                verbose_name="organisation concernée",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "événement d'audit",
                        "verbose_name_plural": "journal d'audit",
                        "db_table": "access_auditevent",
                        "ordering": ["-created_at", "-pk"],
                        "abstract": False,
                        "indexes": [
                            models.Index(
                                fields=["territory", "-created_at"], name="audit_territory_date"
                            ),
                            models.Index(
                                fields=["organisation", "-created_at"],
                                name="audit_organisation_date",
                            ),
                            models.Index(fields=["content_type", "object_id"], name="audit_object"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
        migrations.RenameField(model_name="loginevent", old_name="user", new_name="actor_user"),
        migrations.AlterField(
            model_name="loginevent",
            name="actor_user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="par",
            ),
        ),
        migrations.AddField(
            model_name="loginevent",
            name="actor_repr",
            field=models.CharField(blank=True, max_length=300, verbose_name="par (libellé)"),
        ),
        migrations.AddField(
            model_name="loginevent",
            name="details",
            field=models.JSONField(blank=True, default=dict, verbose_name="détails"),
        ),
    ]
