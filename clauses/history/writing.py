"""The writes of a planned import, inside the caller's transaction: every new row with
`bulk_create` in batches, parents first (their ids are filled in the children by Django
before each insert), then the eligibility ends changed on records already there and the
hours of the people concerned recounted by the hours app (`hours.services.recount`).

No journal line per row: the import is one `HistoryImport` with one audit event
(`services.run_import`). Once committed, the reviews' aggregates are rebuilt in the
background (`reporting.tasks.refresh_aggregates`): history is mostly closed periods.
"""

import logging

from django.db import connection

from clauses.access.actors import Actor
from clauses.accounts.models import Organisation
from clauses.followup.models import Assignment, EligibilityValidation, Participant
from clauses.history.plan import Plan
from clauses.hours.models import HourDeclaration
from clauses.hours.services import recount
from clauses.markets.models import Lot, LotContractor, Market, SocialConsideration
from clauses.network.models import FacilitatorStructure

BATCH = 2000
logger = logging.getLogger(__name__)


def write(*, actor: Actor, structure: FacilitatorStructure, the_plan: Plan) -> dict:
    """Write the plan; returns the counts per entity ({entity: {created, matched, skipped}})."""
    Organisation.objects.bulk_create(the_plan.organisations, batch_size=BATCH)
    Market.objects.bulk_create(the_plan.markets, batch_size=BATCH)
    Lot.objects.bulk_create(the_plan.lots, batch_size=BATCH)
    LotContractor.objects.bulk_create(the_plan.contractors, batch_size=BATCH)
    SocialConsideration.objects.bulk_create(the_plan.clauses, batch_size=BATCH)
    Participant.objects.bulk_create(the_plan.participants, batch_size=BATCH)
    validations = [record for record, _ in the_plan.validations]
    EligibilityValidation.objects.bulk_create(validations, batch_size=BATCH)
    through = EligibilityValidation.criteria.through
    through.objects.bulk_create(
        [
            through(eligibilityvalidation_id=record.pk, eligibilitycriterion_id=criterion.pk)
            for record, criteria in the_plan.validations
            for criterion in criteria
        ],
        batch_size=BATCH,
    )
    if the_plan.changed_validations:
        EligibilityValidation.objects.bulk_update(
            the_plan.changed_validations, ["valid_until"], batch_size=BATCH
        )
    Assignment.objects.bulk_create(the_plan.assignments, batch_size=BATCH)
    if the_plan.recount_participants:
        # People already followed whose eligibility changed: their earlier hours too
        # (before the new declarations are in, which are counted already).
        recount(
            HourDeclaration.objects.filter(
                assignment__participant_id__in=the_plan.recount_participants
            )
        )
    _insert_declarations(the_plan.declarations)
    return the_plan.counts()


# The columns of a new declaration (its id comes from the sequence; nothing reads it back).
_DECLARATION_FIELDS = [
    field
    for field in HourDeclaration._meta.concrete_fields
    if not field.primary_key and not field.generated
]


def _insert_declarations(declarations: list[HourDeclaration]) -> None:
    """The hours, the most numerous rows: COPY on PostgreSQL (no ids read back, the
    fastest way in), `bulk_create` elsewhere."""
    if connection.vendor != "postgresql" or not declarations:
        HourDeclaration.objects.bulk_create(declarations, batch_size=BATCH)
        return
    from psycopg.types.json import Jsonb

    for declaration in declarations:  # the assignments' ids, known since their insert
        declaration._prepare_related_fields_for_save(operation_name="bulk_create")
    table = connection.ops.quote_name(HourDeclaration._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _DECLARATION_FIELDS)
    json_fields = {f.attname for f in _DECLARATION_FIELDS if f.get_internal_type() == "JSONField"}
    # Database errors as Django's (a month declared meanwhile by a company is then an
    # IntegrityError, which `services.run_import` answers in French, as with INSERT).
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for declaration in declarations:
            copy.write_row(
                [
                    Jsonb(getattr(declaration, f.attname))
                    if f.attname in json_fields
                    else getattr(declaration, f.attname)
                    for f in _DECLARATION_FIELDS
                ]
            )


def after_import() -> None:
    """Once committed: the reviews' aggregates rebuilt in the background (a failure to
    enqueue is logged, the nightly rebuild catches up)."""
    from clauses.reporting.tasks import refresh_aggregates

    try:
        refresh_aggregates.enqueue()
    except Exception:  # noqa: BLE001 — the import is committed; the nightly run catches up
        logger.exception("history import: the aggregates refresh could not be enqueued")
