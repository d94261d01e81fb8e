from django import forms
from django.urls import reverse_lazy

from clauses.core.forms import DsfrForm

# The id of the block the htmx suggestions are swapped into (see find_facilitator.html).
RESULTS_ID = "resultats-recherche"


class FindFacilitatorForm(DsfrForm):
    """One field, a commune name or a postcode: works as a plain GET form without JavaScript,
    and asks for suggestions as the person types when htmx is there."""

    q = forms.CharField(
        label="Commune ou code postal",
        help_text="Par exemple : Évry-Courcouronnes, Saint-Denis ou 93200.",
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "spellcheck": "false",
                "hx-get": reverse_lazy("network:find"),
                "hx-trigger": "input changed delay:250ms, search",
                "hx-target": f"#{RESULTS_ID}",
                "hx-sync": "this:replace",
                "aria-controls": RESULTS_ID,
            }
        ),
    )

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())
