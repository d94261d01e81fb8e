"""Every write of the programme review: import a programme (all or nothing, every line
analysed), review a line, turn a line into a planned market (through markets' services),
delete a programme. Keyword-only arguments, one transaction, an audit event each;
permissions are checked here (PermissionDenied in French)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from clauses.access import audit
from clauses.access.actors import Actor
from clauses.access.enums import AuditAction
from clauses.accounts.models import Organisation
from clauses.core.text import fold
from clauses.desk import policies as desk_policies
from clauses.desk.enums import PublicationTiming
from clauses.desk.models import Request
from clauses.markets import policies as market_policies
from clauses.markets import services as market_services
from clauses.markets.models import Market
from clauses.network.models import FacilitatorStructure
from clauses.programme import imports, policies, rules, selectors
from clauses.programme.enums import ReviewDecision
from clauses.programme.models import Programme, ProgrammeLine


def _territory(buyer: Organisation) -> str:
    return buyer.department.code if buyer.department_id else ""


def buyer_kind_of(buyer: Organisation) -> str:
    return rules.BUYER_KIND_OF_CATEGORY.get(
        buyer.buyer_category or "", rules.BuyerKind.LOCAL_AUTHORITY
    )


def _analysis_fields(analysis: rules.LineAnalysis) -> dict[str, Any]:
    return {
        "family": analysis.family.code,
        "recommendations": [{"code": str(a.code), "reason": a.reason} for a in analysis.advice],
        "hours": analysis.hours,
        "hours_formula": analysis.hours_formula,
        "obligation_mandatory": analysis.obligation.mandatory,
        "obligation_reason": analysis.obligation.reason,
        "reasons": list(analysis.reasons),
        "local_supply": analysis.supply.as_dict(),
        "analysed_at": timezone.now(),
    }


_ANALYSIS_FIELDS = (
    "family",
    "recommendations",
    "hours",
    "hours_formula",
    "obligation_mandatory",
    "obligation_reason",
    "reasons",
    "local_supply",
    "analysed_at",
)


def analyse_rows(
    rows: Iterable[imports.CleanRow],
    *,
    buyer_kind: str,
    default_department: str | None,
    today: date,
) -> list[rules.LineAnalysis]:
    """The analysis of clean rows, facts read once per département."""
    cache = selectors.FactsCache()
    analyses = []
    for row in rows:
        department = row.department.code if row.department else default_department
        facts = selectors.line_facts(
            cache=cache,
            today=today,
            title=row.title,
            kind=row.kind,
            department=department,
            cpv=row.cpv.code8 if row.cpv else None,
            category=fold(f"{row.category} {row.title}", expand=False),
            amount_ht=row.amount_ht,
            duration_months=row.duration_months,
            launch_date=row.launch_date,
            buyer_kind=buyer_kind,
        )
        analyses.append(rules.analyse_line(facts))
    return analyses


def import_programme(
    *,
    actor: Actor,
    buyer: Organisation,
    title: str,
    file_name: str,
    sheet: imports.Sheet,
    mapping: dict[str, int],
    today: date | None = None,
    is_demo: bool = False,
) -> tuple[Programme | None, list[imports.Problem]]:
    """Validate every row with the mapping; if one is wrong, nothing is written and the
    problems are returned (line and column). Else the programme and its analysed lines."""
    if not policies.can_upload(actor, buyer):
        raise PermissionDenied("Vous ne pouvez pas importer la programmation de cet acheteur.")
    title = (title or "").strip()[
        :200
    ] or f"Programmation importée le {timezone.localdate():%d/%m/%Y}"
    validation = imports.validate(sheet, mapping)
    if not validation.ok:
        return None, validation.problems
    today = today or timezone.localdate()
    analyses = analyse_rows(
        validation.rows,
        buyer_kind=buyer_kind_of(buyer),
        default_department=_territory(buyer) or None,
        today=today,
    )
    with transaction.atomic():
        programme = Programme.objects.create(
            buyer=buyer,
            title=title,
            file_name=(file_name or "")[:200],
            uploaded_by_id=actor.user_id,
            is_demo=is_demo,
        )
        ProgrammeLine.objects.bulk_create(
            [
                ProgrammeLine(
                    programme=programme,
                    number=row.number,
                    title=row.title,
                    description=row.description,
                    purchase_category=row.category,
                    cpv=row.cpv,
                    kind=row.kind,
                    department=row.department or buyer.department,
                    commune=row.commune,
                    amount_ht=row.amount_ht,
                    duration_months=row.duration_months,
                    launch_date=row.launch_date,
                    **_analysis_fields(analysis),
                )
                for row, analysis in zip(validation.rows, analyses, strict=True)
            ]
        )
        audit.record(
            actor,
            AuditAction.CREATE,
            programme,
            changes={
                "file_name": programme.file_name,
                "lines": len(validation.rows),
                "mapping": {key: sheet.headers[index] for key, index in mapping.items()},
            },
            organisation=buyer,
            territory=_territory(buyer),
        )
    return programme, []


def reanalyse_programme(*, actor: Actor, programme: Programme, today: date | None = None) -> int:
    """Analyse every line again with today's facts (the territory's presets, the partner
    directory, the date); the review stays. Returns how many lines changed."""
    if not (policies.can_review(actor, programme) or policies.can_upload(actor, programme.buyer)):
        raise PermissionDenied("Vous ne pouvez pas relancer l'analyse de cette programmation.")
    lines = list(programme.lines.select_related("cpv", "department", "commune"))
    rows = [
        imports.CleanRow(
            number=line.number,
            title=line.title,
            category=line.purchase_category,
            cpv=line.cpv,
            kind=line.kind,
            department=line.department,
            commune=line.commune,
            amount_ht=line.amount_ht,
            duration_months=line.duration_months,
            launch_date=line.launch_date,
        )
        for line in lines
    ]
    buyer = programme.buyer
    analyses = analyse_rows(
        rows,
        buyer_kind=buyer_kind_of(buyer),
        default_department=_territory(buyer) or None,
        today=today or timezone.localdate(),
    )
    changed = []
    for line, analysis in zip(lines, analyses, strict=True):
        fields = _analysis_fields(analysis)
        before = (line.recommendations, line.hours, line.obligation_mandatory, line.local_supply)
        for name, value in fields.items():
            setattr(line, name, value)
        if before != (
            line.recommendations,
            line.hours,
            line.obligation_mandatory,
            line.local_supply,
        ):
            changed.append(line.number)
    with transaction.atomic():
        ProgrammeLine.objects.bulk_update(lines, list(_ANALYSIS_FIELDS), batch_size=500)
        audit.record(
            actor,
            AuditAction.UPDATE,
            programme,
            changes={"reanalysed": len(lines), "changed_lines": changed[:100]},
            organisation=buyer,
            territory=_territory(buyer),
        )
    return len(changed)


def review_line(
    *,
    actor: Actor,
    line: ProgrammeLine,
    decision: str,
    chosen: str = "",
    comment: str = "",
    to_discuss: bool = False,
    desk_request: Request | None = None,
) -> ProgrammeLine:
    """Keep the recommendation, or change it (`chosen`), with a comment and the "à
    discuter" flag; optionally link the buyer's desk request about this consultation."""
    programme = line.programme
    if not policies.can_review(actor, programme):
        raise PermissionDenied("Vous ne pouvez pas revoir cette programmation.")
    errors: dict[str, list[str]] = {}
    if decision not in ReviewDecision.values:
        errors["decision"] = ["Choisissez : conserver ou changer la recommandation."]
    if decision == ReviewDecision.CHANGED:
        if chosen not in rules.Recommendation.values:
            errors["chosen"] = ["Choisissez la considération sociale retenue."]
    else:
        chosen = ""
    comment = (comment or "").strip()
    if len(comment) > 2000:
        errors["comment"] = ["Le commentaire ne doit pas dépasser 2 000 caractères."]
    if desk_request is not None and desk_request.buyer_organisation_id != programme.buyer_id:
        errors["desk_request"] = ["Cette demande au guichet n'est pas de cet acheteur."]
    if errors:
        raise ValidationError(errors)
    before = {
        "decision": line.decision,
        "chosen": line.chosen,
        "to_discuss": line.to_discuss,
        "comment": bool(line.comment),
    }
    with transaction.atomic():
        line.decision = decision
        line.chosen = chosen
        line.comment = comment
        line.to_discuss = bool(to_discuss)
        if desk_request is not None or line.market_id is None:
            line.desk_request = desk_request
        line.reviewed_by_id = actor.user_id
        line.reviewer_name = actor.label[:300]
        line.reviewed_at = timezone.now()
        line.save()
        after = {
            "decision": line.decision,
            "chosen": line.chosen,
            "to_discuss": line.to_discuss,
            "comment": bool(line.comment),
        }
        audit.record(
            actor,
            AuditAction.UPDATE,
            line,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
            organisation=programme.buyer,
            territory=_territory(programme.buyer),
        )
    return line


def keep_pending(*, actor: Actor, programme: Programme) -> int:
    """Keep the recommendation of every line still to review (the facilitator agrees with
    the analysis for all of them at once); returns how many lines."""
    if not policies.can_review(actor, programme):
        raise PermissionDenied("Vous ne pouvez pas revoir cette programmation.")
    with transaction.atomic():
        pending = programme.lines.filter(decision=ReviewDecision.PENDING)
        numbers = list(pending.values_list("number", flat=True))
        pending.update(
            decision=ReviewDecision.KEPT,
            reviewed_by_id=actor.user_id,
            reviewer_name=actor.label[:300],
            reviewed_at=timezone.now(),
        )
        audit.record(
            actor,
            AuditAction.UPDATE,
            programme,
            changes={"kept_lines": numbers[:200], "count": len(numbers)},
            organisation=programme.buyer,
            territory=_territory(programme.buyer),
        )
    return len(numbers)


def convert_line(*, actor: Actor, line: ProgrammeLine) -> Market:
    """The line becomes a planned market of the buyer in one step, through markets'
    services: its title, kind, CPV, amount, duration, launch date and place; the
    publication timing "before publication" recorded on the line (the market is planned, so
    it is not published yet); the desk request linked when the line has one and the actor
    may handle it (markets' conversion of a request)."""
    if not policies.can_convert(actor, line):
        raise PermissionDenied("Vous ne pouvez pas transformer cette ligne en marché.")
    programme = line.programme
    buyer = programme.buyer
    reference = f"PROG-{programme.pk}-{line.number}"
    data = {
        "reference": reference,
        "subject": line.title[:300],
        "kind": line.kind,
        "cpv": line.cpv,
        "estimated_amount_ht": line.amount_ht,
        "consultation_launch_date": line.launch_date,
        "duration_months": line.duration_months,
        "is_demo": programme.is_demo,
    }
    if actor.is_facilitator and len(actor.structure_ids) == 1:
        # The facilitator who turns the line into a market follows it.
        (structure_id,) = actor.structure_ids
        data["following_structure"] = FacilitatorStructure.objects.get(pk=structure_id)
    communes = [line.commune] if line.commune_id else []
    desk_request = line.desk_request
    link_request = (
        desk_request is not None
        and not desk_request.converted_market_id
        and desk_policies.can_add_note(actor, desk_request)
    )
    with transaction.atomic():
        if link_request:
            market = market_services.create_market_from_request(
                desk_request=desk_request, actor=actor
            )
            if market_policies.can_edit_market(actor, market):
                changes = {k: v for k, v in data.items() if k not in ("reference", "is_demo")}
                market = market_services.update_market(
                    actor=actor, market=market, data=changes, execution_communes=communes
                )
        else:
            market = market_services.create_market(
                actor=actor, buyer=buyer, data=data, execution_communes=communes
            )
        line.market = market
        line.publication_timing = PublicationTiming.BEFORE
        line.converted_at = timezone.now()
        line.save(update_fields=["market", "publication_timing", "converted_at"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            line,
            changes={
                "market": [None, market.pk],
                "publication_timing": ["", PublicationTiming.BEFORE.value],
                "desk_request": desk_request.reference if link_request else None,
            },
            organisation=buyer,
            territory=_territory(buyer),
        )
    return market


def delete_programme(*, actor: Actor, programme: Programme) -> None:
    if not policies.can_delete_programme(actor, programme):
        raise PermissionDenied("Vous ne pouvez pas supprimer cette programmation.")
    with transaction.atomic():
        audit.record(
            actor,
            AuditAction.DELETE,
            programme,
            organisation=programme.buyer,
            territory=_territory(programme.buyer),
        )
        programme.delete()
