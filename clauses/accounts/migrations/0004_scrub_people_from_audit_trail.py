"""Personal data out of the audit trail (#11.4): events about participants, candidates and
accounts written before journals named records by number held the person's name in
`object_repr` (searchable in the admin, shown on the journal page, kept after
anonymisation). They now read "Participant n° 48", "Candidat·e n° 12", "Compte n° 3"; their
`details` keep only the keys the code writes (field names, counts, flags), never a value
typed about a person. Irreversible by design: the reverse does nothing."""

from django.db import migrations
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat

LABELS = {
    ("followup", "participant"): "Participant n° ",
    ("followup", "candidate"): "Candidat·e n° ",
    ("accounts", "user"): "Compte n° ",
}

# What the services have ever written in `details` about these records.
SAFE_KEYS = {
    "anonymised",
    "via",
    "reused_by_identity_key",
    "fields",
    "precheck_result",
    "status",
    "is_active",
    "criteria_count",
    "derogation",
}


def scrub(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    db = schema_editor.connection.alias
    for (app_label, model), prefix in LABELS.items():
        content_type = ContentType.objects.using(db).filter(app_label=app_label, model=model)
        events = AuditEvent.objects.using(db).filter(content_type__in=content_type)
        events.update(object_repr=Concat(Value(prefix), F("object_id"), output_field=CharField()))
        for event in events.exclude(details={}).only("pk", "details").iterator():
            kept = {key: value for key, value in event.details.items() if key in SAFE_KEYS}
            if kept != event.details:
                AuditEvent.objects.using(db).filter(pk=event.pk).update(details=kept)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_auditevent_moved_from_access"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
