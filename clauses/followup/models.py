"""Execution follow-up, part A: participants (minimal personal data), the eligibility
criteria referential, the facilitator's eligibility validations, assignments (participant ×
lot × employer × modality), outcomes, and the contractors' positions with their candidates.

No business rule here: rules are in `rules.py` (pure), writes in `services.py` (each with an
audit event), who sees what in `policies.py`. Hour declarations live in the `hours` app.

Personal data kept to the minimum (RGPD art. 5.1.c): no address, no document, only the kind
and date of a proof; the birth date only where a criterion needs it (age), else the year.
`identity_key` is a keyed hash (HMAC, `CLAUSES_FOLLOWUP_IDENTITY_SECRET`) that recognises the
same person across contractors and markets of a territory without exposing anyone's data.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clauses.accounts.models import Organisation
from clauses.followup.enums import (
    CandidateStatus,
    ContractType,
    CriterionGroup,
    ExitSituation,
    FulfilmentModality,
    Gender,
    OutcomeCategory,
    OutcomeMoment,
    PositionStatus,
    PrecheckResult,
    PrescriberKind,
    ProofKind,
    WithdrawalKind,
)
from clauses.markets.models import Lot
from clauses.network.models import FacilitatorStructure, Partner
from clauses.territories.models import Commune, Department, Region

HOURS = {"max_digits": 5, "decimal_places": 2}


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def not_anonymised(self) -> "ParticipantQuerySet":
        return self.filter(anonymised_at__isnull=True)


class Participant(models.Model):
    """A person hired (or proposed) under a clause, created by a facilitator structure."""

    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    birth_year = models.PositiveSmallIntegerField("année de naissance", null=True, blank=True)
    birth_date = models.DateField(
        "date de naissance",
        null=True,
        blank=True,
        help_text="Seulement quand un critère d'âge en dépend (moins de 26 ans, plus de 50 ans).",
    )
    gender = models.CharField(
        "genre", max_length=12, choices=Gender.choices, default=Gender.UNSPECIFIED
    )
    residence_commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune de résidence",
    )
    qpv_resident = models.BooleanField("réside en QPV", null=True, blank=True)
    prescriber = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="prescripteur",
    )
    prescriber_kind = models.CharField(
        "type de prescripteur", max_length=20, choices=PrescriberKind.choices, blank=True
    )
    identity_key = models.CharField(
        "clé d'identité", max_length=64, blank=True, db_index=True, editable=False
    )
    structure = models.ForeignKey(
        FacilitatorStructure,
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name="structure facilitatrice",
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département de suivi",
        help_text="Le territoire où la personne est suivie (celui de la structure).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True)
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = "participant·e"
        verbose_name_plural = "participants et participantes"
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "identity_key"],
                condition=~models.Q(identity_key=""),
                name="unique_participant_identity_per_structure",
            ),
        ]
        indexes = [models.Index(fields=["structure", "last_name"], name="participant_structure")]

    def __str__(self) -> str:
        if self.anonymised_at:
            return f"Participant·e anonymisé·e n° {self.pk}"
        return f"{self.first_name} {self.last_name}"

    # Journals name the record, never the person (RGPD: a journal outlives anonymisation).
    JOURNAL_LABEL_PREFIX = "Participant n° "

    @property
    def journal_label(self) -> str:
        return f"{self.JOURNAL_LABEL_PREFIX}{self.pk}"

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None


class EligibilityCriterion(models.Model):
    """One criterion of a referential (the clause publics, or the IAE levels), versioned per
    territory: a region or a département may have its own list (null both = national)."""

    code = models.CharField("code", max_length=40)
    label = models.CharField("libellé", max_length=250)
    group = models.CharField("groupe", max_length=20, choices=CriterionGroup.choices)
    reveals_sensitive_data = models.BooleanField(
        "révèle une donnée sensible",
        default=False,
        help_text="Santé ou minima sociaux (RQTH, AAH, RSA, ASS…) : visible seulement des "
        "facilitateurs et coordinations du territoire.",
    )
    proof_kinds = models.JSONField("justificatifs acceptés", default=list, blank=True)
    proof_max_age_days = models.PositiveSmallIntegerField(
        "ancienneté maximale du justificatif (jours)", null=True, blank=True
    )
    source = models.TextField("source")
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="région",
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département",
    )
    version = models.PositiveSmallIntegerField("version", default=1)
    valid_from = models.DateField("en vigueur depuis")
    valid_until = models.DateField("en vigueur jusqu'au", null=True, blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "critère d'éligibilité"
        verbose_name_plural = "critères d'éligibilité"
        ordering = ["group", "order", "code", "-version"]
        # One version of a criterion per territory. Three conditional constraints rather than
        # `nulls_distinct=False`, which SQLite cannot enforce: the same rule on both databases.
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=models.Q(region__isnull=True, department__isnull=True),
                name="unique_national_criterion_version",
            ),
            models.UniqueConstraint(
                fields=["code", "region", "version"],
                condition=models.Q(region__isnull=False, department__isnull=True),
                name="unique_regional_criterion_version",
            ),
            models.UniqueConstraint(
                fields=["code", "department", "version"],
                condition=models.Q(department__isnull=False),
                name="unique_departmental_criterion_version",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class EligibilityValidation(models.Model):
    """The facilitator's decision that a participant belongs to an eligible public, with the
    criteria retained, the kind and date of the proof seen, and the validity computed by
    `rules.valid_until` from the territory's setting."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="validations",
        verbose_name="participant·e",
    )
    criteria = models.ManyToManyField(
        EligibilityCriterion, blank=True, related_name="validations", verbose_name="critères"
    )
    proof_kind = models.CharField(
        "type de justificatif", max_length=30, choices=ProofKind.choices, blank=True
    )
    proof_date = models.DateField("date du justificatif", null=True, blank=True)
    derogation = models.BooleanField(
        "dérogation sur avis motivé",
        default=False,
        help_text="La personne ne relève d'aucun critère de la liste mais rencontre des "
        "difficultés particulières attestées par l'avis motivé d'un prescripteur.",
    )
    prescriber_opinion = models.TextField("avis motivé du prescripteur", blank=True)
    opinion_by = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="prescripteur de l'avis",
    )
    pass_iae_number = models.CharField("numéro de PASS IAE", max_length=20, blank=True)
    pass_iae_valid_until = models.DateField("PASS IAE valable jusqu'au", null=True, blank=True)
    structure = models.ForeignKey(
        FacilitatorStructure,
        on_delete=models.PROTECT,
        related_name="validations",
        verbose_name="structure facilitatrice",
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="validée par",
    )
    validated_at = models.DateTimeField("validée le", default=timezone.now)
    valid_from = models.DateField("valable à partir du", null=True, blank=True)
    backdating_reason = models.TextField(
        "motif du début antérieur à l'évaluation",
        blank=True,
        help_text="Quand l'éligibilité commence avant le jour de l'évaluation (au plus tôt à "
        "la date du justificatif) : pourquoi.",
    )
    valid_until = models.DateField(
        "valable jusqu'au",
        null=True,
        blank=True,
        help_text="Calculée : durée du territoire à partir du premier contrat sous clause.",
    )
    validity_months = models.PositiveSmallIntegerField("durée de validité (mois)", default=24)
    notes = models.TextField("observations", blank=True)
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)
    withdrawal_reason = models.TextField("motif du retrait", blank=True)
    withdrawal_kind = models.CharField(
        "nature du retrait",
        max_length=10,
        choices=WithdrawalKind.choices,
        blank=True,
        help_text="Fin d'éligibilité : les heures faites avant le retrait restent comptées. "
        "Erreur ou fraude : la validation ne couvre plus aucune heure. Vide pour un retrait "
        "antérieur à ce choix (traité comme une erreur, ce qu'il faisait déjà).",
    )

    class Meta:
        verbose_name = "validation d'éligibilité"
        verbose_name_plural = "validations d'éligibilité"
        ordering = ["-validated_at", "-pk"]

    def __str__(self) -> str:
        return f"Validation du {timezone.localtime(self.validated_at):%d/%m/%Y}"

    @property
    def covers_hours(self) -> bool:
        """Whether the validation still covers days: not withdrawn, or withdrawn because
        the person is no longer eligible — then it covers until the day before the
        withdrawal (its `valid_until`, set by the withdrawal). Withdrawn for an error or a
        fraud (or before the choice existed), it covers nothing."""
        return self.withdrawn_at is None or self.withdrawal_kind == WithdrawalKind.ENDED

    def is_valid_on(self, day: object) -> bool:
        """Active at `day`: covering hours (see `covers_hours`), started, not expired (an
        open validity — no clause contract yet — counts as active from the decision)."""
        if not self.covers_hours:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until


class Assignment(models.Model):
    """A participant working under a lot's clause for an employer, with one modality."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name="participant·e",
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="assignments", verbose_name="lot"
    )
    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name="entreprise",
        limit_choices_to={"kind": "company"},
        help_text="L'entreprise du lot qui réalise les heures (titulaire, cotraitant ou "
        "sous-traitant).",
    )
    intermediary = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="structure de mise à disposition ou sous-traitante",
        help_text="ETTI, AI, GEIQ, SIAE, EA ou ESAT, selon la modalité.",
    )
    modality = models.CharField(
        "modalité de mise en œuvre", max_length=25, choices=FulfilmentModality.choices
    )
    contract_type = models.CharField(
        "type de contrat", max_length=25, choices=ContractType.choices, blank=True
    )
    trade = models.CharField("métier", max_length=200, blank=True)
    start_date = models.DateField("début")
    end_date = models.DateField("fin", null=True, blank=True)
    weekly_hours = models.DecimalField("heures hebdomadaires", **HOURS, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créée par",
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)

    class Meta:
        verbose_name = "mission sous clause"
        verbose_name_plural = "missions sous clause"
        ordering = ["-start_date", "-pk"]
        indexes = [
            models.Index(fields=["employer", "start_date"], name="assignment_employer"),
            models.Index(fields=["lot", "start_date"], name="assignment_lot"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_modality_display()} du {self.start_date:%d/%m/%Y}"


class Outcome(models.Model):
    """The participant's situation at the end of an assignment or six months later."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="outcomes",
        verbose_name="participant·e",
    )
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name="mission",
    )
    moment = models.CharField("moment", max_length=20, choices=OutcomeMoment.choices)
    situation = models.CharField(
        "situation", max_length=25, choices=ExitSituation.choices, default=ExitSituation.UNKNOWN
    )
    contract_months = models.PositiveSmallIntegerField(
        "durée du contrat (mois)", null=True, blank=True
    )
    category = models.CharField("type de sortie", max_length=20, choices=OutcomeCategory.choices)
    detail = models.TextField("précisions", blank=True)
    recorded_at = models.DateTimeField("enregistrée le", default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistrée par",
    )

    class Meta:
        verbose_name = "sortie"
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.get_moment_display().lower()})"


class Position(models.Model):
    """A job a contractor posts under a clause, for the facilitator to publish to partners."""

    lot = models.ForeignKey(
        Lot, on_delete=models.CASCADE, related_name="positions", verbose_name="lot"
    )
    company = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name="entreprise",
        limit_choices_to={"kind": "company"},
    )
    trade = models.CharField("métier", max_length=200)
    description = models.TextField("description du poste", blank=True)
    place = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="lieu de travail",
    )
    start_date = models.DateField("début souhaité")
    end_date = models.DateField("fin prévue", null=True, blank=True)
    weekly_hours = models.DecimalField("heures hebdomadaires", **HOURS, null=True, blank=True)
    openings = models.PositiveSmallIntegerField("nombre de postes", default=1)
    required_qualification = models.CharField("qualification requise", max_length=250, blank=True)
    modality = models.CharField(
        "modalité envisagée",
        max_length=25,
        choices=FulfilmentModality.choices,
        default=FulfilmentModality.DIRECT_CDD,
    )
    contract_type = models.CharField(
        "type de contrat", max_length=25, choices=ContractType.choices, default=ContractType.CDD
    )
    status = models.CharField(
        "statut", max_length=12, choices=PositionStatus.choices, default=PositionStatus.DRAFT
    )
    published_at = models.DateTimeField("diffusé le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    class Meta:
        verbose_name = "poste à pourvoir"
        verbose_name_plural = "postes à pourvoir"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["company", "status"], name="position_company")]

    def __str__(self) -> str:
        return self.trade


class Candidate(models.Model):
    """A person proposed for a position by a partner or a facilitator. The contractor sees the
    name and the qualifications only; hiring creates the Participant and the Assignment from
    these fields, without retyping."""

    position = models.ForeignKey(
        Position, on_delete=models.CASCADE, related_name="candidates", verbose_name="poste"
    )
    proposed_by_partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="proposé·e par (partenaire)",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="proposé·e par",
    )
    prescriber_kind = models.CharField(
        "type de prescripteur", max_length=20, choices=PrescriberKind.choices, blank=True
    )
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    birth_year = models.PositiveSmallIntegerField("année de naissance", null=True, blank=True)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    qualifications = models.TextField("qualifications et expérience", blank=True)
    precheck_result = models.CharField(
        "pré-vérification", max_length=20, choices=PrecheckResult.choices, blank=True
    )
    precheck_note = models.TextField("note de pré-vérification", blank=True)
    prechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pré-vérifié·e par",
    )
    prechecked_at = models.DateTimeField("pré-vérifié·e le", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidacies",
        verbose_name="participant·e",
    )
    assignment = models.OneToOneField(
        Assignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidate",
        verbose_name="mission",
    )
    created_at = models.DateTimeField("proposé·e le", default=timezone.now)
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    class Meta:
        verbose_name = "candidat·e"
        verbose_name_plural = "candidats et candidates"
        ordering = ["position", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    JOURNAL_LABEL_PREFIX = "Candidat·e n° "

    @property
    def journal_label(self) -> str:
        return f"{self.JOURNAL_LABEL_PREFIX}{self.pk}"
