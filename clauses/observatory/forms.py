"""The territory and year of every observatory page (GET: addresses are shareable)."""

from dataclasses import dataclass

from django import forms
from django.utils import timezone

from clauses.core.forms import DsfrForm
from clauses.territories.models import Department, Region

REGION_PREFIX = "region-"


@dataclass(frozen=True)
class Territory:
    department: str = ""
    region: str = ""
    label: str = "Toute la France"

    @property
    def slug(self) -> str:
        if self.department:
            return f"departement-{self.department}"
        if self.region:
            return f"region-{self.region}"
        return "france"


def territory_choices() -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = []
    for region in Region.objects.order_by("code").prefetch_related("departments"):
        choices.append((f"{REGION_PREFIX}{region.code}", f"{region.name} (région)"))
        for department in sorted(region.departments.all(), key=lambda d: d.code):
            choices.append((department.code, f"{department.code} — {department.name}"))
    return choices


class TerritoryForm(DsfrForm):
    territoire = forms.ChoiceField(label="Territoire", choices=())
    annee = forms.IntegerField(
        label="Année de notification", min_value=2000, max_value=2100, required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["territoire"].choices = territory_choices()


def territory_from(
    params: object, *, default_department: str
) -> tuple[TerritoryForm, Territory, int]:
    """The bound form, the territory and the year (defaults: the actor's département or the
    first region, last year)."""
    year = timezone.localdate().year - 1
    choices = dict(territory_choices())
    default = default_department if default_department in choices else ""
    if not default and choices:
        default = next(iter(choices))
    data = {"territoire": default, "annee": year}
    if params:
        data.update({key: params.get(key) for key in ("territoire", "annee") if params.get(key)})  # type: ignore[attr-defined]
    form = TerritoryForm(data)
    value = default
    if form.is_valid():
        value = form.cleaned_data["territoire"]
        year = form.cleaned_data["annee"] or year
    if not value:
        return form, Territory(), year
    label = choices.get(value, value)
    if value.startswith(REGION_PREFIX):
        return form, Territory(region=value.removeprefix(REGION_PREFIX), label=label), year
    return form, Territory(department=value, label=label), year


def department_exists(code: str) -> bool:
    return Department.objects.filter(code=code).exists()
