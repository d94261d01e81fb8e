"""The import's write path (#15): COPY on PostgreSQL and bulk_create elsewhere write the
same rows; one journal line and one signal per file; a bounded number of queries whatever
the number of rows; a correction keeps its own history line."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clauses.accounts.enums import Role
from clauses.accounts.models import AuditEvent
from clauses.hours import rules, signals, writing
from clauses.hours.models import DeclarationEvent, HourDeclaration, ImportBatch
from tests.access.helpers import login
from tests.accounts.factories import MembershipFactory
from tests.hours.conftest import TODAY, HoursWorld
from tests.hours.test_imports_and_api import csv_file, run

pytestmark = pytest.mark.django_db


def _rows(hw: HoursWorld, count: int) -> list[writing.Row]:
    """`count` new declarations' rows of as many assignments (one month each)."""
    now = timezone.now()
    rows = []
    for i in range(count):
        participant = hw.new_participant(f"Personne N{i}", key=f"k-bulk-{i}")
        assignment = hw.assign(participant, hw.lot)
        values = {name: None for name in writing.COLUMNS}
        values.update(
            assignment_id=assignment.pk,
            month=date(2026, 3, 1),
            declared_hours=Decimal("12.50") + i,
            declared_amount_ht=None,
            is_training=bool(i % 2),
            status="submitted",
            rejection_reason="",
            declared_by_repr="Entreprise « test »\tavec\\tabulation",
            declared_at=now,
            source="spreadsheet",
            base_hours=Decimal("12.50") + i,
            counted_hours=Decimal(0),
            counting_rule=rules.RULE_NOT_VALIDATED,
            counting_detail={"steps": [rules.RULE_NOT_VALIDATED], "note": "é"},
            is_demo=False,
        )
        rows.append(writing.row(values))
    return rows


def _stored(ids: list[int]) -> list[writing.Row]:
    by_pk = HourDeclaration.objects.in_bulk(ids)
    return [tuple(getattr(by_pk[pk], name) for name in writing.COLUMNS) for pk in ids]


def test_copy_and_bulk_create_write_the_same_rows(hw):
    """The database's own path (COPY on PostgreSQL) and the portable one store exactly the
    rows given (text with a tab and a backslash, JSON with an accent, decimals, dates)."""
    rows = _rows(hw, 3)
    native = _stored(writing.insert(rows))
    HourDeclaration.objects.all().delete()
    portable = _stored(writing.insert(rows, portable=True))
    assert native == portable == rows


def test_built_instances_equal_what_the_database_reads(hw):
    rows = _rows(hw, 2)
    ids = writing.insert(rows)
    built = writing.Declarations([(pk, row) for pk, row in zip(ids, rows, strict=True)])
    read = HourDeclaration.objects.in_bulk(ids)
    for declaration in built:
        assert declaration.pk in read
        assert not declaration._state.adding
        for field in HourDeclaration._meta.concrete_fields:
            assert getattr(declaration, field.attname) == getattr(
                read[declaration.pk], field.attname
            ), field.attname


def _many_rows(hw: HoursWorld, people: int, months: int = 3, tag: str = "") -> bytes:
    lines = []
    for i in range(people):
        person = hw.new_participant(f"Personne M{tag}{i}", key=f"k-many-{tag}{i}")
        assignment = hw.assign(person, hw.lot)
        lines += [f"{assignment.pk};;{m:02d}/2026;10;;" for m in range(1, months + 1)]
    return csv_file(*lines)


def test_one_journal_line_and_one_signal_per_file(hw):
    raw = _many_rows(hw, 4)
    sent = []

    def receiver(sender, **kwargs):  # noqa: ANN001, ANN003, ANN202
        sent.append(kwargs)

    signals.declarations_submitted.connect(receiver)
    try:
        outcome = run(hw, raw, name="mars.csv")
    finally:
        signals.declarations_submitted.disconnect(receiver)
    assert outcome.ok and outcome.created == 12
    batch = ImportBatch.objects.get()
    assert (batch.rows, batch.created_count, batch.file_name) == (12, 12, "mars.csv")
    # No line per declaration: the file's audit event is the journal line.
    assert not DeclarationEvent.objects.exists()
    event = AuditEvent.objects.get(
        content_type=ContentType.objects.get_for_model(ImportBatch), object_id=str(batch.pk)
    )
    assert event.details["declarations"] == [12, 0, 0]
    assert event.details["rows"] == 12 and event.details["file_hash"] == batch.file_hash
    assert set(HourDeclaration.objects.values_list("batch", flat=True)) == {batch.pk}
    # One signal for the file, with the summary by market and employer.
    assert len(sent) == 1
    assert sent[0]["batch"] == batch
    assert sent[0]["summary"] == {
        (hw.market.pk, hw.company.pk, date(2026, m, 1), "created"): 4 for m in (1, 2, 3)
    }
    assert sorted(sent[0]["declarations"].ids()) == sorted(
        HourDeclaration.objects.values_list("pk", flat=True)
    )


def test_the_queries_of_an_import_do_not_grow_with_its_rows(hw, django_assert_max_num_queries):
    small, large = _many_rows(hw, 2, tag="a"), _many_rows(hw, 30, tag="b")
    with django_assert_max_num_queries(40) as small_queries:
        assert run(hw, small, name="a.csv").created == 6
    with django_assert_max_num_queries(len(small_queries) + 2) as large_queries:
        assert run(hw, large, name="b.csv").created == 90
    assert len(large_queries) <= len(small_queries) + 2


def test_a_correction_in_a_file_keeps_its_history_and_the_first_import(hw, client):
    first = run(hw, csv_file(f"{hw.assignment.pk};;03/2026;120;;"), name="premier.csv")
    declaration = first.declarations[0]
    assert declaration.batch.file_name == "premier.csv"
    header = "N° de mission;Mois;Heures;Motif de la correction\n"
    raw = (header + f"{hw.assignment.pk};03/2026;100;Erreur de saisie.\n").encode()
    second = run(hw, raw, name="correction.csv")
    assert second.ok and second.updated == 1
    declaration.refresh_from_db()
    assert declaration.declared_hours == 100
    assert declaration.batch.file_name == "premier.csv"  # the import that created it
    event = DeclarationEvent.objects.get(declaration=declaration)
    assert event.kind == "corrected" and event.reason == "Erreur de saisie."
    assert event.details["batch"] == ImportBatch.objects.get(file_name="correction.csv").pk
    login(client, MembershipFactory(organisation=hw.company, role=Role.COMPANY_CONTACT))
    page = client.get(reverse("hours:declaration", args=[declaration.pk])).content.decode()
    assert "Déclarée par import (fichier « premier.csv », 1 ligne)" in page
    assert "Corrigée" in page and "Erreur de saisie." in page
    assert page.index("Déclarée par import") < page.index("Corrigée")


def test_a_form_declaration_keeps_its_own_line(hw):
    from clauses.hours import services

    declaration = services.declare_hours(
        actor=hw.actor("company"),
        assignment=hw.assignment,
        month=TODAY.replace(day=1) - timedelta(days=1),
        hours=Decimal(35),
        today=TODAY,
    )
    event = DeclarationEvent.objects.get(declaration=declaration)
    assert event.kind == "declared" and event.details["declared_hours"] == "35"
    assert declaration.batch is None


def test_the_ceiling_holds_across_files_of_one_import_path(hw):
    other_lot = hw.new_market()[1]
    second = hw.assign(hw.participant, other_lot)
    assert run(hw, csv_file(f"{hw.assignment.pk};;03/2026;150;;"), name="a.csv").ok
    outcome = run(hw, csv_file(f"{second.pk};;03/2026;60;;"), name="b.csv")
    assert not outcome.ok
    assert "maximum légal" in str(outcome.problems[0])
    assert HourDeclaration.objects.count() == 1


def test_one_signal_per_control_batch(hw):
    from clauses.hours import services

    outcome = run(hw, _many_rows(hw, 2, tag="c"), name="c.csv")
    declarations = list(outcome.declarations)
    sent, refused = [], []

    def receiver(sender, **kwargs):  # noqa: ANN001, ANN003, ANN202
        sent.append(kwargs)

    def sent_back(sender, **kwargs):  # noqa: ANN001, ANN003, ANN202
        refused.append(kwargs["declaration"])

    signals.declarations_controlled.connect(receiver)
    signals.declaration_sent_back.connect(sent_back)
    try:
        services.control_declarations(
            actor=hw.actor("facilitator"),
            decisions=[services.Decision(d, "validate") for d in declarations[:4]]
            + [services.Decision(d, "reject", "Doublon.") for d in declarations[4:]],
        )
    finally:
        signals.declarations_controlled.disconnect(receiver)
        signals.declaration_sent_back.disconnect(sent_back)
    assert len(sent) == 1  # one for the batch, validations included
    assert sum(sent[0]["summary"].values()) == 6
    assert {key[3] for key in sent[0]["summary"]} == {"validate", "reject"}
    assert len(refused) == 2  # each refusal still tells the company, with its reason


def test_a_duplicate_row_is_an_integrity_error_on_both_paths(hw):
    """The service retries Django's IntegrityError (a writer its locks do not cover): COPY's
    errors are Django's too, and the transaction is left usable."""
    (row,) = _rows(hw, 1)
    writing.insert([row])
    for portable in (False, True):
        with pytest.raises(IntegrityError), transaction.atomic():
            writing.insert([row], portable=portable)
    assert HourDeclaration.objects.count() == 1
