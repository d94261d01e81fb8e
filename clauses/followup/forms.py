"""Forms of the follow-up pages (DSFR)."""

import datetime

from django import forms
from django.utils import timezone

from clauses.core.forms import DsfrForm
from clauses.followup import rules
from clauses.followup.enums import (
    Benefit,
    ContractType,
    EmployerKind,
    ExitSituation,
    FulfilmentModality,
    Gender,
    OutcomeMoment,
    PrecheckResult,
    ProofKind,
    WithdrawalKind,
)
from clauses.followup.models import Assignment, EligibilityCriterion
from clauses.markets.models import LotContractor
from clauses.network.models import FacilitatorStructure

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class FactsForm(DsfrForm):
    """The facts typed by the facilitator, to show which criteria they support
    (`rules.assess`). Never stored: only the decision (or the pre-check result) is."""

    assessment_date = forms.DateField(
        label="Date d'évaluation", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    jobseeker_months = forms.IntegerField(
        label="Durée d'inscription à France Travail (mois)",
        required=False,
        min_value=0,
        help_text="Laisser vide si la personne n'est pas inscrite.",
    )
    benefits = forms.MultipleChoiceField(
        label="Minima sociaux perçus",
        choices=Benefit.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    disability_recognised = forms.BooleanField(
        label="Reconnaissance de la qualité de travailleur handicapé", required=False
    )
    qualification_level = forms.IntegerField(
        label="Niveau de qualification (0 à 8 ; 3 = CAP/BEP)",
        required=False,
        min_value=0,
        max_value=8,
    )
    out_of_school_months = forms.IntegerField(
        label="Sortie du système scolaire depuis (mois)", required=False, min_value=0
    )
    qpv_resident = forms.BooleanField(label="Réside en QPV", required=False)
    employed_by = forms.ChoiceField(
        label="Employé·e par",
        choices=[("", "—"), *EmployerKind.choices],
        required=False,
    )

    def facts(self, birth_date: datetime.date | None) -> rules.Facts:
        data = self.cleaned_data
        return rules.Facts(
            assessment_date=data["assessment_date"],
            birth_date=birth_date,
            jobseeker_months=data["jobseeker_months"],
            benefits=frozenset(data["benefits"]),
            disability_recognised=data["disability_recognised"],
            qualification_level=data["qualification_level"],
            out_of_school_months=data["out_of_school_months"],
            qpv_resident=data["qpv_resident"],
            employed_by=data["employed_by"] or None,
            pass_iae_valid=rules.pass_iae_is_valid(
                data.get("pass_iae_valid_until"), data["assessment_date"]
            ),
        )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["assessment_date"].initial = timezone.localdate()


class ValidationForm(FactsForm):
    """The facts (to show which criteria they support) and the facilitator's decision."""

    criteria = forms.ModelMultipleChoiceField(
        label="Critères retenus par le ou la facilitateur·rice",
        queryset=EligibilityCriterion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    proof_kind = forms.ChoiceField(
        label="Type de justificatif vu", choices=[("", "—"), *ProofKind.choices], required=False
    )
    proof_date = forms.DateField(
        label="Date du justificatif",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    derogation = forms.BooleanField(label="Valider par dérogation", required=False)
    prescriber_opinion = forms.CharField(
        label="Avis motivé du prescripteur",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pass_iae_number = forms.CharField(label="Numéro de PASS IAE", required=False, max_length=20)
    pass_iae_valid_until = forms.DateField(
        label="PASS IAE valable jusqu'au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(
        label="Observations", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    valid_from = forms.DateField(
        label="Éligibilité à compter du",
        required=False,
        help_text="Seulement si la personne a commencé à travailler avant la date "
        "d'évaluation : au plus tôt à la date du justificatif. Vide : la date d'évaluation.",
        **DATE,
    )
    backdating_reason = forms.CharField(
        label="Pourquoi l'éligibilité commence avant la date d'évaluation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Par exemple : recrutement en urgence, justificatif daté d'avant "
        "l'embauche. Conservé avec la validation.",
    )

    def __init__(self, *args: object, criteria: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if criteria is not None:
            self.fields["criteria"].queryset = criteria


def _birth_fields_clean(form: forms.Form) -> None:
    data = form.cleaned_data
    today = timezone.localdate()
    birth_date, birth_year = data.get("birth_date"), data.get("birth_year")
    if birth_date and birth_date > today:
        form.add_error("birth_date", "La date de naissance ne peut pas être dans le futur.")
    if birth_date and birth_year and birth_date.year != birth_year:
        form.add_error("birth_year", "L'année ne correspond pas à la date de naissance.")
    if not birth_date and not birth_year and not form.errors:
        form.add_error("birth_year", "Indiquez au moins l'année de naissance.")


class ParticipantForm(DsfrForm):
    """A person recorded by hand by a facilitator (minimal data, RGPD art. 5.1.c)."""

    first_name = forms.CharField(label="Prénom", max_length=100)
    last_name = forms.CharField(label="Nom", max_length=100)
    birth_year = forms.IntegerField(
        label="Année de naissance",
        required=False,
        min_value=1900,
        help_text="Suffit le plus souvent. Format : 4 chiffres, par exemple 1990.",
    )
    birth_date = forms.DateField(
        label="Date de naissance",
        required=False,
        help_text="Seulement si un critère d'âge en dépend (moins de 26 ans, 50 ans ou plus).",
        **DATE,
    )
    gender = forms.ChoiceField(label="Genre", choices=Gender.choices, initial=Gender.UNSPECIFIED)
    qpv_resident = forms.NullBooleanField(
        label="Réside dans un quartier prioritaire (QPV)",
        required=False,
        widget=forms.Select(
            choices=[("unknown", "Non renseigné"), ("true", "Oui"), ("false", "Non")]
        ),
    )
    structure = forms.ModelChoiceField(
        label="Structure qui suit la personne",
        queryset=FacilitatorStructure.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args: object, structures: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if structures is not None:
            self.fields["structure"].queryset = structures
        choices = list(self.fields["structure"].queryset[:2])
        self.only_structure = choices[0] if len(choices) == 1 else None
        if self.only_structure is not None:
            del self.fields["structure"]

    def clean(self) -> dict:
        data = super().clean()
        if self.only_structure is not None:
            data["structure"] = self.only_structure
        if data.get("birth_year") and data["birth_year"] > timezone.localdate().year:
            self.add_error("birth_year", "L'année de naissance ne peut pas être dans le futur.")
        _birth_fields_clean(self)
        return data


class WithdrawalForm(DsfrForm):
    kind = forms.ChoiceField(
        label="Nature du retrait",
        choices=WithdrawalKind.choices,
        widget=forms.RadioSelect,
        help_text="Elle décide des heures déjà faites : voir ci-dessus ce que chaque choix change.",
    )
    reason = forms.CharField(
        label="Motif du retrait",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : justificatif non conforme, erreur de saisie. Ce motif est "
        "conservé avec la validation.",
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Indiquez le motif du retrait.")
        return reason


class OutcomeForm(DsfrForm):
    moment = forms.ChoiceField(label="Moment", choices=OutcomeMoment.choices)
    assignment = forms.ModelChoiceField(
        label="Mission concernée",
        queryset=Assignment.objects.none(),
        required=False,
        empty_label="Aucune en particulier",
    )
    situation = forms.ChoiceField(label="Situation de la personne", choices=ExitSituation.choices)
    contract_months = forms.IntegerField(
        label="Durée du contrat (mois)",
        required=False,
        min_value=0,
        max_value=600,
        help_text="Pour un CDD ou une mission d'intérim : au-delà de 6 mois, c'est un emploi "
        "durable.",
    )
    detail = forms.CharField(
        label="Précisions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sans donnée de santé ni information sur des aides sociales.",
    )

    def __init__(self, *args: object, assignments: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if assignments is not None:
            self.fields["assignment"].queryset = assignments
        self.fields["assignment"].label_from_instance = lambda a: (
            f"{a.lot.market.reference}, {a.lot} — {a.employer.name}, "
            f"à partir du {a.start_date:%d/%m/%Y}"
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("situation") in ("cdd", "temporary") and data.get("contract_months") is None:
            self.add_error(
                "contract_months", "Indiquez la durée du contrat pour un CDD ou un intérim."
            )
        return data


def _lot_contractor_label(row: LotContractor) -> str:
    return (
        f"{row.lot.market.reference} — {row.lot} — {row.organisation.name} "
        f"({row.get_role_display().lower()})"
    )


class AssignmentForm(DsfrForm):
    lot_contractor = forms.ModelChoiceField(
        label="Lot et entreprise",
        queryset=LotContractor.objects.none(),
        help_text="Les lots des marchés suivis par votre structure, avec chaque entreprise "
        "qui les exécute.",
    )
    modality = forms.ChoiceField(
        label="Modalité de mise en œuvre", choices=FulfilmentModality.choices
    )
    contract_type = forms.ChoiceField(
        label="Type de contrat", choices=[("", "—"), *ContractType.choices], required=False
    )
    trade = forms.CharField(label="Métier", max_length=200, required=False)
    start_date = forms.DateField(label="Début", **DATE)
    end_date = forms.DateField(label="Fin", required=False, **DATE)
    weekly_hours = forms.DecimalField(
        label="Heures hebdomadaires", required=False, min_value=0, max_value=60, decimal_places=2
    )

    def __init__(self, *args: object, lot_contractors: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if lot_contractors is not None:
            self.fields["lot_contractor"].queryset = lot_contractors
        self.fields["lot_contractor"].label_from_instance = _lot_contractor_label

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La fin de la mission précède son début.")
        return data


class PositionForm(DsfrForm):
    lot_contractor = forms.ModelChoiceField(
        label="Lot", queryset=LotContractor.objects.none(), empty_label=None
    )
    trade = forms.CharField(label="Métier", max_length=200)
    description = forms.CharField(
        label="Description du poste", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    required_qualification = forms.CharField(
        label="Qualification requise", max_length=250, required=False
    )
    start_date = forms.DateField(label="Début souhaité", **DATE)
    end_date = forms.DateField(label="Fin prévue", required=False, **DATE)
    weekly_hours = forms.DecimalField(
        label="Heures hebdomadaires", required=False, min_value=0, max_value=60, decimal_places=2
    )
    openings = forms.IntegerField(label="Nombre de postes", min_value=1, max_value=99, initial=1)
    modality = forms.ChoiceField(
        label="Modalité envisagée",
        choices=FulfilmentModality.choices,
        initial=FulfilmentModality.DIRECT_CDD,
    )
    contract_type = forms.ChoiceField(
        label="Type de contrat", choices=ContractType.choices, initial=ContractType.CDD
    )

    def __init__(self, *args: object, lot_contractors: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if lot_contractors is not None:
            self.fields["lot_contractor"].queryset = lot_contractors
        self.fields["lot_contractor"].label_from_instance = _lot_contractor_label

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La fin prévue précède le début souhaité.")
        return data


class CandidateForm(DsfrForm):
    """A person proposed for a position: the company will see the name and the
    qualifications, never anything about eligibility."""

    first_name = forms.CharField(label="Prénom", max_length=100)
    last_name = forms.CharField(label="Nom", max_length=100)
    birth_year = forms.IntegerField(label="Année de naissance", required=False, min_value=1900)
    birth_date = forms.DateField(
        label="Date de naissance",
        required=False,
        help_text="Seulement si un critère d'âge en dépend.",
        **DATE,
    )
    qualifications = forms.CharField(
        label="Qualifications et expérience",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Visible de l'entreprise. N'indiquez ici ni situation sociale, ni santé, "
        "ni critère d'éligibilité.",
    )

    def clean(self) -> dict:
        data = super().clean()
        _birth_fields_clean(self)
        return data


class PrecheckForm(FactsForm):
    """The facts (not stored) and the facilitator's pre-check result (stored)."""

    result = forms.ChoiceField(
        label="Résultat de la pré-vérification",
        choices=[("", "—"), *PrecheckResult.choices],
        required=False,
    )
    note = forms.CharField(
        label="Note pour l'équipe facilitatrice",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Jamais visible de l'entreprise. N'y notez aucun critère sensible (santé, "
        "minima sociaux).",
    )


class HireForm(DsfrForm):
    start_date = forms.DateField(label="Début du contrat", **DATE)
    end_date = forms.DateField(label="Fin du contrat", required=False, **DATE)
    weekly_hours = forms.DecimalField(
        label="Heures hebdomadaires", required=False, min_value=0, max_value=60, decimal_places=2
    )
    modality = forms.ChoiceField(label="Modalité", choices=FulfilmentModality.choices)
    contract_type = forms.ChoiceField(label="Type de contrat", choices=ContractType.choices)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La fin du contrat précède son début.")
        return data
