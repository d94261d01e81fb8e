"""The period form of every report page (GET: the address of a report is shareable)."""

from datetime import date

from django import forms
from django.utils import timezone

from clauses.core.forms import DsfrForm
from clauses.reporting import periods


class PeriodForm(DsfrForm):
    periode = forms.ChoiceField(
        label="Période",
        choices=[(key, label) for key, label in periods.PRESET_LABELS.items()],
        initial=periods.LAST_12_MONTHS,
    )
    annee = forms.IntegerField(
        label="Année", required=False, min_value=2000, max_value=2100,
        help_text="Pour une année ou un trimestre.",
    )  # fmt: skip
    trimestre = forms.TypedChoiceField(
        label="Trimestre", required=False, coerce=int, empty_value=None,
        choices=[("", "—"), (1, "1er trimestre"), (2, "2e trimestre"), (3, "3e trimestre"),
                 (4, "4e trimestre")],
    )  # fmt: skip
    du = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(
        label="Au (inclus)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean()
        preset = data.get("periode")
        today = timezone.localdate()
        try:
            if preset == periods.YEAR:
                data["period"] = periods.year(data.get("annee") or today.year)
            elif preset == periods.QUARTER:
                quarter = data.get("trimestre") or (today.month - 1) // 3 + 1
                data["period"] = periods.quarter(data.get("annee") or today.year, quarter)
            elif preset == periods.CUSTOM:
                if not data.get("du") or not data.get("au"):
                    raise forms.ValidationError("Indiquez les deux dates de la période.")
                data["period"] = periods.Period(data["du"], data["au"])
            else:
                data["period"] = periods.last_12_months(today)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return data


def period_from(params: object, today: date | None = None) -> tuple[PeriodForm, periods.Period]:
    """The form bound to the query string, and its period (the default when invalid)."""
    form = PeriodForm(params if params else None)  # type: ignore[arg-type]
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["period"]
    return form, periods.default_period(today)
