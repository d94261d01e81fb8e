"""Bringing a structure's history in: the saved mappings of columns and values
(`MappingProfile`), the wizard's state between its steps (`HistoryUpload`, kept 24 hours),
and the record of each finished import (`HistoryImport`).

No business rule here: reading, mapping and validating are `services.py`, `mapping.py` and
`validation.py`; who may import is `policies.py`. The rows imported are ordinary follow-up,
markets and hours rows: they count by the same rules as every other.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from clauses.network.models import FacilitatorStructure

UPLOAD_LIFETIME = datetime.timedelta(hours=24)


class MappingProfile(models.Model):
    """A named mapping of one tool's export: which header feeds which field, and which
    source label means which code. Reusable by its structure, shareable in the
    département."""

    structure = models.ForeignKey(
        FacilitatorStructure,
        on_delete=models.CASCADE,
        related_name="history_profiles",
        verbose_name="structure facilitatrice",
    )
    name = models.CharField("nom", max_length=120)
    columns = models.JSONField(
        "colonnes", default=dict, blank=True, help_text="{champ : en-tête du fichier}"
    )
    values = models.JSONField(
        "valeurs", default=dict, blank=True, help_text="{champ : {libellé du fichier : code}}"
    )
    shared_in_department = models.BooleanField("partagé dans le département", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)
    updated_at = models.DateTimeField("modifié le", default=timezone.now)

    class Meta:
        verbose_name = "profil de correspondance"
        verbose_name_plural = "profils de correspondance"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "name"], name="unique_history_profile_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def upload_path(instance: "HistoryUpload", filename: str) -> str:
    """`history/<structure>/<sha256 prefix>.<csv|xlsx>`: the user's file name is kept in
    `file_name`, never trusted for the path."""
    extension = "xlsx" if filename.lower().endswith(".xlsx") else "csv"
    return f"history/{instance.structure_id}/{instance.sha256[:24]}.{extension}"


class HistoryUploadQuerySet(models.QuerySet["HistoryUpload"]):
    def expired(self, now: datetime.datetime | None = None) -> "HistoryUploadQuerySet":
        return self.filter(created_at__lt=(now or timezone.now()) - UPLOAD_LIFETIME)

    def live(self, now: datetime.datetime | None = None) -> "HistoryUploadQuerySet":
        return self.filter(created_at__gte=(now or timezone.now()) - UPLOAD_LIFETIME)


class HistoryUpload(models.Model):
    """A file uploaded in the wizard and its mapping in progress; purged after 24 hours
    (`services.purge_expired_uploads`). The file is in the private media storage."""

    structure = models.ForeignKey(
        FacilitatorStructure,
        on_delete=models.CASCADE,
        related_name="history_uploads",
        verbose_name="structure facilitatrice",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="déposé par",
    )
    file = models.FileField("fichier", upload_to=upload_path, max_length=200)
    file_name = models.CharField("nom du fichier", max_length=255)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    headers = models.JSONField("en-têtes", default=list, blank=True)
    row_count = models.PositiveIntegerField("lignes", default=0)
    columns = models.JSONField("colonnes", default=dict, blank=True)
    values = models.JSONField("valeurs", default=dict, blank=True)
    profile = models.ForeignKey(
        MappingProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uploads",
        verbose_name="profil",
    )
    imported_at = models.DateTimeField("importé le", null=True, blank=True)
    created_at = models.DateTimeField("déposé le", default=timezone.now)

    objects = HistoryUploadQuerySet.as_manager()

    class Meta:
        verbose_name = "fichier d'historique déposé"
        verbose_name_plural = "fichiers d'historique déposés"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def expires_at(self) -> datetime.datetime:
        return self.created_at + UPLOAD_LIFETIME


class HistoryImport(models.Model):
    """The audit record of one finished import: what was created, matched and skipped per
    entity (`counts`: {entity: {"created": n, "matched": n, "skipped": n}})."""

    structure = models.ForeignKey(
        FacilitatorStructure,
        on_delete=models.PROTECT,
        related_name="history_imports",
        verbose_name="structure facilitatrice",
    )
    upload = models.ForeignKey(
        HistoryUpload,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name="fichier déposé",
    )
    profile = models.ForeignKey(
        MappingProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name="profil",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="importé par",
    )
    file_name = models.CharField("nom du fichier", max_length=255, blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    row_count = models.PositiveIntegerField("lignes", default=0)
    counts = models.JSONField("décompte", default=dict, blank=True)
    uncounted = models.JSONField(
        "heures non comptées",
        default=list,
        blank=True,
        help_text="Par clause et par motif : [{market, lot, clause, reason, hours}].",
    )
    created_at = models.DateTimeField("importé le", default=timezone.now)

    class Meta:
        verbose_name = "import d'historique"
        verbose_name_plural = "imports d'historique"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import du {timezone.localtime(self.created_at):%d/%m/%Y %H:%M}"

    @property
    def journal_label(self) -> str:
        return f"Import d'historique n° {self.pk}"
