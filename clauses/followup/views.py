"""Pages of the follow-up (facilitators and coordinations; companies for positions).

Every page that shows a participant writes an audit event (action view). Records are
fetched through `policies.visible_*`: a record you may not see answers 404.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clauses.access.actors import actor_for_request
from clauses.followup import policies, rules, selectors, services
from clauses.followup.forms import ValidationForm
from clauses.followup.models import Candidate, EligibilityCriterion


def _require_personal_data(request: HttpRequest) -> None:
    if not actor_for_request(request).can_see_personal_data:
        raise PermissionDenied("Réservé aux facilitateurs et aux coordinations.")


def participant_list(request: HttpRequest) -> HttpResponse:
    """Paginated, in a bounded number of queries (no participant row for a buyer)."""
    _require_personal_data(request)
    actor = actor_for_request(request)
    queryset = selectors.participants_page(actor, policies.visible_participants(actor))
    query = (request.GET.get("q") or "").strip()
    if query:
        queryset = queryset.filter(last_name__icontains=query)
    page = Paginator(queryset, settings.CLAUSES_FOLLOWUP_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "followup/participant_list.html",
        {"page": page, "rows": page.object_list, "q": query},
    )


def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    participant = get_object_or_404(
        policies.visible_participants(actor).select_related("structure", "residence_commune"),
        pk=pk,
    )
    full = policies.can_see_personal_data_of(actor, participant)
    assignments = policies.visible_assignments(actor).filter(participant=participant)
    context = {
        "participant": participant,
        "full": full,
        "assignments": assignments.select_related("lot__market", "employer"),
        "validations": (
            participant.validations.select_related("structure", "validated_by").prefetch_related(
                Prefetch("criteria", queryset=EligibilityCriterion.objects.order_by("order"))
            )
            if full
            else []
        ),
        "outcomes": participant.outcomes.all() if full else [],
        "can_validate": policies.can_validate_eligibility(actor, participant),
    }
    services.log_participant_view(actor=actor, participant=participant, request=request, via="page")
    return render(request, "followup/participant_detail.html", context)


def validate(request: HttpRequest, pk: int) -> HttpResponse:
    """The facts → the criteria they support (rules.assess); the facilitator decides."""
    actor = actor_for_request(request)
    participant = get_object_or_404(policies.visible_participants(actor), pk=pk)
    if not policies.can_validate_eligibility(actor, participant):
        raise PermissionDenied("Seul·e un·e facilitateur·rice du territoire valide l'éligibilité.")
    try:
        on = datetime.date.fromisoformat(request.POST.get("assessment_date", ""))
    except ValueError:
        on = timezone.localdate()
    referential = selectors.criteria_in_force(participant.department, on)
    criteria = EligibilityCriterion.objects.filter(
        pk__in=[row.pk for row in referential.values()]
    ).order_by("group", "order")
    form = ValidationForm(request.POST or None, criteria=criteria)
    assessment = None
    if form.is_valid():
        data = form.cleaned_data
        assessment = rules.assess(
            rules.Facts(
                assessment_date=data["assessment_date"],
                birth_date=participant.birth_date,
                jobseeker_months=data["jobseeker_months"],
                benefits=frozenset(data["benefits"]),
                disability_recognised=data["disability_recognised"],
                qualification_level=data["qualification_level"],
                out_of_school_months=data["out_of_school_months"],
                qpv_resident=data["qpv_resident"],
                employed_by=data["employed_by"] or None,
                pass_iae_valid=rules.pass_iae_is_valid(
                    data["pass_iae_valid_until"], data["assessment_date"]
                ),
            )
        )
        if "decide" in request.POST:
            try:
                services.validate_eligibility(
                    actor=actor,
                    participant=participant,
                    criteria_codes=[c.code for c in data["criteria"]],
                    proof_kind=data["proof_kind"],
                    proof_date=data["proof_date"],
                    derogation=data["derogation"],
                    prescriber_opinion=data["prescriber_opinion"],
                    pass_iae_number=data["pass_iae_number"],
                    pass_iae_valid_until=data["pass_iae_valid_until"],
                    notes=data["notes"],
                    on=data["assessment_date"],
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Éligibilité validée.")
                return redirect("followup:participant", pk=participant.pk)
    services.log_participant_view(
        actor=actor, participant=participant, request=request, via="validation"
    )
    return render(
        request,
        "followup/validate.html",
        {"participant": participant, "form": form, "assessment": assessment},
    )


def position_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    positions = (
        policies.visible_positions(actor)
        .select_related("lot__market", "company", "place")
        .prefetch_related(
            Prefetch("candidates", queryset=policies.visible_candidates(actor).order_by("pk"))
        )
    )
    page = Paginator(positions, 20).get_page(request.GET.get("page"))
    rows = [
        {
            "position": position,
            "can_publish": policies.can_publish_position(actor, position)
            and position.status == "draft",
            "candidates": [
                {
                    "candidate": c,
                    "can_hire": c.status in ("proposed", "prechecked")
                    and policies.can_hire_candidate(actor, c),
                }
                for c in position.candidates.all()
            ],
        }
        for position in page.object_list
    ]
    return render(
        request,
        "followup/position_list.html",
        {"page": page, "rows": rows, "show_precheck": actor.can_see_personal_data},
    )


@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    position = get_object_or_404(policies.visible_positions(actor), pk=pk)
    addresses = services.publish_position_to_partners(actor=actor, position=position)
    messages.success(request, f"Poste diffusé à {len(addresses)} partenaire(s).")
    return redirect("followup:positions")


@require_POST
def hire(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    candidate: Candidate = get_object_or_404(
        policies.visible_candidates(actor).select_related("position__lot__market"), pk=pk
    )
    try:
        services.hire_candidate(
            actor=actor,
            candidate=candidate,
            start_date=candidate.position.start_date,
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Recrutement enregistré : la mission est créée.")
    return redirect("followup:positions")


def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The right-of-access export (RGPD art. 15) as a JSON file."""
    actor = actor_for_request(request)
    participant = get_object_or_404(policies.visible_participants(actor), pk=pk)
    content = services.right_of_access_export(actor=actor, participant=participant, request=request)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="droit-d-acces-{participant.pk}.json"'
    return response
