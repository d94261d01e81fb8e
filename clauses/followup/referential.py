"""The national referential of eligibility criteria, written from `rules.ALL_CRITERIA` by
`manage.py load_eligibility_criteria` (part of `load_reference`): a dry run reporting a diff
unless `wet_run`, all or nothing."""

import datetime
from dataclasses import dataclass

from django.db import transaction

from clauses.followup import rules
from clauses.followup.models import EligibilityCriterion


@dataclass(frozen=True)
class ReferentialDiff:
    added: list[str]
    changed: list[str]
    unchanged: int


def load_national_criteria(
    *, wet_run: bool = False, valid_from: datetime.date = datetime.date(2021, 4, 1)
) -> ReferentialDiff:
    """Write the national referential of `rules` (clause publics and IAE levels), version 1,
    no territory. Territories add their own versions (admin). Reports a diff; writes only
    with `wet_run`. The default `valid_from` is the CCAG 2021 date."""
    added, changed, unchanged = [], [], 0
    with transaction.atomic():
        existing = {
            row.code: row
            for row in EligibilityCriterion.objects.filter(
                region__isnull=True, department__isnull=True, version=1
            )
        }
        for order, spec in enumerate(rules.ALL_CRITERIA):
            values = {
                "label": spec.label,
                "group": spec.group,
                "source": spec.source,
                "reveals_sensitive_data": spec.sensitive,
                "proof_kinds": [str(kind) for kind in spec.proof_kinds],
                "proof_max_age_days": spec.proof_max_age_days,
                "order": order,
            }
            row = existing.get(spec.code)
            if row is None:
                added.append(spec.code)
                if wet_run:
                    EligibilityCriterion.objects.create(
                        code=spec.code, version=1, valid_from=valid_from, **values
                    )
            elif any(getattr(row, key) != value for key, value in values.items()):
                changed.append(spec.code)
                if wet_run:
                    for key, value in values.items():
                        setattr(row, key, value)
                    row.save()
            else:
                unchanged += 1
    return ReferentialDiff(added, changed, unchanged)
