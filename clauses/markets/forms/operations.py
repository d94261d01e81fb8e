"""Form of an operation."""

from decimal import Decimal
from typing import Any

from django import forms

from clauses.markets.enums import (
    OperationKind,
)
from clauses.markets.forms.common import (
    HUNDRED,
    FrenchDecimalField,
    MarketsForm,
    clean_communes_text,
)
from clauses.territories.models import Commune, Department

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
