"""The hour calculator (public page)."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clauses.markets import rules
from clauses.markets.calculator import Calculation, calculate
from clauses.markets.forms import (
    CalculatorForm,
    percent,
)
from clauses.markets.presets import presets_for
from clauses.markets.views.common import _fr

# ---------------------------------------------------------------------------------------
# Hour calculator (public)


def _calculator_inputs_given(data: Any) -> bool:
    return any(data.get(name) for name in ("amount_ht", "preset", "labour_share"))


def _run_calculator(form: Any, department_code: str | None) -> Calculation | None:
    """The calculation of a valid calculator form, or None with the errors on the form."""
    if not form.is_valid():
        return None
    try:
        return calculate(form.calculation_input(), presets=form.presets)
    except rules.CalculationError as error:
        form.calculation_error(str(error))
        return None


def _pct(value: Any) -> str:
    return f"{percent(value)} %"


def preset_rows(presets: dict) -> list[dict]:
    """Presets as the table shows them (percentages, euros, "à saisir" when missing)."""
    rows = []
    for preset in presets.values():
        value = preset.value
        rows.append(
            {
                "preset": preset,
                "labour_share": _pct(value("labour_share"))
                if value("labour_share") is not None
                else "à saisir",
                "hourly_cost": f"{_fr(value('hourly_cost'))} €"
                if value("hourly_cost") is not None
                else "à saisir",
                "insertion_rate": _pct(value("insertion_rate"))
                if value("insertion_rate") is not None
                else "à saisir",
            }
        )
    return rows


@login_not_required
@require_GET
def calculator(request: HttpRequest) -> HttpResponse:
    """The hour-target calculator: a GET form (works without JavaScript, the result is a
    shareable link); with htmx, only the result is sent back."""
    department_code = (request.GET.get("departement") or "")[:3] or None
    presets = presets_for(department_code)
    bound = _calculator_inputs_given(request.GET)
    form = CalculatorForm(request.GET if bound else None, presets=presets)
    if not bound and department_code:
        form = CalculatorForm(initial={"departement": department_code}, presets=presets)
    result = _run_calculator(form, department_code) if bound else None
    context = {
        "form": form,
        "result": result,
        "presets": preset_rows(presets),
        "bound": bound,
    }
    if request.htmx:
        return render(request, "markets/_calculator_result.html", context)
    return render(request, "markets/calculator.html", context)
