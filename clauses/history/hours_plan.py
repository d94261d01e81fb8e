"""The hours of a history import, planned (a part of `plan._Builder`): each month matched
by (assignment, month) or made ready to create as a validated declaration, the person's
monthly ceiling checked with the hours already standing for the same identity key (every
structure and company: `hours.entries` does the same), and counted by the hours' own rules
(`hours.rules.count_declaration`, the market's settings), with what did not count summed per
clause and reason for the report.
"""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from clauses.core.numbers import french
from clauses.history import fields
from clauses.history.validation import Row
from clauses.hours import rules as hour_rules
from clauses.hours.enums import LIVE_STATUSES, DeclarationSource, DeclarationStatus
from clauses.hours.models import HourDeclaration
from clauses.hours.selectors import counting_detail, eligibility_windows, settings_for_market
from clauses.markets.enums import ConsiderationKind

CHUNK = 500


def _chunks(items: Any, size: int = CHUNK) -> Any:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class HoursPlanning:
    """Mixed into `plan._Builder` (its people, assignments and validations)."""

    # -- hours ----------------------------------------------------------------------------

    def plan_hours(self) -> None:
        rows = [row for row in self.rows("hours") if row.assignment_key in self.assignments]
        if not rows:
            return
        assignment_ids = {a.pk for a in self.assignments.values() if a.pk}
        existing: dict[tuple[int, datetime.date], tuple[Decimal | None, str]] = {}
        for chunk in _chunks(assignment_ids):
            for assignment_id, month, hours, status in HourDeclaration.objects.filter(
                assignment_id__in=chunk
            ).values_list("assignment_id", "month", "declared_hours", "status"):
                existing[(assignment_id, month)] = (hours, status)
        standing = self._standing_hours(rows)
        added: Counter = Counter()
        settings_cache: dict = {}
        uncounted: dict[tuple, Decimal] = defaultdict(Decimal)
        status_labels = dict(DeclarationStatus.choices)
        for row in rows:
            if row.duplicate_of is not None:
                self.plan.skipped[fields.HOURS] += 1
                continue
            assignment = self.assignments[row.assignment_key]
            participant = assignment.participant
            month, hours = row.hours.month, row.hours.hours
            if assignment.pk and (assignment.pk, month) in existing:
                before, status = existing[(assignment.pk, month)]
                if before == hours:
                    self.plan.matched[fields.HOURS] += 1
                    continue
                self.problem(
                    row.line,
                    "hours.hours",
                    f"cette mission a déjà {french(before or 0)} h pour {month:%m/%Y} dans "
                    f"Clauses ({status_labels.get(status, status).lower()}) : l'import ne "
                    "remplace pas une déclaration, corrigez ce mois dans Clauses.",
                )
                continue
            key = participant.identity_key
            total = standing.get((key, month), Decimal(0)) + added[(key, month)] + hours
            if key and total > hour_rules.MONTHLY_CEILING_HOURS:
                self.problem(
                    row.line,
                    "hours.hours",
                    f"avec les heures déjà déclarées pour cette personne, {french(total)} h "
                    f"pour {month:%m/%Y} : plus que le maximum légal de "
                    f"{hour_rules.MONTHLY_CEILING_HOURS} h par mois.",
                )
                continue
            added[(key, month)] += hours
            declaration = HourDeclaration(
                assignment=assignment,
                month=month,
                declared_hours=hours,
                status=DeclarationStatus.VALIDATED,
                declared_by_id=self.actor.user_id,
                declared_by_repr=self.actor.label[:300],
                declared_at=self.now,
                controlled_by_id=self.actor.user_id,
                controlled_at=self.now,
                source=DeclarationSource.SPREADSHEET,
            )
            lost = self._count(declaration, settings_cache)
            if lost:
                uncounted[(row.clause_key, declaration.counting_rule)] += lost
            self.plan.declarations.append(declaration)
            self.plan.created[fields.HOURS] += 1
        self._summarise_uncounted(uncounted)

    def _standing_hours(self, rows: list[Row]) -> dict[tuple[str, datetime.date], Decimal]:
        """Hours already standing per (identity key, month), every structure and company
        (the ceiling sees one person, `hours.entries`)."""
        keys = {self.assignments[row.assignment_key].participant.identity_key for row in rows}
        keys.discard("")
        months = {row.hours.month for row in rows}
        result: dict[tuple[str, datetime.date], Decimal] = defaultdict(Decimal)
        if not months:
            return result
        for chunk in _chunks(keys):
            for key, month, hours in HourDeclaration.objects.filter(
                assignment__participant__identity_key__in=chunk,
                status__in=LIVE_STATUSES,
                month__gte=min(months),
                month__lte=max(months),
                declared_hours__isnull=False,
            ).values_list("assignment__participant__identity_key", "month", "declared_hours"):
                result[(key, month)] += hours
        return result

    def _count(self, declaration: HourDeclaration, cache: dict) -> Decimal:
        """Count as the hours app counts a validated declaration; returns the hours left
        uncounted."""
        assignment = declaration.assignment
        market = assignment.lot.market
        settings = settings_for_market(market, cache=cache)
        participant = assignment.participant
        who = participant.pk or id(participant)
        windows_key = (who, settings.eligibility_months)
        windows = cache.get(windows_key)
        if windows is None:  # the same for every month of the person
            windows = eligibility_windows(
                self.validations_of.get(who, []), months=settings.eligibility_months
            )
            cache[windows_key] = windows
        facts = hour_rules.DeclarationFacts(
            month=declaration.month,
            modality=assignment.modality,
            validated=True,
            declared_hours=declaration.declared_hours,
            declared_amount_ht=None,
            is_training=False,
            assignment_start=assignment.start_date,
            assignment_end=assignment.end_date,
            eligibility_windows=windows,
            eligible_by_status=assignment.modality in hour_rules.ELIGIBLE_BY_STATUS_MODALITIES,
        )
        base, _ = hour_rules.base_hours(facts, settings)
        counted = hour_rules.count_declaration(facts, settings)
        declaration.base_hours = base
        declaration.counted_hours = counted.hours
        declaration.counting_rule = counted.rule
        declaration.counting_detail = counting_detail(facts, settings, counted, base)
        declaration.counted_at = self.now
        return hour_rules.uncounted_hours(base, counted.hours)

    def _summarise_uncounted(self, uncounted: dict[tuple, Decimal]) -> None:
        kinds = dict(ConsiderationKind.choices)
        for (clause_key, rule), hours in sorted(uncounted.items(), key=lambda i: -i[1]):
            _buyer, reference, lot, kind = clause_key
            self.plan.uncounted.append(
                {
                    "market": reference,
                    "lot": lot,
                    "clause": kinds.get(kind, kind),
                    "rule": rule,
                    "reason": hour_rules.UNCOUNTED_LABELS.get(rule, rule),
                    "hours": str(hours),
                }
            )
