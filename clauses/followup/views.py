"""Pages of the follow-up (facilitators and coordinations; companies for positions).

Every page that shows a participant writes an audit event (action view). Records are
fetched through `policies.visible_*`: a record you may not see answers 404, and so does a
page about personal data (eligibility, outcomes) for an actor who sees none; an action you
may not take on a record you see answers 403. Views stay thin: the services write.
"""

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clauses.access.actors import Actor, actor_for_request
from clauses.core.numbers import french
from clauses.followup import exports, impacts, policies, rules, selectors, services
from clauses.followup.enums import WithdrawalKind
from clauses.followup.forms import (
    AssignmentForm,
    CandidateForm,
    HireForm,
    OutcomeForm,
    ParticipantForm,
    PositionForm,
    PrecheckForm,
    ValidationForm,
    WithdrawalForm,
)
from clauses.followup.models import Assignment, Candidate, EligibilityCriterion, Participant
from clauses.network.models import FacilitatorStructure


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
        {
            "page": page,
            "rows": page.object_list,
            "q": query,
            "query": urlencode({"q": query}) if query else "",
            "can_create": policies.can_manage_participants(actor),
        },
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
        "can_record_outcome": policies.can_record_outcome(actor, participant),
        "can_assign": full and policies.lot_contractors_for_assignment(actor).exists(),
        "eligibility_warnings": (
            selectors.eligibility_warnings(participant, assignments) if full else []
        ),
        "uncounted": [
            {"label": item.label, "hours": french(item.hours), "count": item.declarations}
            for item in (impacts.uncounted_hours(assignments) if full else [])
        ],
    }
    services.log_participant_view(actor=actor, participant=participant, via="page")
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
        assessment = rules.assess(form.facts(participant.birth_date))
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
                    valid_from=data["valid_from"],
                    backdating_reason=data["backdating_reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Éligibilité validée.")
                return redirect("followup:participant", pk=participant.pk)
    warnings = []
    if form.is_valid():
        # Recorded after work began (#12.1): the missions' days before the eligibility
        # starts will not count — said before deciding, with the retroactive start allowed.
        data = form.cleaned_data
        start = data["valid_from"] or data["assessment_date"]
        spans = [*selectors.validation_spans(list(participant.validations.all())), (start, None)]
        warnings = selectors.eligibility_warnings_for(
            participant, policies.visible_assignments(actor), spans
        )
    services.log_participant_view(actor=actor, participant=participant, via="validation")
    return render(
        request,
        "followup/validate.html",
        {
            "participant": participant,
            "form": form,
            "assessment": assessment,
            "warnings": warnings,
        },
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
    actions = policies.position_actions(actor, list(page.object_list))
    closed = ("hired", "declined")
    rows = [
        {
            "position": position,
            "can_publish": actions[position.pk]["publish"],
            "can_propose": actions[position.pk]["propose"],
            "candidates": [
                {
                    "candidate": c,
                    "can_hire": c.status not in closed and actions[position.pk]["hire"],
                    "can_precheck": c.status not in closed and actions[position.pk]["precheck"],
                }
                for c in position.candidates.all()
            ],
        }
        for position in page.object_list
    ]
    return render(
        request,
        "followup/position_list.html",
        {
            "page": page,
            "rows": rows,
            "show_precheck": actor.can_see_personal_data,
            "can_post": policies.lot_contractors_for_position(actor).exists(),
        },
    )


@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    position = get_object_or_404(policies.visible_positions(actor), pk=pk)
    addresses = services.publish_position_to_partners(actor=actor, position=position)
    messages.success(request, f"Poste diffusé à {len(addresses)} partenaire(s).")
    return redirect("followup:positions")


def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The right-of-access export (RGPD art. 15) as a JSON file (404 for a company that
    sees the name only)."""
    actor, participant = _personal_participant(request, pk)
    content = services.right_of_access_export(actor=actor, participant=participant)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="droit-d-acces-{participant.pk}.json"'
    return response


def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The same right-of-access document as a spreadsheet (formulas neutralised)."""
    actor, participant = _personal_participant(request, pk)
    content = exports.right_of_access_workbook(actor=actor, participant=participant)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="droit-d-acces-{participant.pk}.xlsx"'
    return response


# -- participants, by hand ----------------------------------------------------------------


def _form_page(request: HttpRequest, context: dict) -> HttpResponse:
    context.setdefault("warnings", [])
    context.setdefault("confirm_label", "")
    return render(request, "followup/form.html", context)


def participant_create(request: HttpRequest) -> HttpResponse:
    """A facilitator records a person by hand. The same person already known in the
    département is reused (identity key) only when the facilitator sees that record;
    otherwise a record of its own is made, and nothing says another structure follows
    that person (#11.7)."""
    actor = actor_for_request(request)
    if not policies.can_manage_participants(actor):
        raise Http404
    structures = FacilitatorStructure.objects.filter(pk__in=actor.structure_ids).order_by("name")
    form = ParticipantForm(request.POST or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            participant, created = services.create_participant(
                actor=actor,
                structure=data["structure"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_year=data["birth_year"],
                birth_date=data["birth_date"],
                gender=data["gender"],
                qpv_resident=data["qpv_resident"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # A record the actor does not see is never reused (services): `created` is
            # then true and the answer the same as for a person nobody follows (#11.7).
            if created:
                messages.success(request, f"{participant} est enregistré·e.")
            else:
                messages.info(
                    request,
                    "Cette personne était déjà enregistrée dans le département : voici sa "
                    "fiche, complétée si besoin. Aucun doublon n'a été créé.",
                )
            return redirect("followup:participant", pk=participant.pk)
    return _form_page(
        request,
        {
            "title": "Enregistrer un·e participant·e",
            "intro": "Seules les données nécessaires au suivi de la clause sont demandées. "
            "Si vous suivez déjà la personne, sa fiche existante est reprise, sans "
            "doublon.",
            "form": form,
            "submit": "Enregistrer",
            "parent_url": reverse("followup:participants"),
            "parent_label": "Participants",
        },
    )


def _personal_participant(request: HttpRequest, pk: int) -> tuple[Actor, Participant]:
    """A participant whose personal data the actor may see, else 404."""
    actor = actor_for_request(request)
    if not actor.can_see_personal_data:
        raise Http404
    participant = get_object_or_404(
        policies.visible_participants(actor).select_related("department"), pk=pk
    )
    if not policies.can_see_personal_data_of(actor, participant):
        raise Http404
    return actor, participant


def _participant_context(participant: Participant) -> dict:
    return {
        "participant": participant,
        "parent_url": reverse("followup:participant", kwargs={"pk": participant.pk}),
        "parent_label": str(participant),
    }


def _withdrawal_consequences(actor: Actor, validation: object) -> list[dict]:
    """For each kind of withdrawal, what it would change, computed before confirming
    (`services.preview_withdrawal`): the counted hours per clause and month, and the
    markets whose reports change."""
    consequences = []
    for kind, label in WithdrawalKind.choices:
        changes = services.preview_withdrawal(actor=actor, validation=validation, kind=kind)
        lost = sum((change.lost for change in changes), Decimal(0))
        markets = list(dict.fromkeys(change.market for change in changes))
        consequences.append(
            {
                "kind": kind,
                "label": label,
                "rows": [
                    {
                        "market": change.market,
                        "lot": change.lot,
                        "month": change.month,
                        "before": french(change.before),
                        "after": french(change.after),
                        "lost": french(change.lost),
                    }
                    for change in changes
                ],
                "lost": french(lost),
                "markets": markets,
            }
        )
    return consequences


def withdraw(request: HttpRequest, pk: int, validation_pk: int) -> HttpResponse:
    """Withdraw a validation, after saying exactly what each kind of withdrawal does to
    the hours already counted (#12.2; rule: docs/domain-rules.md §3.2)."""
    actor, participant = _personal_participant(request, pk)
    validation = get_object_or_404(
        policies.visible_validations(actor).filter(
            participant=participant, withdrawn_at__isnull=True
        ),
        pk=validation_pk,
    )
    if not policies.can_validate_eligibility(actor, participant):
        raise PermissionDenied("Seul·e un·e facilitateur·rice du territoire retire une validation.")
    form = WithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_validation(
                actor=actor,
                validation=validation,
                reason=form.cleaned_data["reason"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if form.cleaned_data["kind"] == WithdrawalKind.ENDED:
                done = (
                    "La validation est retirée : les heures faites jusqu'à hier restent "
                    "comptées, celles faites à partir d'aujourd'hui ne le sont plus."
                )
            else:
                done = (
                    "La validation est retirée comme erronée : elle ne couvre plus aucune "
                    "heure et les heures comptées à son titre ont été recalculées."
                )
            messages.success(request, done + " Le motif est conservé dans l'historique.")
            return redirect("followup:participant", pk=participant.pk)
    services.log_participant_view(actor=actor, participant=participant, via="withdrawal")
    return render(
        request,
        "followup/withdraw.html",
        {
            **_participant_context(participant),
            "title": f"Retirer la validation du {validation.validated_at:%d/%m/%Y}",
            "validation": validation,
            "consequences": _withdrawal_consequences(actor, validation),
            "form": form,
        },
    )


def outcome_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor, participant = _personal_participant(request, pk)
    if not policies.can_record_outcome(actor, participant):
        raise PermissionDenied("Vous ne pouvez pas enregistrer la sortie de cette personne.")
    assignments = (
        policies.visible_assignments(actor)
        .filter(participant=participant)
        .select_related("lot__market", "employer")
    )
    form = OutcomeForm(request.POST or None, assignments=assignments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.record_outcome(
                actor=actor,
                participant=participant,
                moment=data["moment"],
                situation=data["situation"],
                contract_months=data["contract_months"],
                assignment=data["assignment"],
                detail=data["detail"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Sortie enregistrée. Type de sortie calculé : {outcome.get_category_display()}.",
            )
            return redirect("followup:participant", pk=participant.pk)
    services.log_participant_view(actor=actor, participant=participant, via="outcome")
    return _form_page(
        request,
        {
            **_participant_context(participant),
            "title": f"Enregistrer la sortie de {participant}",
            "intro": "Le type de sortie est calculé à partir de la situation : emploi durable "
            "(CDI, CDD ou intérim de plus de 6 mois, titularisation, création d'entreprise), "
            "emploi de transition (CDD ou intérim de 6 mois au plus, contrat aidé), sortie "
            "positive (formation qualifiante, embauche par une autre SIAE), autre sortie.",
            "form": form,
            "submit": "Enregistrer la sortie",
        },
    )


def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A mission for the person. Warned before (#12.1): when the mission starts before the
    person's eligibility, the page says which days' hours will not count and asks to
    confirm."""
    actor, participant = _personal_participant(request, pk)
    choices = policies.lot_contractors_for_assignment(actor).order_by(
        "lot__market__reference", "lot__number", "organisation__name"
    )
    if not actor.can_write:
        raise PermissionDenied("Votre accès est en lecture seule.")
    spans = selectors.validation_spans(list(participant.validations.all()))
    warnings, confirm_label = [], ""
    form = AssignmentForm(request.POST or None, lot_contractors=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = data["lot_contractor"]
        planned = Assignment(
            start_date=data["start_date"],
            end_date=data["end_date"],
            weekly_hours=data["weekly_hours"],
        )
        warning = selectors.mission_warning(planned, spans)
        # With no validation yet (hired first, validated next) the intro says it and the
        # message after recording repeats it; a validation starting after the mission's
        # start is asked to be confirmed.
        if warning and spans and request.POST.get("confirm") != "1":
            warnings = [warning]
            confirm_label = "Enregistrer quand même"
        else:
            try:
                services.create_assignment(
                    actor=actor,
                    participant=participant,
                    lot=row.lot,
                    employer=row.organisation,
                    modality=data["modality"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    contract_type=data["contract_type"],
                    weekly_hours=data["weekly_hours"],
                    trade=data["trade"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "La mission est enregistrée.")
                if warning:
                    messages.warning(request, warning)
                return redirect("followup:participant", pk=participant.pk)
    services.log_participant_view(actor=actor, participant=participant, via="assignment")
    if spans:
        eligibility = "Éligibilité de la personne : " + " ; ".join(
            f"à partir du {start:%d/%m/%Y}" + (f" jusqu'au {end:%d/%m/%Y}" if end else "")
            for start, end in sorted(spans, key=lambda span: span[0])
        )
    else:
        eligibility = (
            "Aucune éligibilité validée pour cette personne : ses heures ne compteront pas"
        )
    return _form_page(
        request,
        {
            **_participant_context(participant),
            "title": f"Ajouter une mission pour {participant}",
            "intro": "La première mission sous clause fait démarrer la durée de validité de "
            f"l'éligibilité. {eligibility}. Seules les heures faites pendant l'éligibilité "
            "comptent.",
            "form": form,
            "submit": "Enregistrer la mission",
            "warnings": warnings,
            "confirm_label": confirm_label,
        },
    )


# -- positions and candidates -------------------------------------------------------------


def position_create(request: HttpRequest) -> HttpResponse:
    """A contractor posts a position on a lot it holds (or its facilitator does)."""
    actor = actor_for_request(request)
    choices = policies.lot_contractors_for_position(actor).order_by(
        "lot__market__reference", "lot__number", "organisation__name"
    )
    if not choices.exists():
        raise Http404
    form = PositionForm(request.POST or None, lot_contractors=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = data["lot_contractor"]
        try:
            services.post_position(
                actor=actor,
                lot=row.lot,
                company=row.organisation,
                trade=data["trade"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                weekly_hours=data["weekly_hours"],
                openings=data["openings"],
                required_qualification=data["required_qualification"],
                description=data["description"],
                modality=data["modality"],
                contract_type=data["contract_type"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                "Le poste est enregistré. Le ou la facilitateur·rice du marché le diffusera aux "
                "partenaires de l'emploi du territoire.",
            )
            return redirect("followup:positions")
    return _form_page(
        request,
        {
            "title": "Proposer un poste sous clause",
            "intro": "Décrivez le poste : le ou la facilitateur·rice du marché le diffuse aux "
            "partenaires de l'emploi et de l'insertion, qui vous proposent des candidat·es.",
            "form": form,
            "submit": "Enregistrer le poste",
            "parent_url": reverse("followup:positions"),
            "parent_label": "Postes à pourvoir",
        },
    )


def candidate_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A partner (or the facilitator) proposes a person for a published position."""
    actor = actor_for_request(request)
    position = get_object_or_404(
        policies.visible_positions(actor).select_related("lot__market", "company"), pk=pk
    )
    if not policies.can_propose_candidate(actor, position):
        raise PermissionDenied("Vous ne pouvez pas proposer de candidat·e pour ce poste.")
    form = CandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.propose_candidate(
                actor=actor,
                position=position,
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_year=data["birth_year"],
                birth_date=data["birth_date"],
                qualifications=data["qualifications"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Candidature transmise au ou à la facilitateur·rice.")
            return redirect("followup:positions")
    return _form_page(
        request,
        {
            "title": f"Proposer un·e candidat·e : {position.trade}",
            "intro": f"Poste chez {position.company.name}, {position.lot.market.reference}. "
            "L'entreprise verra le nom et les qualifications de la personne, jamais sa "
            "situation sociale ni ses critères d'éligibilité.",
            "form": form,
            "submit": "Proposer",
            "parent_url": reverse("followup:positions"),
            "parent_label": "Postes à pourvoir",
        },
    )


def precheck(request: HttpRequest, pk: int) -> HttpResponse:
    """The facilitator's first look: the facts typed show which criteria they support
    (`rules.assess`), never stored; only the result (and a note) is."""
    actor = actor_for_request(request)
    if not actor.can_see_personal_data:
        raise Http404
    candidate = get_object_or_404(
        policies.visible_candidates(actor).select_related("position__lot__market"), pk=pk
    )
    if not policies.can_precheck_candidate(actor, candidate):
        raise PermissionDenied("Seul·e le ou la facilitateur·rice pré-vérifie un·e candidat·e.")
    form = PrecheckForm(request.POST or None)
    assessment = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assessment = rules.assess(form.facts(candidate.birth_date))
        if "decide" in request.POST:
            if not data["result"]:
                form.add_error("result", "Choisissez le résultat de la pré-vérification.")
            else:
                try:
                    services.precheck_candidate(
                        actor=actor, candidate=candidate, result=data["result"], note=data["note"]
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, "Pré-vérification enregistrée.")
                    return redirect("followup:positions")
    return render(
        request,
        "followup/precheck.html",
        {"candidate": candidate, "form": form, "assessment": assessment},
    )


def hire(request: HttpRequest, pk: int) -> HttpResponse:
    """The company (or the facilitator) hires: the participant and the assignment are
    created from the candidacy, without retyping."""
    actor = actor_for_request(request)
    candidate: Candidate = get_object_or_404(
        policies.visible_candidates(actor).select_related("position__lot__market"), pk=pk
    )
    if not policies.can_hire_candidate(actor, candidate):
        raise PermissionDenied("Vous ne pouvez pas recruter ce·tte candidat·e.")
    position = candidate.position
    form = HireForm(
        request.POST or None,
        initial={
            "start_date": position.start_date,
            "end_date": position.end_date,
            "weekly_hours": position.weekly_hours,
            "modality": position.modality,
            "contract_type": position.contract_type,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hire_candidate(
                actor=actor,
                candidate=candidate,
                start_date=data["start_date"],
                end_date=data["end_date"],
                weekly_hours=data["weekly_hours"],
                modality=data["modality"],
                contract_type=data["contract_type"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"Recrutement de {candidate} enregistré : la mission est créée."
            )
            return redirect("followup:positions")
    return _form_page(
        request,
        {
            "title": f"Recruter {candidate}",
            "intro": f"Poste : {position.trade}, {position.lot.market.reference}. La fiche de "
            "la personne et sa mission sont créées à partir de la candidature, sans ressaisie.",
            "form": form,
            "submit": "Confirmer le recrutement",
            "parent_url": reverse("followup:positions"),
            "parent_label": "Postes à pourvoir",
        },
    )
