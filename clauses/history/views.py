"""Pages of the history import wizard (issue #14.1): the imports of one's structures, then
upload → columns → values → check → import and its report; the mapping profiles.

Every record is fetched through `policies` (`visible_uploads`: a user's upload is theirs;
`visible_imports`, `visible_profiles`): another structure's upload, import or profile is a
404, never a hint that it exists. The engine (`services`) checks the permission again
before it reads or writes."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clauses.access.actors import Actor, actor_for_request
from clauses.core.spreadsheets import XLSX_TYPE
from clauses.history import demo, policies, services, wizard
from clauses.history.forms import (
    ColumnsForm,
    ProfileForm,
    SaveProfileForm,
    UploadForm,
    ValuesForm,
)
from clauses.history.models import HistoryUpload

IMPORTS_PER_PAGE = 20
PROFILES_PER_PAGE = 30
PROBLEMS_PER_PAGE = 50
LATIN1_CSV = "text/csv; charset=iso-8859-1"


def _importer(request: HttpRequest) -> Actor:
    """The actor, when it may import into at least one structure; else 403."""
    actor = actor_for_request(request)
    if not policies.importable_structures(actor).exists():
        raise PermissionDenied(
            "L'import d'historique est réservé aux facilitateurs d'une structure et à leurs "
            "coordinations."
        )
    return actor


def _upload(actor: Actor, pk: int) -> HistoryUpload:
    """The actor's own upload, in progress (else 404; an imported one goes to its report)."""
    return get_object_or_404(
        policies.visible_uploads(actor).select_related("structure", "profile"), pk=pk
    )


def _table(request: HttpRequest, upload: HistoryUpload) -> services.Table | None:
    try:
        return services.table_of(upload)
    except services.ImportRefused as exc:
        messages.error(request, f"Import impossible : {exc}")
        return None


def _imported(upload: HistoryUpload) -> HttpResponse | None:
    """An upload already imported shows its report instead of the wizard."""
    if upload.imported_at is None:
        return None
    record = upload.imports.order_by("-pk").first()
    if record is None:
        return redirect("history:index")
    return redirect("history:report", pk=record.pk)


# -- list ---------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    actor = _importer(request)
    imports = (
        policies.visible_imports(actor)
        .select_related("structure", "imported_by", "profile")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(imports, IMPORTS_PER_PAGE).get_page(request.GET.get("page"))
    pending = list(
        policies.visible_uploads(actor)
        .filter(imported_at__isnull=True)
        .select_related("structure")
        .order_by("-created_at", "-pk")[:10]
    )
    return render(
        request,
        "history/index.html",
        {
            "page": page,
            "rows": [
                {"record": record, "counts": wizard.counts_rows(record.counts)}
                for record in page.object_list
            ],
            "pending": pending,
        },
    )


# -- step 1: the file -----------------------------------------------------------------------


def upload(request: HttpRequest) -> HttpResponse:
    actor = _importer(request)
    structures = policies.importable_structures(actor).order_by("name")
    own_ids = set(structures.values_list("pk", flat=True))
    profiles = policies.visible_profiles(actor).select_related("structure").order_by("name", "pk")
    initial: dict[str, Any] = {}
    if len(own_ids) == 1:
        initial["structure"] = next(iter(own_ids))
    wanted = request.GET.get("profil", "")
    if wanted.isdigit():
        profile = profiles.filter(pk=int(wanted)).first()
        if profile is not None:
            initial["profile"] = profile.pk
            if profile.structure_id in own_ids:
                initial["structure"] = profile.structure_id
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        structures=structures,
        profiles=profiles,
        own_structure_ids=own_ids,
        initial=initial,
        auto_id="import_%s",
    )
    if request.method == "POST" and form.is_valid():
        structure = form.cleaned_data["structure"]
        profile = form.cleaned_data.get("profile")
        if profile is not None and not policies.can_use_profile(actor, profile):
            raise Http404
        try:
            stored, table = services.store_upload(
                actor=actor, structure=structure, file=form.cleaned_data["file"]
            )
        except services.ImportRefused as exc:
            form.add_error("file", f"Le fichier n'a pas pu être lu : {exc}")
        else:
            if profile is not None:
                complete = wizard.apply_profile(stored, profile, table)
                if complete:
                    return redirect("history:check", pk=stored.pk)
                messages.warning(
                    request,
                    f"Certaines colonnes du profil « {profile.name} » ne sont pas dans ce "
                    "fichier : vérifiez les colonnes.",
                )
            return redirect("history:columns", pk=stored.pk)
    return render(
        request,
        "history/upload.html",
        {
            "form": form,
            "single_structure": structures.first() if len(own_ids) == 1 else None,
            "demo_samples": demo.SAMPLES if settings.DEMO_MODE else [],
            **wizard.stepper(1),
        },
    )


# -- step 2: columns ----------------------------------------------------------------------


def columns(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _importer(request)
    stored = _upload(actor, pk)
    done = _imported(stored)
    if done is not None:
        return done
    table = _table(request, stored)
    if table is None:
        return redirect("history:upload")
    current = dict(stored.columns or {})
    form = ColumnsForm(
        request.POST or None,
        columns=wizard.columns_of(table, current),
        auto_id="colonne_%s",
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.mapping()
        wizard.save_columns(stored, chosen)
        if wizard.has_choice_columns(chosen):
            return redirect("history:values", pk=stored.pk)
        return redirect("history:check", pk=stored.pk)
    shown = form.mapping() if form.is_bound and form.is_valid() else current
    return render(
        request,
        "history/columns.html",
        {
            "upload": stored,
            "form": form,
            "needs": wizard.entity_needs(shown),
            **wizard.stepper(2),
        },
    )


# -- step 3: values -----------------------------------------------------------------------


def values(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _importer(request)
    stored = _upload(actor, pk)
    done = _imported(stored)
    if done is not None:
        return done
    table = _table(request, stored)
    if table is None:
        return redirect("history:upload")
    choice_columns = wizard.choice_columns(table, stored.columns or {}, stored.values or {})
    if not choice_columns:
        return redirect("history:check", pk=stored.pk)
    form = ValuesForm(request.POST or None, choice_columns=choice_columns, auto_id="valeur_%s")
    if request.method == "POST" and form.is_valid():
        wizard.save_values(stored, form.chosen())
        return redirect("history:check", pk=stored.pk)
    return render(
        request,
        "history/values.html",
        {
            "upload": stored,
            "form": form,
            "groups": form.groups(),
            "unknown_count": sum(column.unknown_count for column in choice_columns),
            **wizard.stepper(3),
        },
    )


# -- step 4: check, then import -------------------------------------------------------------


def _check_page(
    request: HttpRequest, stored: HistoryUpload, result: services.Preview, status: int = 200
) -> HttpResponse:
    page = Paginator(result.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "history/check.html",
        {
            "upload": stored,
            "result": result,
            "page": page,
            "problem_count": len(result.problems),
            "has_values": wizard.has_choice_columns(stored.columns or {}),
            "uncounted": wizard.uncounted_rows(getattr(result, "uncounted", None)),
            **wizard.stepper(4),
        },
        status=status,
    )


def check(request: HttpRequest, pk: int) -> HttpResponse:
    """What the import would do, and every problem by line and column; nothing written."""
    actor = _importer(request)
    stored = _upload(actor, pk)
    done = _imported(stored)
    if done is not None:
        return done
    # The first page checks every row again (the database may have changed); the problems'
    # next pages read that check for a few minutes instead of checking the file again.
    key = wizard.check_key(stored)
    result = wizard.remembered_check(key) if request.GET.get("page", "1") != "1" else None
    if result is None:
        table = _table(request, stored)
        if table is None:
            return redirect("history:upload")
        result = services.preview(
            actor=actor,
            structure=stored.structure,
            table=table,
            columns=stored.columns or {},
            values=stored.values or {},
        )
        wizard.remember_check(key, result)
    return _check_page(request, stored, result)


@require_POST
def run(request: HttpRequest, pk: int) -> HttpResponse:
    """All or nothing: the engine checks everything again inside its transaction."""
    actor = _importer(request)
    stored = _upload(actor, pk)
    done = _imported(stored)
    if done is not None:
        messages.info(request, "Ce fichier a déjà été importé.")
        return done
    table = _table(request, stored)
    if table is None:
        return redirect("history:upload")
    profile = stored.profile
    if profile is not None and not policies.can_use_profile(actor, profile):
        profile = None
    try:
        record = services.run_import(
            actor=actor,
            structure=stored.structure,
            table=table,
            columns=stored.columns or {},
            values=stored.values or {},
            upload=stored,
            profile=profile,
        )
    except services.ImportInvalid as exc:
        result = services.Preview(problems=exc.problems, row_count=table.row_count)
        messages.error(request, "Import refusé : rien n'a été enregistré.")
        return _check_page(request, stored, result, status=422)
    except services.ImportConflict as exc:
        messages.error(request, f"Import impossible : {exc}")
        stored.refresh_from_db()
        return _imported(stored) or redirect("history:check", pk=stored.pk)
    messages.success(request, "Historique importé.")
    return redirect("history:report", pk=record.pk)


# -- step 5: the report -------------------------------------------------------------------


def report(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _importer(request)
    record = get_object_or_404(
        policies.visible_imports(actor).select_related(
            "structure", "imported_by", "profile", "upload"
        ),
        pk=pk,
    )
    can_save = (
        record.upload is not None
        and record.upload.uploaded_by_id == actor.user_id
        and bool(record.upload.columns)
    )
    form = None
    if can_save:
        initial = {"name": record.profile.name if record.profile else ""}
        if record.profile is not None:
            initial["shared_in_department"] = record.profile.shared_in_department
        form = SaveProfileForm(initial=initial, auto_id="profil_%s")
    return render(
        request,
        "history/report.html",
        {
            "record": record,
            "counts": wizard.counts_rows(record.counts),
            "uncounted": wizard.uncounted_rows(record.uncounted),
            "form": form,
            **wizard.stepper(5),
        },
    )


@require_POST
def save_profile(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _importer(request)
    record = get_object_or_404(
        policies.visible_imports(actor).select_related("structure", "upload"), pk=pk
    )
    stored = record.upload
    if stored is None or stored.uploaded_by_id != actor.user_id:
        raise Http404
    form = SaveProfileForm(request.POST, auto_id="profil_%s")
    if form.is_valid():
        try:
            profile = services.save_profile(
                actor=actor,
                structure=record.structure,
                name=form.cleaned_data["name"],
                columns=stored.columns or {},
                values=stored.values or {},
                shared_in_department=form.cleaned_data["shared_in_department"],
            )
        except ValueError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(
                request,
                f"Profil « {profile.name} » enregistré : le prochain export du même outil "
                "s'importera en deux clics.",
            )
            return redirect("history:profiles")
    return render(
        request,
        "history/report.html",
        {
            "record": record,
            "counts": wizard.counts_rows(record.counts),
            "uncounted": wizard.uncounted_rows(record.uncounted),
            "form": form,
            **wizard.stepper(5),
        },
        status=422,
    )


# -- profiles -----------------------------------------------------------------------------


def profiles(request: HttpRequest) -> HttpResponse:
    actor = _importer(request)
    queryset = (
        policies.visible_profiles(actor)
        .select_related("structure", "created_by")
        .order_by("name", "pk")
    )
    page = Paginator(queryset, PROFILES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "history/profiles.html",
        {"page": page, "rows": wizard.profiles_page_rows(actor, list(page.object_list))},
    )


def _profile(actor: Actor, pk: int) -> Any:
    profile = get_object_or_404(policies.visible_profiles(actor).select_related("structure"), pk=pk)
    if not policies.can_edit_profile(actor, profile):
        raise PermissionDenied("Seule la structure du profil peut le modifier.")
    return profile


def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _importer(request)
    profile = _profile(actor, pk)
    form = ProfileForm(
        request.POST or None,
        initial={"name": profile.name, "shared_in_department": profile.shared_in_department},
        auto_id="profil_%s",
    )
    if request.method == "POST" and form.is_valid():
        try:
            wizard.update_profile(
                actor=actor,
                profile=profile,
                name=form.cleaned_data["name"],
                shared_in_department=form.cleaned_data["shared_in_department"],
            )
        except ValueError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"Profil « {profile.name} » enregistré.")
            return redirect("history:profiles")
    return render(
        request,
        "history/profile_edit.html",
        {"profile": profile, "form": form},
        status=422 if form.is_bound and form.errors else 200,
    )


def profile_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _importer(request)
    profile = _profile(actor, pk)
    if request.method == "POST":
        name = profile.name
        wizard.delete_profile(actor=actor, profile=profile)
        messages.success(request, f"Profil « {name} » supprimé.")
        return redirect("history:profiles")
    return render(request, "history/profile_delete.html", {"profile": profile})


# -- demo samples -------------------------------------------------------------------------


def sample(request: HttpRequest, key: str) -> HttpResponse:
    """The demo's two sample exports (demo mode only), to try the wizard with."""
    _importer(request)
    if not settings.DEMO_MODE:
        raise Http404
    found = next((s for s in demo.SAMPLES if s.key == key), None)
    if found is None:
        raise Http404
    content = demo.sample_bytes(found.key)
    # The CSV sample is Latin-1, as the spreadsheet it imitates writes it.
    content_type = XLSX_TYPE if found.file_name.endswith(".xlsx") else LATIN1_CSV
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    return response
