"""Forms of the history import wizard: the file (and the structure, the profile), the
columns, the values, saving a profile, a profile's name and sharing."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from clauses.core.forms import DsfrForm
from clauses.history import fields, services, wizard
from clauses.history.models import MappingProfile


class StructureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ProfileChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, own_structure_ids: set[int] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.own_structure_ids = own_structure_ids or set()

    def label_from_instance(self, obj: Any) -> str:
        if obj.structure_id in self.own_structure_ids:
            return obj.name
        return f"{obj.name} (partagé par {obj.structure.name})"


class UploadForm(DsfrForm):
    structure = StructureChoiceField(
        label="Structure facilitatrice",
        queryset=MappingProfile.objects.none(),
        empty_label="— Choisir la structure —",
        help_text="La structure dont vous importez l'historique.",
    )
    profile = ProfileChoiceField(
        label="Profil de correspondance",
        queryset=MappingProfile.objects.none(),
        required=False,
        empty_label="— Aucun : associer les colonnes à l'étape suivante —",
        help_text=(
            "Un profil enregistré pour l'export du même outil associe les colonnes et les "
            "valeurs : vous passez directement à la vérification."
        ),
    )
    file = forms.FileField(
        label="Fichier de l'historique",
        help_text=(
            "Export CSV ou XLSX de votre outil ou de votre tableur, "
            f"{services.MAX_BYTES // (1024 * 1024)} Mo et {services.MAX_ROWS:_} lignes au plus "
            "(une ligne d'en-têtes en premier).".replace("_", " ")
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(
        self,
        *args: Any,
        structures: Any,
        profiles: Any,
        own_structure_ids: set[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures
        self.fields["profile"].queryset = profiles
        self.fields["profile"].own_structure_ids = own_structure_ids

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith((".csv", ".xlsx")):
            raise ValidationError("Le fichier doit être au format CSV ou XLSX.")
        if upload.size > services.MAX_BYTES:
            raise ValidationError(
                f"Le fichier dépasse {services.MAX_BYTES // (1024 * 1024)} Mo : "
                "découpez-le ou demandez à votre coordination l'import par commande."
            )
        return upload


class ColumnsForm(DsfrForm):
    """One select per column of the file: the field it feeds, or nothing."""

    def __init__(self, *args: Any, columns: list[wizard.Column], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns
        choices = wizard.field_choices()
        for column in columns:
            samples = " · ".join(column.samples) if column.samples else "(colonne vide)"
            self.fields[f"col_{column.index}"] = forms.ChoiceField(
                label=column.header,
                choices=choices,
                initial=column.field_key or wizard.NOT_IMPORTED,
                help_text=f"Exemples : {samples}",
            )

    def clean(self) -> dict:
        data = super().clean()
        used: dict[str, str] = {}
        for column in self.columns:
            name = f"col_{column.index}"
            key = data.get(name)
            if not key or key == wizard.NOT_IMPORTED:
                continue
            if key in used:
                label = fields.FIELDS_BY_KEY[key].label
                self.add_error(
                    name,
                    f"« {label} » est déjà associé à la colonne « {used[key]} » : "
                    "un champ ne prend qu'une colonne.",
                )
            else:
                used[key] = column.header
        return data

    def mapping(self) -> dict[str, str]:
        return {
            self.cleaned_data[f"col_{c.index}"]: c.header
            for c in self.columns
            if self.cleaned_data.get(f"col_{c.index}") not in (None, "", wizard.NOT_IMPORTED)
        }


class ValuesForm(DsfrForm):
    """One select per distinct label of each choice column: a code, or « ignorer »."""

    def __init__(self, *args: Any, choice_columns: list[wizard.ChoiceColumn], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.choice_columns = choice_columns
        for number, column in enumerate(choice_columns):
            choices = wizard.code_choices(column.key)
            for label in column.labels:
                plural = "s" if label.count > 1 else ""
                self.fields[self.name_of(number, label)] = forms.ChoiceField(
                    label=f"« {label.text} »",
                    choices=choices,
                    initial=label.code or "",
                    help_text=f"{label.count} ligne{plural}"
                    + ("" if label.known else " — valeur non reconnue : choisissez"),
                    error_messages={"required": "Choisissez un code, ou « Ignorer cette valeur »."},
                )

    @staticmethod
    def name_of(number: int, label: wizard.Label) -> str:
        return f"v_{number}_{label.index}"

    def groups(self) -> list[dict]:
        return [
            {
                "column": column,
                "fields": [self[self.name_of(number, label)] for label in column.labels],
            }
            for number, column in enumerate(self.choice_columns)
        ]

    def chosen(self) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {}
        for number, column in enumerate(self.choice_columns):
            result[column.key] = {
                label.text: self.cleaned_data[self.name_of(number, label)]
                for label in column.labels
            }
        return result


class SaveProfileForm(DsfrForm):
    name = forms.CharField(
        label="Nom du profil",
        max_length=120,
        help_text="Par exemple le nom de l'outil et de l'export : « Logiciel A, export mensuel ».",
    )
    shared_in_department = forms.BooleanField(
        label="Partager ce profil avec les structures du département",
        required=False,
        help_text="Elles pourront l'utiliser, pas le modifier.",
    )


class ProfileForm(SaveProfileForm):
    """Rename and (un)share a profile."""
