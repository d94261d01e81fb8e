"""The base of every form of Clauses: django-dsfr's form, rendered with `{{ form }}`.

- Optional fields are marked, required ones are not (`DSFR_MARK_OPTIONAL_FIELDS = True`,
  the DSFR's current rule), without the transitional warning django-dsfr raises on every
  render (the test suite turns warnings into errors).
- A field in error keeps its help text in `aria-describedby` next to the error (django-dsfr
  replaces it by the error alone), so a screen reader hears both (RGAA 11.10).
- `error_links` lists the errors for the summary at the top of the page
  (`components/error_summary.html`), each with the anchor of its field (`error_anchor`,
  which a form overrides for a widget of its own).
"""

from django import forms
from dsfr.forms import DsfrBaseForm, DsfrBoundField


class AccessibleBoundField(DsfrBoundField):
    def build_widget_attrs(self, attrs, widget=None):  # type: ignore[no-untyped-def]
        attrs = super().build_widget_attrs(attrs, widget)
        described = [
            *(
                [f"{self.auto_id}_helptext"]
                if self.field.help_text and self.auto_id and not self.use_fieldset
                else []
            ),
            *([f"{self.auto_id}-desc-error"] if self.form.is_bound and self.errors else []),
        ]
        if described:
            attrs["aria-describedby"] = " ".join(described)
        return attrs


class DsfrForm(DsfrBaseForm):
    bound_field_class = AccessibleBoundField

    def get_context(self) -> dict:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context

    def error_anchor(self, bound: forms.BoundField) -> str:
        """The id a summary link goes to: the field, or the first choice of a group."""
        grouped = forms.RadioSelect | forms.CheckboxSelectMultiple
        if bound.use_fieldset or isinstance(bound.field.widget, grouped):
            return f"{bound.auto_id}_0"
        return bound.auto_id

    def error_links(self) -> list[dict]:
        """The errors for the summary at the top of the page: label, message, anchor (none
        for an error of the whole form)."""
        links = []
        for name, errors in self.errors.items():
            if name == "__all__" or name not in self.fields:
                links.extend({"label": "", "message": e, "anchor": ""} for e in errors)
                continue
            bound = self[name]
            anchor = self.error_anchor(bound)
            links.extend({"label": bound.label, "message": e, "anchor": anchor} for e in errors)
        return links
