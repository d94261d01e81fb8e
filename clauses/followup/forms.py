"""Forms of the follow-up pages (DSFR)."""

from django import forms
from django.utils import timezone

from clauses.core.forms import DsfrForm
from clauses.followup.enums import Benefit, EmployerKind, ProofKind
from clauses.followup.models import EligibilityCriterion


class ValidationForm(DsfrForm):
    """The facts (to show which criteria they support) and the facilitator's decision."""

    assessment_date = forms.DateField(
        label="Date d'évaluation", widget=forms.DateInput(attrs={"type": "date"})
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
        widget=forms.DateInput(attrs={"type": "date"}),
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
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notes = forms.CharField(
        label="Observations", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: object, criteria: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if criteria is not None:
            self.fields["criteria"].queryset = criteria
        self.fields["assessment_date"].initial = timezone.localdate()
