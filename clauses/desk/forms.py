"""Forms of the desk's pages. They check and tidy what people type; the services decide.

Every form renders with `{{ form }}` (django-dsfr). The request form groups its fields in
fieldsets (`desk/forms/request_form.html`) and resolves the execution places server-side,
so that it works the same with or without JavaScript.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.urls import reverse_lazy
from django.utils.html import format_html

from clauses.accounts.validators import normalize_company_number, validate_siret
from clauses.core.forms import DsfrForm
from clauses.core.numbers import NumberError, NumberOutOfRange, parse_decimal
from clauses.desk.abuse import HONEYPOT_FIELD, check_honeypot
from clauses.desk.attachments import check_attachments
from clauses.desk.conf import desk_settings
from clauses.desk.enums import RequestKind, RequestOutcome, RequestStatus
from clauses.desk.validation import MAX_AMOUNT
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination
from clauses.territories.models import Commune, CpvCode, Department
from clauses.territories.search import looks_like_code

# Accepted attachments, as the request form announces them.
ATTACHMENT_EXTENSIONS = ("pdf", "xlsx", "ods", "docx", "odt", "csv")
ATTACHMENT_ACCEPT = ",".join(f".{ext}" for ext in ATTACHMENT_EXTENSIONS)
MAX_PLACES_TYPED = 50

KIND_DESCRIPTIONS = {
    RequestKind.SOCIAL_ADVICE: "Vous préparez un marché et souhaitez savoir quelles "
    "considérations sociales y inscrire : clause d'insertion, critère d'attribution, marché "
    "réservé…",
    RequestKind.FACILITATOR_CONTACT: "Vous souhaitez connaître et rencontrer le facilitateur "
    "ou la facilitatrice qui suit les clauses sur votre territoire.",
    RequestKind.PROGRAMME_REVIEW: "Vous transmettez la liste de vos consultations à venir "
    "pour repérer celles qui se prêtent à une clause sociale.",
    RequestKind.CLAUSE_FOLLOW_UP: "Un marché avec une clause est en cours : vous avez une "
    "question sur son suivi, les heures réalisées ou le titulaire.",
    RequestKind.ENVIRONMENTAL: "Votre question porte sur les considérations "
    "environnementales : elle est transmise au guichet vert, qui les traite.",
    RequestKind.OTHER: "Votre question n'entre dans aucune de ces catégories : décrivez-la "
    "dans votre message.",
}


class DeskForm(DsfrForm):
    def error_anchor(self, bound: forms.BoundField) -> str:
        """The communes' chips are reached through the text box that adds them."""
        if isinstance(bound.field.widget, CommuneChipsWidget):
            return self["communes_text"].auto_id
        return super().error_anchor(bound)


def refuse_robots(form: forms.Form) -> None:
    """A filled honeypot: one neutral message for the whole form (never on the field,
    which people do not see)."""
    try:
        check_honeypot(form.cleaned_data.get(HONEYPOT_FIELD))
    except ValidationError as error:
        form.add_error(None, error)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked by its content (`desk.attachments`):
    `cleaned_data[name]` is a list of `CheckedFile`."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        single = super().clean
        if isinstance(data, list | tuple):
            uploads = [single(item, initial) for item in data if item]
        else:
            uploads = [single(data, initial)] if data else []
        try:
            return check_attachments(uploads)
        except ValidationError as error:
            raise ValidationError(error.message_dict["attachments"]) from None


def attachments_help() -> str:
    conf = desk_settings()
    megabytes = conf.max_attachment_bytes // (1024 * 1024)
    return (
        f"Formats acceptés : PDF, XLSX, ODS, DOCX, ODT, CSV. Jusqu'à {conf.max_attachments} "
        f"fichiers, {megabytes} Mo au plus chacun. Pour en choisir plusieurs, maintenez la "
        "touche Ctrl (ou Cmd) en cliquant."
    )


def honeypot_field() -> forms.CharField:
    """A field people never see nor reach (hidden by CSS, out of the tab order, hidden from
    assistive technologies); robots fill it in."""
    return forms.CharField(
        label="Laissez ce champ vide",
        required=False,
        template_name="desk/forms/honeypot_field.html",
        widget=forms.TextInput(
            attrs={"tabindex": "-1", "autocomplete": "off", "class": "desk-honeypot__input"}
        ),
    )


def split_places(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]+", text or "") if part.strip()]


_CODE_IN_PARENTHESES = re.compile(r"\((\d[\dAB]\d{3})\)\s*$", re.IGNORECASE)


@dataclass
class PlaceResolution:
    communes: list[Commune]
    errors: list[str]
    # INSEE codes not in the table (the region's communes only): the desk decides whether
    # they are places outside the region or mistakes.
    other_codes: list[str] = field(default_factory=list)


_INSEE_CODE = re.compile(r"^(\d{2}|2[AB])\d{3}$")


def resolve_places(text: str) -> PlaceResolution:
    """Communes typed as names, INSEE codes or postcodes, separated by commas or lines.

    A name is taken only when exactly one commune bears it; a postcode only when it serves
    one commune: otherwise the person is told which communes match, to choose one.
    """
    communes: list[Commune] = []
    errors: list[str] = []
    other_codes: list[str] = []
    parts = split_places(text)
    if len(parts) > MAX_PLACES_TYPED:
        return PlaceResolution(
            [],
            [
                f"Indiquez au plus {MAX_PLACES_TYPED} communes ; pour un territoire plus "
                "large, cochez plutôt les départements concernés."
            ],
        )
    for part in parts:
        match = _CODE_IN_PARENTHESES.search(part)
        token = match.group(1).upper() if match else part
        found = list(Commune.objects.search(token).select_related("department")[:6])
        if looks_like_code(token):
            exact = [c for c in found if c.insee == token]
            if not exact:
                parents = {c.parent_id for c in found if c.parent_id}
                exact = [c for c in found if c.pk not in parents]
        else:
            exact = [c for c in found if getattr(c, "rank", None) == 0]
        if len(exact) == 1:
            communes.append(exact[0])
        elif not found and _INSEE_CODE.match(token) and not _is_postcode_of_region(token):
            other_codes.append(token)
        elif exact:
            choices = ", ".join(f"{c.name} ({c.insee})" for c in exact[:5])
            errors.append(
                f"« {part} » correspond à plusieurs communes : {choices}. Indiquez le code "
                "INSEE de celle qui convient."
            )
        elif found:
            choices = ", ".join(f"{c.name} ({c.insee})" for c in found[:5])
            errors.append(
                f"Aucune commune ne s'appelle exactement « {part} ». "
                f"Vouliez-vous dire : {choices} ?"
            )
        else:
            errors.append(
                f"Nous ne trouvons pas la commune « {part} ». Vérifiez l'orthographe ou "
                "indiquez son code INSEE ou son code postal."
            )
    return PlaceResolution(communes, errors, other_codes)


def _is_postcode_of_region(code: str) -> bool:
    """A postcode of the region that serves no commune is a typo, not a faraway place."""
    return Department.objects.filter(code=code[:2]).exists()


def resolve_cpv(text: str) -> CpvCode | None:
    """A CPV code typed as 8 digits, with or without its check digit and label."""
    digits = re.match(r"\s*(\d{8})", text or "")
    if digits is None:
        raise ValidationError(
            "Indiquez le code CPV à 8 chiffres (par exemple 45000000), ou choisissez-le "
            "dans la liste proposée.",
            code="format",
        )
    cpv = CpvCode.objects.filter(code8=digits.group(1)).first()
    if cpv is None:
        raise ValidationError(
            f"Le code CPV {digits.group(1)} n'existe pas dans la nomenclature.", code="unknown"
        )
    return cpv


def region_departments():
    """The départements of the region the desk serves (the regional coordination's)."""
    regional = Coordination.objects.filter(level=CoordinationLevel.REGIONAL).first()
    departments = Department.objects.order_by("code")
    if regional is not None and regional.region_id:
        return departments.filter(region_id=regional.region_id)
    return departments.filter(region__code="11")


class DepartmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.name} ({obj.code})"


class CommuneChipsWidget(forms.CheckboxSelectMultiple):
    """The communes already chosen, as checked boxes: unchecking one removes it."""

    template_name = "desk/forms/commune_chips.html"


COMMUNE_SEARCH_ATTRS = {
    "autocomplete": "off",
    "hx-get": reverse_lazy("desk:commune_suggestions"),
    "hx-trigger": "input changed delay:300ms, search",
    "hx-target": "#suggestions-communes",
    "aria-controls": "suggestions-communes",
}


class RequestForm(DeskForm):
    """What a buyer tells the desk. `cleaned_data` after validation holds, besides the
    fields: `communes_resolved` (Commune list), `cpv_code` (CpvCode or None)."""

    template_name = "desk/forms/request_form.html"

    organisation_name = forms.CharField(
        label="Nom de votre organisme",
        max_length=250,
        help_text="Par exemple : Ville de Montreuil, Paris Habitat, Hôpital de Meaux.",
    )
    siret = forms.CharField(
        label="SIRET de votre organisme",
        max_length=20,
        help_text="14 chiffres, espaces acceptés. Vous le trouverez sur "
        "annuaire-entreprises.data.gouv.fr.",
    )
    contact_name = forms.CharField(label="Vos prénom et nom", max_length=200)
    contact_email = forms.EmailField(
        label="Votre adresse électronique",
        help_text="Nous y envoyons la confirmation et le lien de suivi de votre demande.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": "Indiquez une adresse électronique valide, par exemple nom@mairie.fr."
        },
    )
    contact_phone = forms.CharField(
        label="Votre téléphone",
        required=False,
        max_length=30,
        help_text="Pour qu'un facilitateur puisse vous rappeler. Format : 01 23 45 67 89.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    kind = forms.ChoiceField(
        label="Votre demande porte sur",
        choices=[
            (
                value,
                format_html(
                    '{}<span class="fr-hint-text">{}</span>',
                    label,
                    KIND_DESCRIPTIONS[RequestKind(value)],
                ),
            )
            for value, label in RequestKind.choices
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez l'objet de votre demande."},
    )
    market_subject = forms.CharField(
        label="Objet du marché",
        required=False,
        max_length=300,
        help_text="Par exemple : rénovation de l'école Jules-Ferry, entretien des espaces verts.",
    )
    cpv = forms.CharField(
        label="Code CPV principal",
        required=False,
        max_length=420,
        help_text="Tapez quelques lettres ou chiffres pour voir les codes proposés, ou "
        "indiquez le code à 8 chiffres.",
        template_name="desk/forms/cpv_field.html",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "list": "suggestions-cpv",
                "hx-get": reverse_lazy("territories:cpv_search"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#suggestions-cpv",
            }
        ),
    )
    # Read as text and parsed the French way ("2 400 000", "450 000,50 €") with
    # clauses.core.numbers (#12.12), as the calculator does: see clean_estimated_amount.
    estimated_amount = forms.CharField(
        label="Montant estimé (€ HT)",
        required=False,
        max_length=40,
        help_text="En euros hors taxes, par exemple 2 400 000.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    planned_publication = forms.DateField(
        label="Date de publication prévue",
        required=False,
        help_text="Approximative si besoin. Format : jj/mm/aaaa.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Indiquez une date valide, par exemple 15/09/2026."},
    )
    duration_months = forms.IntegerField(
        label="Durée du marché (en mois)",
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        widget=forms.NumberInput(attrs={"min": 1, "max": 240}),
        error_messages={"invalid": "Indiquez une durée en mois, en chiffres (par exemple 24)."},
    )
    communes = forms.MultipleChoiceField(
        label="Communes retenues",
        required=False,
        widget=CommuneChipsWidget,
        template_name="desk/forms/commune_chips_field.html",
        error_messages={
            "invalid_choice": "La commune de code « %(value)s » n'existe pas : retirez-la."
        },
    )
    communes_text = forms.CharField(
        label="Ajouter des communes",
        required=False,
        max_length=2000,
        help_text="Nom, code postal ou code INSEE. Plusieurs communes : séparez-les par des "
        "virgules.",
        template_name="desk/forms/commune_search_field.html",
        widget=forms.TextInput(attrs=COMMUNE_SEARCH_ATTRS),
    )
    departments = DepartmentChoiceField(
        label="Départements entiers",
        required=False,
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez un département si le marché s'exécute sur tout son territoire.",
    )
    region_wide = forms.BooleanField(
        label="Le marché s'exécute sur toute la région",
        required=False,
    )
    message = forms.CharField(
        label="Votre message",
        max_length=5000,
        help_text="Décrivez votre besoin en quelques lignes : où en est votre projet, ce que "
        "vous attendez du facilitateur.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachments = MultipleFileField(label="Pièces jointes", required=False)
    site_web = honeypot_field()

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = region_departments()
        self.fields["attachments"].help_text = attachments_help()
        # DsfrBaseForm already built the bound fields, which copied the empty help text.
        self._bound_fields_cache.pop("attachments", None)
        # The chosen communes: those submitted, else those given to pre-fill the form.
        if self.is_bound:
            codes = self.data.getlist(self.add_prefix("communes"))
        else:
            codes = list(self.initial.get("communes") or [])
        codes = [code for code in codes if code][:MAX_PLACES_TYPED]
        chosen = Commune.objects.filter(insee__in=codes).select_related("department")
        self.fields["communes"].choices = [
            (commune.insee, f"{commune.name} ({commune.department.code})")
            for commune in sorted(chosen, key=lambda c: codes.index(c.insee))
        ]
        self.fields["kind"].widget.attrs["class"] = "desk-kind"

    def clean_siret(self) -> str:
        siret = normalize_company_number(self.cleaned_data["siret"])
        validate_siret(siret)
        return siret

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and not re.fullmatch(r"\+?[\d\s.\-()]{10,20}", phone):
            raise ValidationError(
                "Indiquez un numéro de téléphone en chiffres, par exemple 01 23 45 67 89."
            )
        return phone

    def clean_estimated_amount(self) -> Decimal | None:
        text = self.cleaned_data.get("estimated_amount") or ""
        if not text.strip():
            return None
        try:
            amount = parse_decimal(text, places=None, maximum=MAX_AMOUNT)
        except NumberOutOfRange:
            raise ValidationError(
                "Ce montant est trop élevé : vérifiez le nombre de chiffres."
            ) from None
        except NumberError:
            raise ValidationError(
                "Indiquez un montant en euros, en chiffres (par exemple 2 400 000)."
            ) from None
        if amount is None:
            return None
        if amount < 0:
            raise ValidationError("Le montant ne peut pas être négatif.")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError("Indiquez au plus deux chiffres après la virgule.")
        return amount

    def clean_cpv(self) -> str:
        text = self.cleaned_data["cpv"].strip()
        self.cleaned_data["cpv_code"] = resolve_cpv(text) if text else None
        return text

    def clean(self) -> dict:
        cleaned = super().clean()
        refuse_robots(self)
        codes = cleaned.get("communes") or []
        by_code = {c.insee: c for c in Commune.objects.filter(insee__in=codes)}
        communes = [by_code[code] for code in codes if code in by_code]
        resolution = resolve_places(cleaned.get("communes_text", ""))
        for error in resolution.errors:
            self.add_error("communes_text", error)
        for commune in resolution.communes:
            if commune.insee not in by_code:
                by_code[commune.insee] = commune
                communes.append(commune)
        cleaned["communes_resolved"] = communes
        cleaned["other_codes"] = resolution.other_codes
        return cleaned

    def fieldsets(self) -> list[dict]:
        """The groups of the form, each with its legend, for `request_form.html`."""
        groups = [
            ("organisme", "Votre organisme", "", ["organisation_name", "siret"]),
            ("contact", "Vos coordonnées", "", ["contact_name", "contact_email", "contact_phone"]),
            ("objet", "Votre demande", "", ["kind"]),
            (
                "marche",
                "Le marché prévu, s'il y en a un",
                "Ces informations sont facultatives ; elles aident le facilitateur à vous "
                "répondre vite.",
                [
                    "market_subject",
                    "cpv",
                    "estimated_amount",
                    "planned_publication",
                    "duration_months",
                ],
            ),
            (
                "lieu",
                "Lieu d'exécution",
                "Il détermine le facilitateur qui vous répondra. Indiquez des communes, des "
                "départements entiers ou toute la région.",
                ["communes", "communes_text", "departments", "region_wide"],
            ),
            ("message", "Votre message et vos documents", "", ["message", "attachments"]),
        ]
        return [
            {
                "id": key,
                "legend": legend,
                "hint": hint,
                "fields": [self[name] for name in names],
                # A lone radio list has its own fieldset and legend: no second one around it.
                "wrap": names != ["kind"],
            }
            for key, legend, hint, names in groups
        ]

    def get_context(self) -> dict:
        context = super().get_context()
        context["fieldsets"] = self.fieldsets()
        context["honeypot"] = self[HONEYPOT_FIELD]
        return context


class FollowReplyForm(DeskForm):
    body = forms.CharField(
        label="Votre message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Écrivez votre message avant de l'envoyer."},
    )
    attachments = MultipleFileField(label="Pièces jointes", required=False)
    site_web = honeypot_field()

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()
        # DsfrBaseForm already built the bound fields, which copied the empty help text.
        self._bound_fields_cache.pop("attachments", None)

    def clean(self) -> dict:
        cleaned = super().clean()
        refuse_robots(self)
        return cleaned


class NewFollowLinkForm(DeskForm):
    """A buyer who lost the private follow link: the reference and the contact address."""

    reference = forms.CharField(
        label="Référence de la demande",
        help_text=(
            "Elle figure dans l'objet du courriel de confirmation, par exemple GRCS-2026-000123."
        ),
        max_length=30,
        error_messages={"required": "Indiquez la référence de votre demande."},
    )
    contact_email = forms.EmailField(
        label="Adresse électronique donnée dans la demande",
        max_length=254,
        error_messages={
            "required": "Indiquez l'adresse électronique donnée dans la demande.",
            "invalid": "Indiquez une adresse électronique valide, par exemple nom@exemple.fr.",
        },
    )
    site_web = honeypot_field()

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().upper()

    def clean(self) -> dict:
        cleaned = super().clean()
        refuse_robots(self)
        return cleaned


class ReplyForm(DeskForm):
    prefix = "reponse"

    body = forms.CharField(
        label="Réponse à l'acheteur",
        max_length=10000,
        help_text="Envoyée par courriel à l'acheteur et visible sur son lien de suivi.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Écrivez la réponse avant de l'envoyer."},
    )
    attachments = MultipleFileField(label="Pièces jointes", required=False)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()
        # DsfrBaseForm already built the bound fields, which copied the empty help text.
        self._bound_fields_cache.pop("attachments", None)


class NoteForm(DeskForm):
    prefix = "note"

    body = forms.CharField(
        label="Note interne",
        max_length=10000,
        help_text="Visible des facilitateurs et coordinations seulement, jamais de l'acheteur.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Écrivez la note avant de l'enregistrer."},
    )


class ReassignForm(DeskForm):
    prefix = "reaffectation"

    target = forms.ChoiceField(
        label="Nouveau destinataire",
        help_text="Les structures et coordinations de votre territoire.",
        error_messages={"required": "Choisissez à qui confier la demande."},
    )
    comment = forms.CharField(
        label="Motif de la réaffectation",
        max_length=2000,
        help_text="Obligatoire : il est conservé dans l'historique de la demande.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Expliquez pourquoi vous réaffectez la demande."},
    )

    def __init__(self, *args, targets: list[tuple[str, str]] = (), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "Choisir…"), *targets]


class CloseForm(DeskForm):
    prefix = "cloture"

    outcome = forms.ChoiceField(
        label="Issue de la demande",
        choices=[("", "Choisir…"), *RequestOutcome.choices],
        error_messages={"required": "Choisissez l'issue de la demande."},
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


AGE_CHOICES = [
    ("", "Toutes"),
    ("7", "Déposées depuis moins de 7 jours"),
    ("30", "Déposées depuis moins de 30 jours"),
    ("old", "Déposées il y a plus de 30 jours"),
]
TIMING_CHOICES = [
    ("", "Toutes"),
    ("before_publication", "Avant la publication"),
    ("after_publication", "Après la publication"),
    ("unknown", "Date de publication inconnue"),
]


class InboxFilterForm(DeskForm):
    """The inbox's filters, as a GET form: an invalid value is simply ignored."""

    search = forms.CharField(
        label="Rechercher",
        required=False,
        max_length=100,
        help_text="Référence, nom de l'acheteur ou SIRET.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous"), ("open", "Ouvertes"), *RequestStatus.choices],
    )
    kind = forms.ChoiceField(
        label="Objet", required=False, choices=[("", "Tous"), *RequestKind.choices]
    )
    department = forms.ChoiceField(label="Département", required=False)
    age = forms.ChoiceField(label="Ancienneté", required=False, choices=AGE_CHOICES)
    timing = forms.ChoiceField(
        label="Par rapport à la publication", required=False, choices=TIMING_CHOICES
    )
    overdue = forms.BooleanField(label="En retard seulement", required=False)

    def __init__(self, *args, departments: list[tuple[str, str]] = (), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "Tous"), *departments]

    def filters(self) -> dict:
        """The valid filters only (an invalid one is left out rather than failing)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}


class BuyerReplyForm(DeskForm):
    """A logged-in buyer agent answers the desk from "Mes demandes" (no honeypot: the
    person is authenticated)."""

    body = forms.CharField(
        label="Votre message",
        max_length=5000,
        help_text="Il est transmis à la personne qui traite votre demande.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Écrivez votre message avant de l'envoyer."},
    )
    attachments = MultipleFileField(label="Pièces jointes", required=False)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()
        # DsfrBaseForm already built the bound fields, which copied the empty help text.
        self._bound_fields_cache.pop("attachments", None)


BUYER_STATUS_CHOICES = [
    ("", "Toutes"),
    ("open", "En cours (non clôturées)"),
    *RequestStatus.choices,
]


class BuyerRequestFilterForm(DeskForm):
    """The filter of "Mes demandes", as a GET form: an invalid value is ignored."""

    status = forms.ChoiceField(label="Statut", required=False, choices=BUYER_STATUS_CHOICES)

    def status_filter(self) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return self.cleaned_data["status"]
