"""Shared pieces of the markets forms: the base form, French numbers and percentages, CPV and
commune fields.

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
from clauses.core.numbers import NumberError, french, parse_decimal, parse_integer
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
            number = parse_decimal(text, places=None)
        except NumberError as error:
            message = str(error)
            if "trop" not in message:
                message = f"« {text} » n'est pas un nombre. Exemple : 1 000 000,50"
            raise ValidationError(message, code="invalid") from None
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


class FrenchIntegerField(forms.CharField):
    """A whole number typed the French way ("1 200", "2 400 000"): a text input, since a
    browser's number input refuses the spaces people type between thousands."""

    def __init__(
        self, *args: Any, min_value: int | None = None, max_value: int | None = None, **kwargs: Any
    ) -> None:
        self.min_value, self.max_value = min_value, max_value
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        attrs["inputmode"] = "numeric"
        attrs["autocomplete"] = "off"
        return attrs

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if text in (None, ""):
            return None
        try:
            number = parse_integer(text)
        except NumberError as error:
            message = str(error)
            if "trop" not in message:
                message = f"« {text} » n'est pas un nombre entier. Exemple : 1 200"
            raise ValidationError(message, code="invalid") from None
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(
                f"Indiquez un nombre supérieur ou égal à {french(self.min_value)}.", code="min"
            )
        if self.max_value is not None and number > self.max_value:
            raise ValidationError(
                f"Indiquez un nombre inférieur ou égal à {french(self.max_value)}.", code="max"
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
