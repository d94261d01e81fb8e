"""Pages of hours: the contractor's clauses and declarations ("Mes clauses"), the
facilitator's control ("Contrôle des heures"), a clause's progress.

Thin views: reads through `policies` and `selectors`, writes through `services` and
`imports`; a record outside the actor's scope is 404, a refused action 403.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clauses.access.actors import Actor, actor_for_request
from clauses.hours import imports, policies, rules, selectors, services
from clauses.hours.enums import DeclarationStatus
from clauses.hours.forms import (
    AgreementCompanyForm,
    AgreementForm,
    ControlFilterForm,
    ControlForm,
    DeclarationForm,
    EndAgreementForm,
    UploadForm,
)
from clauses.hours.models import DeclarationEvent, ImportBatch
from clauses.hours.selectors import ControlFilters

PER_PAGE = 25
PEOPLE_PER_PAGE = 50


def _company(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    if not actor.is_company_contact:
        raise PermissionDenied("Page réservée aux entreprises titulaires.")
    return actor


def _assignments(actor: Actor):  # noqa: ANN202
    return (
        policies.declarable_assignments(actor)
        .select_related("participant", "lot__market")
        .order_by("-start_date", "pk")
    )


def _my_context(request: HttpRequest, actor: Actor, **extra: object) -> dict:
    declarations = selectors.company_declarations(actor)
    page = Paginator(declarations, PER_PAGE).get_page(request.GET.get("page"))
    return {
        "items": selectors.contractor_clauses(actor),
        "page": page,
        "form": extra.pop("form", None) or DeclarationForm(assignments=_assignments(actor)),
        "upload_form": extra.pop("upload_form", None) or UploadForm(),
        "problems": extra.pop("problems", []),
        **extra,
    }


def my_clauses(request: HttpRequest) -> HttpResponse:
    actor = _company(request)
    return render(request, "hours/my_clauses.html", _my_context(request, actor))


@require_POST
def declare(request: HttpRequest) -> HttpResponse:
    actor = _company(request)
    form = DeclarationForm(request.POST, assignments=_assignments(actor))
    if form.is_valid():
        data = form.cleaned_data
        try:
            _, result = services.declare(
                actor=actor,
                assignment=data["assignment"],
                month=data["month"],
                hours=data["hours"],
                amount_ht=data["amount_ht"],
                is_training=data["is_training"],
                reason=data["reason"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            notify = messages.info if result == "unchanged" else messages.success
            notify(request, services.RESULT_MESSAGES[result])
            return redirect("hours:my_clauses")
    return render(
        request, "hours/my_clauses.html", _my_context(request, actor, form=form), status=422
    )


@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    actor = _company(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request,
            "hours/my_clauses.html",
            _my_context(request, actor, upload_form=form),
            status=422,
        )
    file = form.cleaned_data["file"]
    outcome = imports.import_declarations(actor=actor, file=file.read(), name=file.name)
    if outcome.problems:
        return render(
            request,
            "hours/my_clauses.html",
            _my_context(request, actor, upload_form=form, problems=outcome.problems),
            status=422,
        )
    if outcome.already_imported is not None:
        messages.info(request, "Ce fichier a déjà été importé : rien n'a changé.")
    else:
        messages.success(
            request,
            f"Import réussi : {outcome.created} déclaration(s) créée(s), "
            f"{outcome.updated} corrigée(s), {outcome.unchanged} déjà enregistrée(s).",
        )
    return redirect("hours:my_clauses")


def template_file(request: HttpRequest, fmt: str) -> HttpResponse:
    actor = _company(request)
    if fmt == "xlsx":
        content = imports.template_xlsx(actor)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        content, kind = imports.template_csv(actor), "text/csv; charset=utf-8"
    else:
        raise Http404
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="declarations-heures.{fmt}"'
    return response


def _controller(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    if not policies._controls(actor):
        raise PermissionDenied("Page réservée aux facilitateurs et aux coordinations.")
    return actor


def control_list(request: HttpRequest) -> HttpResponse:
    actor = _controller(request)
    markets, companies = selectors.control_filter_choices(actor)
    form = ControlFilterForm(request.GET or None, markets=markets, companies=companies)
    filters = ControlFilters(**form.filters())
    declarations = selectors.declarations_to_control(actor, filters)
    page = Paginator(declarations, PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    previews = selectors.preview_uncounted(page.object_list)
    return render(
        request,
        "hours/control.html",
        {
            "filter_form": form,
            "page": page,
            "rows": [(d, previews.get(d.pk)) for d in page.object_list],
            "query": query,
            "control_form": ControlForm(),
            "alerts": selectors.alerts(actor),
        },
    )


DONE = {
    "validate": "validée(s)",
    "reject": "refusée(s)",
    "request_fix": "correction(s) demandée(s)",
}


@require_POST
def control_many(request: HttpRequest) -> HttpResponse:
    """The control page's form: a decision (and a reason to refuse or ask a fix) per
    declaration; "only" = one row's button, else every decision chosen. All or none."""
    actor = _controller(request)
    only = request.POST.get("only", "")
    chosen: dict[int, tuple[str, str]] = {}
    for key, value in request.POST.items():
        number = key.removeprefix("decision-")
        if key.startswith("decision-") and number.isdigit() and value:
            if not only or number == only:
                chosen[int(number)] = (value, request.POST.get(f"reason-{number}", "")[:2000])
    back = request.POST.get("next", "")
    target = f"{reverse('hours:control')}{back if back.startswith('?') else ''}"
    if not chosen:
        messages.error(request, "Choisissez une décision pour au moins une déclaration.")
        return redirect(target)
    declarations = {
        d.pk: d
        for d in policies.visible_declarations(actor)
        .filter(pk__in=chosen)
        .select_related("assignment__lot__market__buyer__department", "assignment__employer")
    }
    if len(declarations) != len(chosen):
        raise Http404
    decisions = [
        services.Decision(declarations[pk], decision, reason)
        for pk, (decision, reason) in sorted(chosen.items())
    ]
    try:
        services.control_declarations(actor=actor, decisions=decisions)
    except ValidationError as error:
        messages.error(
            request,
            "Rien n'a été enregistré. "
            + " ".join(
                f"Déclaration n° {pk} : {' '.join(texts)}"
                for pk, texts in error.message_dict.items()
            ),
        )
        return redirect(target)
    if len(decisions) == 1:
        only_one = decisions[0].declaration
        messages.success(
            request, f"Déclaration n° {only_one.pk} : {only_one.get_status_display().lower()}."
        )
    else:
        counts = {k: sum(1 for d in decisions if d.decision == k) for k in DONE}
        messages.success(
            request,
            f"{len(decisions)} décisions enregistrées : "
            + ", ".join(f"{n} {DONE[k]}" for k, n in counts.items() if n)
            + ".",
        )
    return redirect(target)


@require_POST
def control(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _controller(request)
    declaration = get_object_or_404(
        policies.visible_declarations(actor).select_related("assignment__lot"), pk=pk
    )
    form = ControlForm(request.POST)
    if form.is_valid():
        try:
            services.control_declaration(
                actor=actor,
                declaration=declaration,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Déclaration n° {declaration.pk} : {declaration.get_status_display().lower()}.",
            )
    else:
        messages.error(request, "Décision incomplète.")
    back = request.POST.get("next", "")
    if back.startswith("?"):
        return redirect(f"{request.path.rsplit('/declarations/', 1)[0]}/controle/{back}")
    return redirect("hours:control")


EVENT_LABELS = {
    "declared": "Déclarée",
    "changed": "Modifiée",
    "corrected": "Corrigée",
    "control_validate": "Validée",
    "control_reject": "Refusée",
    "control_request_fix": "Correction demandée",
}


def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A declaration and its history (declared, corrected — before, after, why —,
    controlled): for the company that declared it and those who control it; 404 else."""
    actor = actor_for_request(request)
    declaration = get_object_or_404(
        policies.visible_declarations(actor).select_related(
            "assignment__participant",
            "assignment__employer",
            "assignment__lot__market",
            "batch",
        ),
        pk=pk,
    )
    events = [
        (event, EVENT_LABELS.get(event.kind, event.kind))
        for event in declaration.events.order_by("created_at", "pk")
    ]
    if declaration.batch is not None and not any(e.kind == "declared" for e, _ in events):
        # Declared by a file: its import is the journal line (one per file, #15).
        events.insert(0, imported_event(declaration.batch))
    return render(
        request,
        "hours/declaration.html",
        {"declaration": declaration, "events": events},
    )


def imported_event(batch: ImportBatch) -> tuple[DeclarationEvent, str]:
    """The history line of a declaration created by an import: the file's journal line
    (who, when, which file, how many rows), shown like the declaration's own events."""
    name = f"« {batch.file_name} »" if batch.file_name else "sans nom"
    event = DeclarationEvent(
        kind="declared",
        created_at=batch.imported_at,
        actor_repr=batch.imported_by_repr,
        to_status=DeclarationStatus.SUBMITTED,
    )
    rows = f"{batch.rows} ligne{'s' if batch.rows > 1 else ''}"
    return event, f"Déclarée par import (fichier {name}, {rows})"


def clause_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    items = selectors.clause_progress(
        policies.visible_clauses(actor).filter(pk=pk), today=timezone.localdate()
    )
    if not items:
        raise Http404
    item = items[0]
    people = selectors.clause_hours_by_person(actor, item.clause)
    return render(
        request,
        "hours/clause.html",
        {
            "item": item,
            "reasons": [(u, rules.uncounted_reason(u.rule)) for u in item.uncounted],
            "people": None
            if people is None
            else Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page")),
        },
    )


# -- globalisation agreements -------------------------------------------------------------


def _agreement_manager(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    if actor.via_token or not (actor.is_facilitator or actor.is_territorial_coordinator):
        raise PermissionDenied("Page réservée aux facilitateurs et aux coordinations.")
    return actor


def agreements(request: HttpRequest) -> HttpResponse:
    """Conventions de globalisation: choose a company, see its agreements, record one on
    its clauses (POST), end one (see `end_agreement`)."""
    actor = _agreement_manager(request)
    companies = selectors.agreement_companies(actor)
    data = request.POST if request.method == "POST" else request.GET
    company_form = AgreementCompanyForm(data if data.get("company") else None, companies=companies)
    company = company_form.cleaned_data["company"] if company_form.is_valid() else None
    form, status = None, 200
    if company is not None:
        clauses = services.agreement_clauses(actor, company)
        form = AgreementForm(
            request.POST if request.method == "POST" else None,
            clauses=clauses,
            initial={"signed_on": timezone.localdate()},
        )
        if request.method == "POST" and form.is_valid():
            values = form.cleaned_data
            try:
                agreement = services.create_agreement(
                    actor=actor,
                    company=company,
                    clauses=values["clauses"],
                    reference=values["reference"],
                    signed_on=values["signed_on"],
                    notes=values["notes"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Convention {agreement.reference} enregistrée.")
                return redirect(f"{request.path}?{urlencode({'company': company.pk})}")
        if request.method == "POST":
            status = 422
    elif request.method == "POST":
        status = 422
    listed = policies.visible_agreements(actor).select_related("company")
    if company is not None:
        listed = listed.filter(company=company)
    listed = listed.prefetch_related("clauses__lot__market").order_by("-signed_on", "pk")
    return render(
        request,
        "hours/agreements.html",
        {
            "company_form": company_form,
            "company": company,
            "form": form,
            "agreements": listed,
            "end_form": EndAgreementForm(initial={"ended_on": timezone.localdate()}),
        },
        status=status,
    )


@require_POST
def end_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _agreement_manager(request)
    agreement = get_object_or_404(policies.visible_agreements(actor), pk=pk)
    form = EndAgreementForm(request.POST)
    if form.is_valid():
        try:
            services.end_agreement(
                actor=actor,
                agreement=agreement,
                ended_on=form.cleaned_data["ended_on"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Convention {agreement.reference} résiliée.")
    else:
        messages.error(request, "Indiquez la date de résiliation.")
    return redirect(f"{reverse('hours:agreements')}?{urlencode({'company': agreement.company_id})}")
