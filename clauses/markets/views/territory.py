"""A coordination's territory settings: hour presets and clause templates."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clauses.access.actors import Actor, actor_for_request
from clauses.markets import clause_text, policies, rules, services
from clauses.markets.enums import (
    ConsiderationKind,
)
from clauses.markets.forms import (
    ClauseTemplateForm,
    PresetForm,
    department_choices,
    percent,
)
from clauses.markets.models import (
    ClauseTemplate,
    HourPresetSetting,
)
from clauses.markets.presets import presets_for
from clauses.markets.views.calculator import preset_rows
from clauses.markets.views.common import _departments, _fr, _posted

# ---------------------------------------------------------------------------------------
# Territory settings (coordinations)


def _settings_departments(actor: Actor) -> list[tuple[str, str]]:
    codes = None if actor.is_platform_admin else sorted(actor.department_codes)
    choices = department_choices(codes)
    return [
        (code, label)
        for code, label in choices
        if policies.can_manage_territory_settings(actor, department_code=code)
    ]


def territory_index(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    departments = _settings_departments(actor)
    if not departments:
        raise PermissionDenied("Les réglages du territoire sont réservés aux coordinations.")
    if len(departments) == 1:
        return redirect("markets:territory", code=departments[0][0])
    return render(request, "markets/territory_index.html", {"departments": departments})


def _territory_actor(request: HttpRequest, code: str) -> Actor:
    actor = actor_for_request(request)
    if not policies.can_manage_territory_settings(actor, department_code=code):
        raise PermissionDenied("Vous ne pouvez pas régler ce territoire.")
    return actor


def territory(request: HttpRequest, code: str) -> HttpResponse:
    _territory_actor(request, code)
    department = get_object_or_404(_departments(), code=code)
    own_presets = set(
        HourPresetSetting.objects.filter(department=department).values_list("code", flat=True)
    )
    own_templates = set(
        ClauseTemplate.objects.filter(department=department).values_list("kind", flat=True)
    )
    kinds = [
        {"value": value, "label": label, "own": value in own_templates}
        for value, label in ConsiderationKind.choices
    ]
    return render(
        request,
        "markets/territory.html",
        {
            "department": department,
            "presets": preset_rows(presets_for(code)),
            "own_presets": own_presets,
            "kinds": kinds,
        },
    )


def preset_form(request: HttpRequest, code: str, preset_code: str | None = None) -> HttpResponse:
    actor = _territory_actor(request, code)
    department = get_object_or_404(_departments(), code=code)
    presets = presets_for(code)
    initial: dict = {"sector": rules.Sector.STANDARD}
    if preset_code:
        preset = presets.get(preset_code)
        if preset is None:
            raise Http404("Préréglage inconnu.")
        initial = {
            "code": preset.code,
            "label": preset.label,
            "sector": preset.sector,
            "labour_share": percent(preset.value("labour_share")),
            "hourly_cost": _fr(preset.value("hourly_cost")),
            "insertion_rate": percent(preset.value("insertion_rate")),
            "minimum_hours": preset.minimum_hours,
            "source": preset.source,
            "verified": preset.verified,
        }
    form = PresetForm(_posted(request), initial=initial)
    if preset_code:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_hour_preset(
                actor=actor,
                code=preset_code or data["code"],
                label=data["label"],
                source=data["source"],
                department_code=code,
                sector=data["sector"],
                labour_share=None if data["labour_share"] is None else data["labour_share"] / 100,
                hourly_cost=data["hourly_cost"],
                insertion_rate=None
                if data["insertion_rate"] is None
                else data["insertion_rate"] / 100,
                minimum_hours=data["minimum_hours"],
                verified=data["verified"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Le préréglage « {data['label']} » est enregistré.")
            return redirect("markets:territory", code=code)
    status = 400 if form.errors else 200
    return render(
        request,
        "markets/preset_form.html",
        {"form": form, "department": department, "preset_code": preset_code},
        status=status,
    )


_SAMPLE_VALUES: dict[str, str | list[str]] = {
    "heures": "833",
    "facilitateur": "Camille Exemple",
    "structure": "Maison de l'emploi (exemple)",
    "contact_facilitateur": "camille.exemple@exemple.fr, 01 23 45 67 89",
    "penalite": "45 €",
    "acheteur": "Ville exemple",
    "marche": "Réhabilitation d'un groupe scolaire",
    "reference": "2026-TX-001",
    "lot": "n° 1 « Gros œuvre »",
    "duree": "18 mois",
    "base_legale": "",
    "publics": ["Demandeurs d'emploi de longue durée (12 mois et plus)"],
    "modalites": ["Embauche directe (CDD, CDI, contrat en alternance)"],
}


def clause_template_form(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    actor = _territory_actor(request, code)
    department = get_object_or_404(_departments(), code=code)
    if kind not in ConsiderationKind.values:
        raise Http404("Type de considération inconnu.")
    title, body, origin = clause_text.template_for(kind, code)
    own = ClauseTemplate.objects.filter(department=department, kind=kind).first()
    form = ClauseTemplateForm(_posted(request), initial={"title": title, "body": body})
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            clause_text.validate_template_body(data["body"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if request.POST.get("action") == "preview":
                values = {**_SAMPLE_VALUES, "base_legale": clause_text.LEGAL_BASIS[kind]}
                preview = clause_text.to_html(
                    clause_text.ClauseDocument(
                        title=data["title"],
                        blocks=clause_text.render_blocks(data["body"], values),
                        origin="",
                    )
                )
            else:
                try:
                    services.save_clause_template(
                        actor=actor,
                        kind=kind,
                        title=data["title"],
                        body=data["body"],
                        department_code=code,
                    )
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    messages.success(request, "Le modèle de clause est enregistré.")
                    return redirect("markets:territory", code=code)
    status = 400 if form.errors else 200
    return render(
        request,
        "markets/clause_template_form.html",
        {
            "form": form,
            "department": department,
            "kind": kind,
            "kind_label": ConsiderationKind(kind).label,
            "origin": origin,
            "own": own,
            "preview": preview,
            "placeholders": clause_text.PLACEHOLDERS.items(),
        },
        status=status,
    )


@require_POST
def clause_template_reset(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    actor = _territory_actor(request, code)
    template = get_object_or_404(ClauseTemplate, department__code=code, kind=kind)
    services.reset_clause_template(actor=actor, template=template)
    messages.success(request, "Le modèle par défaut de la plateforme s'applique de nouveau.")
    return redirect("markets:territory", code=code)
