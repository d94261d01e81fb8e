"""Forms of the markets pages. They check and tidy what people type (French numbers,
percentages); the services decide. Every form renders with `{{ form }}` (django-dsfr).

Percentages are typed as people say them ("5" for 5 %) and handed to the services as the
fractions they expect (0.05). Numbers accept the French writing: "1 000 000,50".
"""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from clauses.accounts.forms import DsfrForm
from clauses.accounts.models import Organisation
from clauses.markets import rules
from clauses.markets.calculator import LABELS
from clauses.markets.enums import (
    ConsiderationKind,
    ContractorRole,
    EligiblePublic,
    MarketStatus,
    MeetingKind,
    Modality,
    OperationKind,
    Procedure,
)
from clauses.markets.models import Operation
from clauses.markets.presets import TerritoryPreset
from clauses.network.models import Facilitator, FacilitatorStructure
from clauses.territories.models import Commune, CpvCode, Department

HUNDRED = Decimal(100)
MAX_COMMUNES = 50


def cpv_field(label: str, datalist_id: str, help_text: str) -> forms.CharField:
    """A CPV code typed as 8 digits or picked among suggestions (a `<datalist>` that htmx
    fills from `territories:cpv_search` as the person types). Without JavaScript it is a
    plain code field; a suggestion's value is "45210000 – label", read by `clean_cpv_text`."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=420,
        help_text=help_text,
        template_name="markets/forms/cpv_field.html",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "list": datalist_id,
                "hx-get": reverse_lazy("territories:cpv_search"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": f"#{datalist_id}",
                "hx-sync": "this:replace",
            }
        ),
    )


_CPV_TYPED = re.compile(r"\s*(\d{8})(?:\s*-\s*\d)?(?:\s|$|\s*–)")


def clean_cpv_text(text: str) -> CpvCode | None:
    """The CPV code of what was typed: 8 digits, with or without the check digit ("-5") and
    the label of a chosen suggestion after them; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    typed = _CPV_TYPED.match(text + " ")
    if typed is None:
        raise ValidationError(
            "Indiquez le code CPV à 8 chiffres (par exemple 45210000), ou choisissez-le "
            "dans la liste proposée quand vous tapez des mots de son libellé.",
            code="format",
        )
    cpv = CpvCode.objects.filter(code8=typed.group(1)).first()
    if cpv is None:
        raise ValidationError(
            f"Ce code CPV est inconnu : {typed.group(1)} n'est pas dans la nomenclature CPV, "
            "vérifiez les 8 chiffres.",
            code="unknown",
        )
    return cpv


class MarketsForm(DsfrForm):
    """A DSFR form with the list of its errors for the summary at the top of the page, and
    its fields grouped in fieldsets when `fieldsets` lists them (id, legend, hint, names);
    fields in no group come first."""

    fieldsets: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()
    auto_id_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.auto_id_prefix:
            kwargs.setdefault("auto_id", f"{self.auto_id_prefix}_%s")
        super().__init__(*args, **kwargs)

    @property
    def template_name(self) -> str:  # type: ignore[override]
        if self.fieldsets:
            return "markets/forms/fieldsets.html"
        return super().template_name

    def get_context(self) -> dict:
        context = super().get_context()
        grouped = {name for *_, names in self.fieldsets for name in names}
        context["ungrouped"] = [self[name] for name in self.fields if name not in grouped]
        context["groups"] = [
            {
                "id": group_id,
                "legend": legend,
                "hint": hint,
                "fields": [self[name] for name in names if name in self.fields],
            }
            for group_id, legend, hint, names in self.fieldsets
        ]
        return context

    def error_links(self) -> list[dict]:
        links = []
        for name, errors in self.errors.items():
            if name == "__all__" or name not in self.fields:
                links.extend({"label": "", "message": e, "anchor": ""} for e in errors)
                continue
            bound = self[name]
            anchor = bound.auto_id
            if isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                anchor = f"{bound.auto_id}_0"
            links.extend({"label": bound.label, "message": e, "anchor": anchor} for e in errors)
        return links

    def add_service_errors(self, error: ValidationError, mapping: dict | None = None) -> None:
        """Show a service's ValidationError on the right fields (or at the top)."""
        mapping = mapping or {}
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            field = mapping.get(name, name)
            self.add_error(field if field in self.fields else None, messages)


class FrenchDecimalField(forms.CharField):
    """A number typed the French way: spaces between thousands, a decimal comma."""

    def __init__(
        self,
        *args: Any,
        min_value: Decimal | None = None,
        max_value: Decimal | None = None,
        strictly_positive: bool = False,
        **kwargs: Any,
    ) -> None:
        self.min_value, self.max_value = min_value, max_value
        self.strictly_positive = strictly_positive
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        attrs["inputmode"] = "decimal"
        attrs["autocomplete"] = "off"
        return attrs

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if text in (None, ""):
            return None
        try:
            number = rules.to_decimal(text, str(self.label))
        except rules.CalculationError:
            raise ValidationError(
                f"« {text} » n'est pas un nombre. Exemple : 1 000 000,50", code="invalid"
            ) from None
        if self.strictly_positive and number <= 0:
            raise ValidationError("Indiquez un nombre strictement positif.", code="min")
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(
                f"Indiquez un nombre supérieur ou égal à {_plain(self.min_value)}.", code="min"
            )
        if self.max_value is not None and number > self.max_value:
            raise ValidationError(
                f"Indiquez un nombre inférieur ou égal à {_plain(self.max_value)}.", code="max"
            )
        return number


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def percent(value: Decimal | None) -> str:
    """A fraction (0.05) as people type it back in a percentage field ("5")."""
    if value is None:
        return ""
    return _plain(value * HUNDRED)


def fraction(value: Decimal | None) -> Decimal | None:
    return None if value is None else value / HUNDRED


def _amount(label: str, **kwargs: Any) -> FrenchDecimalField:
    return FrenchDecimalField(
        label=label,
        required=kwargs.pop("required", False),
        min_value=Decimal(0),
        max_value=Decimal("999999999999"),
        **kwargs,
    )


def department_choices(codes: Any = None) -> list[tuple[str, str]]:
    departments = Department.objects.order_by("code")
    if codes is not None:
        departments = departments.filter(code__in=codes)
    return [(d.code, f"{d.code} — {d.name}") for d in departments]


# ---------------------------------------------------------------------------------------
# Hour calculator


class CalculatorFields(forms.Form):
    """The calculator's inputs, shared by the public page, the lot form and the social
    consideration form. A preset fills the fields left empty."""

    preset = forms.ChoiceField(
        label="Préréglage",
        required=False,
        help_text="Les valeurs d'un préréglage s'appliquent aux champs que vous laissez vides.",
    )
    amount_ht = _amount(
        "Montant estimé (€ HT)",
        help_text="Exemple : 1 000 000,50 — le montant du lot ou du marché, hors taxes.",
    )
    labour_share = FrenchDecimalField(
        label="Part de main-d'œuvre (%)",
        required=False,
        min_value=Decimal(0),
        max_value=HUNDRED,
        help_text="En pourcentage du montant : 50 pour 50 %.",
    )
    hourly_cost = FrenchDecimalField(
        label="Coût horaire chargé (€)",
        required=False,
        strictly_positive=True,
        max_value=Decimal(10000),
        help_text="Toutes charges comprises, par exemple 30.",
    )
    insertion_rate = FrenchDecimalField(
        label="Taux d'insertion (%)",
        required=False,
        min_value=Decimal(0),
        max_value=HUNDRED,
        help_text="Part des heures de travail réservée à l'insertion : 5 pour 5 %.",
    )
    duration_months = FrenchDecimalField(
        label="Durée du marché (mois)",
        required=False,
        strictly_positive=True,
        max_value=Decimal(1200),
        help_text="Propreté seulement.",
    )
    transferred_staff_monthly_hours = FrenchDecimalField(
        label="Heures mensuelles du personnel repris",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(10_000_000),
        help_text="Propreté seulement : heures par mois du personnel transférable.",
    )

    CALCULATOR_FIELDS = (
        "preset",
        "amount_ht",
        "labour_share",
        "hourly_cost",
        "insertion_rate",
        "duration_months",
        "transferred_staff_monthly_hours",
    )

    def set_presets(self, presets: dict[str, TerritoryPreset]) -> None:
        self.presets = presets
        self.fields["preset"].choices = [
            ("", "Aucun : je saisis tous les paramètres"),
            *[(code, preset.label) for code, preset in presets.items()],
        ]

    def calculation_input(self) -> dict[str, Any]:
        """The calculator's input (fractions), empty values left out for the preset."""
        data = self.cleaned_data
        result: dict[str, Any] = {}
        if data.get("preset"):
            result["preset"] = data["preset"]
        for name in ("amount_ht", "hourly_cost", "duration_months"):
            if data.get(name) is not None:
                result[name] = data[name]
        for name in ("labour_share", "insertion_rate"):
            if data.get(name) is not None:
                result[name] = fraction(data[name])
        if data.get("transferred_staff_monthly_hours") is not None:
            result["transferred_staff_monthly_hours"] = data["transferred_staff_monthly_hours"]
        preset = self.presets.get(data.get("preset") or "") if hasattr(self, "presets") else None
        if preset is not None and preset.sector == rules.Sector.CLEANING:
            result.setdefault("duration_months", None)
        return result

    def calculation_error(self, message: str) -> None:
        """Put a calculator error on its field when its label says which one."""
        for name, label in LABELS.items():
            if message.startswith(label) and name in self.fields:
                self.add_error(name, message.removeprefix(f"{label} : "))
                return
        self.add_error(None, message)


class CalculatorForm(MarketsForm, CalculatorFields):
    """The public calculator (a GET form: the result is a link anyone can share)."""

    departement = forms.ChoiceField(
        label="Département",
        required=False,
        help_text="Pour utiliser les préréglages de votre territoire.",
    )

    field_order = ["departement", *CalculatorFields.CALCULATOR_FIELDS]
    fieldsets = (
        (
            "territoire",
            "Préréglage",
            "Choisissez votre département pour voir les préréglages de votre territoire.",
            ("departement", "preset"),
        ),
        (
            "parametres",
            "Paramètres du calcul",
            "Avec un préréglage, un champ laissé vide prend la valeur du préréglage.",
            ("amount_ht", "labour_share", "hourly_cost", "insertion_rate"),
        ),
        (
            "proprete",
            "Propreté : personnel repris",
            "Seulement pour la méthode PACT Propreté (préréglage « Propreté, nettoyage »).",
            ("duration_months", "transferred_staff_monthly_hours"),
        ),
    )

    def __init__(self, *args: Any, presets: dict[str, TerritoryPreset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [
            ("", "Valeurs nationales par défaut"),
            *department_choices(),
        ]
        self.set_presets(presets)


# ---------------------------------------------------------------------------------------
# Lists


class MarketFilterForm(MarketsForm):
    statut = forms.ChoiceField(label="Statut", required=False)
    departement = forms.ChoiceField(label="Département d'exécution", required=False)
    cpv = forms.CharField(
        label="Code CPV (division ou famille)",
        required=False,
        max_length=8,
        help_text="Les premiers chiffres : 45 pour les travaux de construction.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    acheteur = forms.TypedChoiceField(label="Acheteur", required=False, coerce=int)
    clause = forms.ChoiceField(label="Considération sociale", required=False)
    sans_condition = forms.BooleanField(
        label="Seulement les marchés sans la condition sociale obligatoire (L2112-2-1)",
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        departments: list[tuple[str, str]],
        buyers: list[tuple[int, str]] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["statut"].choices = [("", "Tous les statuts"), *MarketStatus.choices]
        self.fields["departement"].choices = [("", "Tous les départements"), *departments]
        self.fields["clause"].choices = [
            ("", "Toutes"),
            ("none", "Aucune considération sociale"),
            *ConsiderationKind.choices,
        ]
        if buyers is None:
            del self.fields["acheteur"]
        else:
            self.fields["acheteur"].choices = [("", "Tous les acheteurs"), *buyers]

    def clean_cpv(self) -> str:
        value = (self.cleaned_data.get("cpv") or "").strip()
        if value and not value.isdigit():
            raise ValidationError("Indiquez les premiers chiffres d'un code CPV, par exemple 45.")
        return value

    def values(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return self.cleaned_data


# ---------------------------------------------------------------------------------------
# Market, lots, considerations


def clean_communes_text(text: str) -> list[Commune]:
    """Communes typed as INSEE codes separated by commas or semicolons."""
    codes = [c.strip().upper() for c in text.replace(";", ",").split(",") if c.strip()]
    if len(codes) > MAX_COMMUNES:
        raise ValidationError(f"Indiquez au plus {MAX_COMMUNES} communes.")
    found = {c.insee: c for c in Commune.objects.filter(insee__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError(f"Code(s) INSEE inconnu(s) : {', '.join(unknown)}.")
    return [found[code] for code in dict.fromkeys(codes)]


class MarketForm(MarketsForm):
    buyer = forms.ModelChoiceField(
        label="Acheteur", queryset=Organisation.objects.none(), required=True
    )
    reference = forms.CharField(label="Référence du marché", max_length=60)
    subject = forms.CharField(label="Objet du marché", max_length=300)
    kind = forms.ChoiceField(
        label="Type de marché", choices=[("", "À choisir")] + rules.MarketKind.choices
    )
    procedure = forms.ChoiceField(
        label="Procédure", required=False, choices=[("", "Non précisée")] + Procedure.choices
    )
    cpv = cpv_field(
        "Code CPV principal",
        "suggestions-cpv-marche",
        "8 chiffres, par exemple 45210000 ; ou tapez des mots (« travaux bâtiment ») et "
        "choisissez un code proposé.",
    )
    estimated_amount_ht = _amount(
        "Montant estimé (€ HT)", help_text="Exemple : 1 200 000 — sert au calcul des heures."
    )
    awarded_amount_ht = _amount("Montant attribué (€ HT)")
    consultation_launch_date = forms.DateField(
        label="Lancement de la consultation",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    planned_publication_date = forms.DateField(
        label="Publication prévue",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    duration_months = forms.IntegerField(
        label="Durée (mois)", required=False, min_value=1, max_value=1200
    )
    communes = forms.CharField(
        label="Communes d'exécution",
        required=False,
        help_text="Codes INSEE séparés par des virgules, par exemple 93066, 93048.",
    )
    following_structure = forms.ModelChoiceField(
        label="Structure facilitatrice qui suit le marché",
        required=False,
        queryset=FacilitatorStructure.objects.order_by("name"),
    )
    facilitator = forms.ModelChoiceField(
        label="Facilitateur ou facilitatrice",
        required=False,
        queryset=Facilitator.objects.select_related("structure").order_by(
            "last_name", "first_name"
        ),
    )
    operation = forms.ModelChoiceField(
        label="Opération",
        required=False,
        queryset=Operation.objects.none(),
        empty_label="Aucune opération",
        help_text="Le projet d'ensemble dont ce marché fait partie (par exemple un projet "
        "de renouvellement urbain), s'il y en a un.",
    )
    defence_or_security = forms.BooleanField(
        label="Marché de défense ou de sécurité", required=False
    )

    fieldsets = (
        (
            "marche",
            "Le marché",
            "",
            ("buyer", "reference", "subject", "kind", "procedure", "cpv"),
        ),
        (
            "montants",
            "Montants et dates",
            "Le montant estimé et la date de lancement disent si la condition sociale est "
            "obligatoire (article L2112-2-1).",
            (
                "estimated_amount_ht",
                "awarded_amount_ht",
                "consultation_launch_date",
                "planned_publication_date",
                "duration_months",
            ),
        ),
        (
            "suivi",
            "Lieu d'exécution et suivi",
            "",
            (
                "communes",
                "following_structure",
                "facilitator",
                "operation",
                "defence_or_security",
            ),
        ),
    )

    def __init__(
        self, *args: Any, buyers: Any = None, operations: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if buyers is None:
            del self.fields["buyer"]
        else:
            self.fields["buyer"].queryset = buyers
        if operations is None:
            del self.fields["operation"]
        else:
            self.fields["operation"].queryset = operations

    def clean_cpv(self) -> CpvCode | None:
        return clean_cpv_text(self.cleaned_data.get("cpv") or "")

    def clean_communes(self) -> list[Commune]:
        return clean_communes_text(self.cleaned_data.get("communes") or "")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("buyer", None)
        data.pop("communes", None)
        return data


class LotForm(MarketsForm, CalculatorFields):
    """A lot; its insertion clause can be computed right here with the calculator."""

    number = forms.IntegerField(label="Numéro du lot", min_value=1, max_value=999)
    title = forms.CharField(label="Intitulé du lot", max_length=300)
    lot_amount = _amount(
        "Montant estimé du lot (€ HT)",
        help_text="Exemple : 450 000. Sert de montant de calcul si vous n'en indiquez pas.",
    )
    cpv = cpv_field(
        "Code CPV du lot",
        "suggestions-cpv-lot",
        "8 chiffres, ou des mots de son libellé pour choisir un code proposé. Laissez vide "
        "pour reprendre le code du marché.",
    )
    with_clause = forms.BooleanField(
        label="Ajouter une clause d'insertion à ce lot (condition d'exécution)",
        required=False,
    )

    field_order = [
        "number",
        "title",
        "lot_amount",
        "cpv",
        "with_clause",
        *CalculatorFields.CALCULATOR_FIELDS,
    ]
    fieldsets = (
        ("lot", "Le lot", "", ("number", "title", "lot_amount", "cpv")),
        (
            "clause",
            "Clause d'insertion calculée",
            "Cochez la case pour que le calculateur fixe l'objectif d'heures du lot. Avec un "
            "préréglage, un champ laissé vide prend la valeur du préréglage.",
            ("with_clause", *CalculatorFields.CALCULATOR_FIELDS),
        ),
    )

    def __init__(self, *args: Any, presets: dict[str, TerritoryPreset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_presets(presets)
        self.fields["amount_ht"].label = "Montant de calcul des heures (€ HT)"
        self.fields["amount_ht"].help_text = "Laissez vide pour utiliser le montant du lot."

    def clean_cpv(self) -> CpvCode | None:
        return clean_cpv_text(self.cleaned_data.get("cpv") or "")


HOURS_CHOICES = [
    ("calculator", "Calculer avec le calculateur (préréglage ou paramètres)"),
    ("manual", "Saisir directement le nombre d'heures"),
    ("none", "Pas d'objectif d'heures pour l'instant"),
]


class ConsiderationForm(MarketsForm, CalculatorFields):
    kind = forms.ChoiceField(
        label="Type de considération sociale", choices=ConsiderationKind.choices
    )
    description = forms.CharField(
        label="Précisions", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    eligible_publics = forms.MultipleChoiceField(
        label="Publics éligibles",
        required=False,
        choices=EligiblePublic.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    modalities = forms.MultipleChoiceField(
        label="Modalités de mise en œuvre proposées au titulaire",
        required=False,
        choices=Modality.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    penalty_per_missing_hour = _amount("Pénalité par heure d'insertion non réalisée (€)")
    hours_mode = forms.ChoiceField(
        label="Objectif d'heures (clause d'insertion, marché d'insertion)",
        choices=HOURS_CHOICES,
        initial="calculator",
        widget=forms.RadioSelect,
    )
    manual_hours = forms.IntegerField(
        label="Nombre d'heures saisi directement", required=False, min_value=0
    )

    field_order = [
        "kind",
        "eligible_publics",
        "modalities",
        "description",
        "penalty_per_missing_hour",
        "hours_mode",
        "manual_hours",
        *CalculatorFields.CALCULATOR_FIELDS,
    ]
    fieldsets = (
        (
            "consideration",
            "La considération sociale",
            "",
            ("kind", "eligible_publics", "modalities", "description", "penalty_per_missing_hour"),
        ),
        (
            "heures",
            "Objectif d'heures",
            "Pour une clause d'insertion ou un marché d'insertion. Avec un préréglage, un champ "
            "laissé vide prend la valeur du préréglage.",
            ("hours_mode", "manual_hours", *CalculatorFields.CALCULATOR_FIELDS),
        ),
    )

    def __init__(self, *args: Any, presets: dict[str, TerritoryPreset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_presets(presets)
        self.fields["amount_ht"].label = "Montant de calcul des heures (€ HT)"
        self.fields["amount_ht"].help_text = "Laissez vide pour utiliser le montant du lot."

    def clean(self) -> dict:
        data = super().clean()
        if data.get("hours_mode") == "manual" and data.get("manual_hours") is None:
            self.add_error("manual_hours", "Indiquez le nombre d'heures.")
        return data


class OverrideForm(MarketsForm):
    """Field ids prefixed: several forms share a market's page."""

    auto_id_prefix = "ajustement"
    hours_override = forms.IntegerField(
        label="Heures retenues",
        required=False,
        min_value=0,
        help_text="Laissez vide pour revenir aux heures calculées.",
    )
    override_reason = forms.CharField(
        label="Motif de l'ajustement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Au moins 10 caractères : ce qui justifie un autre objectif que le calcul.",
    )


class DerogationForm(MarketsForm):
    """Field ids prefixed: several forms share a market's page."""

    auto_id_prefix = "derogation"
    derogation_reason = forms.CharField(
        label="Motif de la dérogation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Au moins 10 caractères. Laissez vide pour retirer la dérogation.",
    )


class StatusForm(MarketsForm):
    """Field ids prefixed: several forms share a market's page."""

    auto_id_prefix = "statut"
    to = forms.ChoiceField(label="Nouveau statut")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = choices


class ContractorForm(MarketsForm):
    """Field ids prefixed: several forms share a market's page."""

    auto_id_prefix = "entreprise"
    lot = forms.TypedChoiceField(label="Lot", coerce=int)
    siret = forms.CharField(
        label="SIRET de l'entreprise",
        max_length=20,
        help_text="14 chiffres, espaces acceptés.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label="Nom de l'entreprise",
        required=False,
        max_length=250,
        help_text="Seulement si l'entreprise n'est pas encore connue de la plateforme.",
    )
    role = forms.ChoiceField(label="Rôle", choices=ContractorRole.choices)
    amount_ht = _amount("Montant (€ HT)")

    def __init__(self, *args: Any, lots: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = lots


class MeetingForm(MarketsForm):
    """Field ids prefixed: several forms share a market's page."""

    auto_id_prefix = "reunion"
    kind = forms.ChoiceField(label="Type de réunion", choices=MeetingKind.choices)
    when = forms.DateTimeField(
        label="Date et heure",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
    )
    location = forms.CharField(label="Lieu", required=False, max_length=300)
    lot = forms.TypedChoiceField(label="Lot concerné", required=False, coerce=int, empty_value=None)
    invite_facilitator = forms.BooleanField(
        label="Inviter le facilitateur ou la facilitatrice (courriel)",
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, lots: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [("", "Tout le marché"), *lots]


class ImportForm(MarketsForm):
    buyer = forms.ModelChoiceField(label="Acheteur", queryset=Organisation.objects.none())
    file = forms.FileField(
        label="Fichier à importer",
        help_text="Tableur au format CSV (séparateur point-virgule) ou XLSX, 5 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, buyers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if buyers is None:
            del self.fields["buyer"]
        else:
            self.fields["buyer"].queryset = buyers

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise ValidationError("Le fichier doit être au format CSV ou XLSX.")
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError("Le fichier dépasse 5 Mo.")
        return upload


# ---------------------------------------------------------------------------------------
# Operations


class OperationForm(MarketsForm):
    name = forms.CharField(
        label="Nom de l'opération",
        max_length=250,
        help_text="Par exemple : NPNRU Franc-Moisin, Saint-Denis.",
    )
    kind = forms.ChoiceField(label="Type d'opération", choices=OperationKind.choices)
    department = forms.ModelChoiceField(
        label="Département", queryset=Department.objects.none(), empty_label="À choisir"
    )
    communes = forms.CharField(
        label="Communes",
        required=False,
        help_text="Codes INSEE séparés par des virgules, par exemple 93066, 93048.",
    )
    insertion_rate = FrenchDecimalField(
        label="Taux d'insertion visé (%)",
        required=False,
        min_value=Decimal(0),
        max_value=HUNDRED,
        help_text="Part des heures travaillées réservée à l'insertion. Charte ANRU : 5 "
        "(travaux et ingénierie), 10 (gestion urbaine de proximité).",
    )
    description = forms.CharField(
        label="Présentation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def clean_communes(self) -> list[Commune]:
        return clean_communes_text(self.cleaned_data.get("communes") or "")

    def clean(self) -> dict:
        data = super().clean()
        department = data.get("department")
        outside = [
            c.insee
            for c in data.get("communes") or ()
            if department is not None and c.department_id != department.pk
        ]
        if outside:
            self.add_error(
                "communes",
                f"Commune(s) hors du département {department.code} : {', '.join(outside)}.",
            )
        return data


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
    minimum_hours = forms.IntegerField(
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
