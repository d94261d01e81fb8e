"""Calculator presets per territory: the national defaults of `rules.HOUR_PRESETS`, then
what the regional coordination set for its region, then what the departmental coordination
set for its département (the nearest territory wins, code by code).

A value a coordination leaves empty keeps the default of the level above; a preset with no
default and an empty value (a labour share the sources do not give, docs/domain-rules.md
§2.4 [U]) has `missing` fields: the calculator then asks for them.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from clauses.markets import rules
from clauses.markets.models import HourPresetSetting
from clauses.territories.models import Department

NATIONAL = "national"
REGION = "region"
DEPARTMENT = "department"

TERRITORY_LABELS = {
    NATIONAL: "Valeur par défaut nationale",
    REGION: "Valeur de la région",
    DEPARTMENT: "Valeur du département",
}

UNSET = Decimal(-1)  # placeholder for a value nobody gave (never used in a calculation)


@dataclass(frozen=True)
class TerritoryPreset(rules.HourPreset):
    """A preset as it applies in one territory."""

    territory: str = NATIONAL
    territory_name: str = ""
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def territory_label(self) -> str:
        label = TERRITORY_LABELS[self.territory]
        return f"{label} ({self.territory_name})" if self.territory_name else label

    def value(self, name: str) -> Decimal | None:
        """A parameter, or None when nobody gave it."""
        return None if name in self.missing else getattr(self, name)


def _national() -> dict[str, TerritoryPreset]:
    return {
        code: TerritoryPreset(**{f: getattr(p, f) for f in p.__dataclass_fields__})
        for code, p in rules.HOUR_PRESETS.items()
    }


_PARAMETERS = ("labour_share", "hourly_cost", "insertion_rate")


def _apply(
    base: TerritoryPreset | None, setting: HourPresetSetting, territory: str, name: str
) -> TerritoryPreset:
    values: dict = {}
    missing: list[str] = []
    for parameter in _PARAMETERS:
        given = getattr(setting, parameter)
        if given is not None:
            values[parameter] = given
        elif base is not None and parameter not in base.missing:
            values[parameter] = getattr(base, parameter)
        else:
            values[parameter] = UNSET
            missing.append(parameter)
    minimum = setting.minimum_hours
    if minimum is None and base is not None:
        minimum = base.minimum_hours
    common = {
        "label": setting.label,
        "source": setting.source,
        "sector": rules.Sector(setting.sector),
        "minimum_hours": minimum,
        "verified": setting.verified and not missing,
        "territory": territory,
        "territory_name": name,
        "missing": tuple(missing),
        **values,
    }
    if base is None:
        return TerritoryPreset(code=setting.code, **common)
    return replace(base, **common)


def presets_for(department_code: str | None) -> dict[str, TerritoryPreset]:
    """The presets that apply in a département (None: the national defaults), by code, in a
    stable order (national ones first, then the territory's own). Two queries at most."""
    presets = _national()
    if not department_code:
        return presets
    department = Department.objects.filter(code=department_code).select_related("region").first()
    if department is None:
        return presets
    settings = list(
        HourPresetSetting.objects.filter(department=department)
        | HourPresetSetting.objects.filter(region_id=department.region_id)
    )
    for setting in sorted(settings, key=lambda s: (s.department_id is not None, s.code)):
        if setting.department_id is not None:
            presets[setting.code] = _apply(
                presets.get(setting.code), setting, DEPARTMENT, department.name
            )
        else:
            presets[setting.code] = _apply(
                presets.get(setting.code), setting, REGION, department.region.name
            )
    return presets
