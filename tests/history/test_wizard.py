"""The wizard's helpers (clauses/history/wizard.py, #14.1): what each step shows of a file,
and the profile workflows of the profiles page (audited, refused to other structures)."""

import io

import pytest
from django.core.exceptions import PermissionDenied

from clauses.accounts.models import AuditEvent
from clauses.history import demo, fields, services, wizard
from clauses.history.models import MappingProfile
from tests.followup.conftest import fw as fw  # noqa: F401 — the fixture
from tests.followup.conftest import world as world  # noqa: F401 — the fixture


def _table(raw: bytes, name: str = "suivi.csv") -> services.Table:
    stream = io.BytesIO(raw)
    stream.name = name
    return services.read_upload(stream)


def test_columns_show_a_few_distinct_values_and_their_field():
    table = _table(demo.tableur_de_suivi())
    columns = wizard.columns_of(table, demo.PROFILE_B_COLUMNS)
    assert [c.header for c in columns] == demo.HEADERS_B
    nature = next(c for c in columns if c.header == "NATURE")
    assert nature.samples == ["TRAVAUX"] and nature.field_key == "market.kind"
    name = next(c for c in columns if c.header == "NOM")
    assert len(name.samples) == wizard.SAMPLES and len(set(name.samples)) == wizard.SAMPLES
    empty = _table(b"A;B\n;x\n;y\n")
    assert wizard.columns_of(empty, {})[0].samples == []
    formula = _table(b"A;B\n=1+1;x\n")
    assert wizard.columns_of(formula, {})[0].samples == ["(formule)"]


def test_field_choices_group_fields_by_entity_and_mark_required_ones():
    choices = wizard.field_choices()
    assert choices[0] == (wizard.NOT_IMPORTED, "— Ne pas importer cette colonne —")
    groups = dict(choices[1:])
    assert set(groups) == {label for key, label in fields.ENTITIES.items() if fields.fields_of(key)}
    people = dict(groups["Personnes"])
    assert people["person.last_name"] == "Nom (obligatoire)"
    assert people["person.birth_date"] == "Date de naissance"


def test_entity_needs_say_what_is_missing():
    needs = {
        n.entity: n for n in wizard.entity_needs({"person.last_name": "NOM", "lot.number": "LOT"})
    }
    assert needs[fields.PERSON].present
    assert ("Nom", True) in needs[fields.PERSON].required
    assert ("Prénom", False) in needs[fields.PERSON].required
    assert needs[fields.MARKET].present  # a lot needs its market
    assert not needs[fields.HOURS].present
    assert needs[fields.ASSIGNMENT].alternatives == "le SIRET ou le nom de l'entreprise"


def test_choice_columns_put_unknown_labels_first_and_keep_the_chosen_codes():
    table = _table(demo.tableur_de_suivi())
    columns = {c.key: c for c in wizard.choice_columns(table, demo.PROFILE_B_COLUMNS, {})}
    criteria = columns["eligibility.criteria"]
    assert criteria.header == "PUBLIC" and criteria.unknown_count == 1
    assert criteria.labels[0].text == "Demandeur d'emploi longue durée"
    assert not criteria.labels[0].known
    assert [label.known for label in criteria.labels[1:]] == [True] * 3
    chosen = {"eligibility.criteria": {"Demandeur d'emploi longue durée": fields.IGNORE}}
    again = {c.key: c for c in wizard.choice_columns(table, demo.PROFILE_B_COLUMNS, chosen)}
    assert again["eligibility.criteria"].unknown_count == 0
    # The form's field names follow the engine's order, whatever is known.
    assert {label.index for label in again["eligibility.criteria"].labels} == {0, 1, 2, 3}


def test_code_choices_offer_to_ignore():
    codes = dict(wizard.code_choices("assignment.modality"))
    assert codes[""] == "— Choisir —"
    assert fields.IGNORE in codes and "etti" in codes


@pytest.mark.django_db
def test_profiles_are_renamed_shared_and_deleted_by_their_structure_only(fw):  # noqa: F811
    actor = fw.actor("facilitator")
    profile = services.save_profile(
        actor=actor, structure=fw.base.s93, name="Logiciel A", columns=demo.PROFILE_A_COLUMNS
    )
    services.save_profile(actor=actor, structure=fw.base.s93, name="Tableur", columns={})
    with pytest.raises(ValueError, match="porte déjà ce nom"):
        wizard.update_profile(
            actor=actor, profile=profile, name="Tableur", shared_in_department=False
        )
    with pytest.raises(ValueError, match="Donnez un nom"):
        wizard.update_profile(actor=actor, profile=profile, name="   ", shared_in_department=False)
    wizard.update_profile(
        actor=actor, profile=profile, name="  Logiciel   A v2 ", shared_in_department=True
    )
    profile.refresh_from_db()
    assert profile.name == "Logiciel A v2" and profile.shared_in_department
    event = AuditEvent.objects.filter(object_repr__contains="Logiciel A v2").latest("pk")
    assert event.action == "update"

    other = fw.actor("facilitator75")
    with pytest.raises(PermissionDenied):
        wizard.update_profile(actor=other, profile=profile, name="Pris", shared_in_department=False)
    with pytest.raises(PermissionDenied):
        wizard.delete_profile(actor=other, profile=profile)
    wizard.delete_profile(actor=actor, profile=profile)
    assert not MappingProfile.objects.filter(pk=profile.pk).exists()
    assert AuditEvent.objects.filter(action="delete").exists()


def test_uncounted_rows_are_written_the_french_way():
    rows = wizard.uncounted_rows(
        [{"market": "M", "lot": 2, "clause": "C", "reason": "R", "hours": "1500.50"}, {}]
    )
    assert rows[0]["hours"] == "1\u202f500,5"
    assert rows[1] == {"market": "", "lot": "", "clause": "", "reason": "", "hours": "0"}
