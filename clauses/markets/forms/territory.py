"""Forms of a coordination's territory settings."""

from decimal import Decimal

from django import forms

from clauses.markets import rules
from clauses.markets.forms.common import (
    HUNDRED,
    FrenchDecimalField,
    FrenchIntegerField,
    MarketsForm,
)

# ---------------------------------------------------------------------------------------
# Territory settings


class PresetForm(MarketsForm):
    code = forms.SlugField(
        label="Code",
        max_length=40,
        help_text="Lettres minuscules, chiffres et « _ », par exemple espaces_verts.",
    )
    label = forms.CharField(label="Libellé", max_length=200)
    sector = forms.ChoiceField(label="Méthode de calcul", choices=rules.Sector.choices)
    labour_share = FrenchDecimalField(
        label="Part de main-d'œuvre (%)",
        required=False,
        min_value=Decimal(0),
        max_value=HUNDRED,
        help_text="Vide : la valeur nationale s'applique (ou le calculateur la demande).",
    )
    hourly_cost = FrenchDecimalField(
        label="Coût horaire chargé (€)", required=False, strictly_positive=True
    )
    insertion_rate = FrenchDecimalField(
        label="Taux d'insertion (%)", required=False, min_value=Decimal(0), max_value=HUNDRED
    )
    minimum_hours = FrenchIntegerField(
        label="Minimum d'heures",
        required=False,
        min_value=0,
        help_text="En dessous, le calculateur recommande de ne pas mettre de clause.",
    )
    source = forms.CharField(
        label="Source des valeurs",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Document, date, auteur : ce que les acheteurs verront à côté du préréglage.",
    )
    verified = forms.BooleanField(label="Valeurs sourcées et vérifiées", required=False)


class ClauseTemplateForm(MarketsForm):
    title = forms.CharField(label="Titre", max_length=200)
    body = forms.CharField(
        label="Texte du modèle",
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Une ligne vide sépare les paragraphes ; « ## » commence un intertitre, "
        "« - » un élément de liste. Champs disponibles ci-dessous.",
    )
