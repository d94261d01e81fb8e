"""Forms of the programme review: upload, column mapping, review of a line."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from clauses.accounts.models import Organisation
from clauses.core.forms import DsfrForm
from clauses.desk.models import Request
from clauses.programme import imports
from clauses.programme.enums import ReviewDecision
from clauses.programme.rules import Recommendation

NO_COLUMN = ""


class UploadForm(DsfrForm):
    buyer = forms.ModelChoiceField(
        label="Acheteur",
        queryset=Organisation.objects.none(),
        help_text="L'acheteur dont vous importez la programmation.",
    )
    title = forms.CharField(
        label="Intitulé",
        max_length=200,
        required=False,
        help_text="Par exemple « Programmation achat 2027 ».",
    )
    file = forms.FileField(
        label="Fichier de la programmation",
        help_text=(
            "Tableur XLSX ou CSV tel que vous le tenez, une consultation par ligne, 2 Mo et "
            f"{imports.MAX_ROWS} lignes au plus. Vous indiquerez ensuite quelle colonne "
            "contient quoi."
        ),
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
        if not (upload.name or "").lower().endswith((".csv", ".xlsx")):
            raise ValidationError("Le fichier doit être au format XLSX ou CSV.")
        if upload.size > imports.MAX_BYTES:
            raise ValidationError("Le fichier dépasse 2 Mo.")
        return upload


class MappingForm(DsfrForm):
    """One choice per field of a programme line: which column of the file holds it."""

    def __init__(self, *args: Any, headers: list[str], initial_mapping: dict, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(NO_COLUMN, "— Aucune colonne —")] + [
            (str(index), header or f"Colonne {index + 1} (sans titre)")
            for index, header in enumerate(headers)
        ]
        for field in imports.FIELDS:
            index = initial_mapping.get(field.key)
            self.fields[field.key] = forms.ChoiceField(
                label=field.label,
                choices=choices,
                required=field.required,
                initial="" if index is None else str(index),
            )

    def clean(self) -> dict:
        data = super().clean()
        used: dict[str, str] = {}
        for field in imports.FIELDS:
            value = data.get(field.key)
            if value in (None, NO_COLUMN):
                continue
            if value in used:
                self.add_error(
                    field.key,
                    f"Cette colonne est déjà choisie pour « {used[value]} ».",
                )
            used[value] = field.label
        return data

    def mapping(self) -> dict[str, int]:
        return {
            field.key: int(self.cleaned_data[field.key])
            for field in imports.FIELDS
            if self.cleaned_data.get(field.key) not in (None, NO_COLUMN)
        }


class ReviewForm(DsfrForm):
    decision = forms.ChoiceField(
        label="Revue de la recommandation",
        choices=[
            (ReviewDecision.KEPT, "Conserver la recommandation"),
            (ReviewDecision.CHANGED, "Changer la recommandation"),
            (ReviewDecision.PENDING, "Laisser à revoir"),
        ],
        widget=forms.RadioSelect,
    )
    chosen = forms.ChoiceField(
        label="Considération sociale retenue",
        choices=[("", "—")] + list(Recommendation.choices),
        required=False,
        help_text="Seulement si vous changez la recommandation.",
    )
    comment = forms.CharField(
        label="Commentaire pour l'acheteur",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )
    to_discuss = forms.BooleanField(
        label="À discuter avec l'acheteur",
        required=False,
    )
    desk_request = forms.ModelChoiceField(
        label="Demande au guichet liée",
        queryset=Request.objects.none(),
        required=False,
        help_text="La demande de l'acheteur au guichet qui porte sur cette consultation.",
    )

    def __init__(self, *args: Any, requests: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if requests is None:
            del self.fields["desk_request"]
        else:
            self.fields["desk_request"].queryset = requests
            self.fields["desk_request"].label_from_instance = lambda r: (
                f"{r.reference} — {r.market_subject or r.get_kind_display()}"
            )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == ReviewDecision.CHANGED and not data.get("chosen"):
            self.add_error("chosen", "Choisissez la considération sociale retenue.")
        return data
