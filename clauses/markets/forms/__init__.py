"""Forms of the markets pages, split like the views. They check and tidy what people type
(French numbers, percentages); the services decide. Every form renders with `{{ form }}`
(django-dsfr). Callers import from the package (`from clauses.markets.forms import LotForm`).
"""

from clauses.markets.forms.calculator import CalculatorFields, CalculatorForm
from clauses.markets.forms.common import (
    FrenchDecimalField,
    FrenchIntegerField,
    MarketsForm,
    clean_communes_text,
    clean_cpv_text,
    cpv_field,
    department_choices,
    fraction,
    percent,
)
from clauses.markets.forms.imports import ImportForm
from clauses.markets.forms.lots import ConsiderationForm, LotForm, OverrideForm
from clauses.markets.forms.market import (
    ContractorForm,
    ConversionForm,
    DerogationForm,
    MarketFilterForm,
    MarketForm,
    MeetingForm,
    StatusForm,
)
from clauses.markets.forms.operations import OperationForm
from clauses.markets.forms.territory import ClauseTemplateForm, PresetForm

__all__ = [
    "CalculatorFields",
    "CalculatorForm",
    "ClauseTemplateForm",
    "ConsiderationForm",
    "ContractorForm",
    "ConversionForm",
    "DerogationForm",
    "FrenchDecimalField",
    "FrenchIntegerField",
    "ImportForm",
    "LotForm",
    "MarketFilterForm",
    "MarketForm",
    "MarketsForm",
    "MeetingForm",
    "OperationForm",
    "OverrideForm",
    "PresetForm",
    "StatusForm",
    "clean_communes_text",
    "clean_cpv_text",
    "cpv_field",
    "department_choices",
    "fraction",
    "percent",
]
