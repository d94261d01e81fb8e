"""Form of the import of a buyer's markets."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from clauses.accounts.models import Organisation
from clauses.markets.forms.common import MarketsForm


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
