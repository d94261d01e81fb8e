"""A criterion has one version per territory, enforced the same way on SQLite and PostgreSQL."""

import pytest
from django.db import IntegrityError, transaction

from clauses.followup.models import EligibilityCriterion
from clauses.territories.models import Department, Region

pytestmark = pytest.mark.django_db


def copy_of(criterion: EligibilityCriterion, **changes: object) -> EligibilityCriterion:
    fields = {
        f.name: getattr(criterion, f.name)
        for f in EligibilityCriterion._meta.concrete_fields
        if not f.primary_key
    }
    fields.update(changes)
    return EligibilityCriterion(**fields)


@pytest.mark.parametrize("territory", ["national", "region", "department"])
def test_same_version_twice_in_a_territory_is_refused(territory: str):
    base = EligibilityCriterion.objects.filter(region=None, department=None).first()
    assert base is not None, "load_reference loads the national referential"
    where = {
        "national": {},
        "region": {"region": Region.objects.get(code="11"), "department": None},
        "department": {"department": Department.objects.get(code="93"), "region": None},
    }[territory]
    if territory != "national":
        copy_of(base, **where).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_of(base, **where).save()


def test_other_territory_or_version_is_allowed():
    base = EligibilityCriterion.objects.filter(region=None, department=None).first()
    copy_of(base, department=Department.objects.get(code="93")).save()
    copy_of(base, department=Department.objects.get(code="75")).save()
    copy_of(base, version=base.version + 1).save()
