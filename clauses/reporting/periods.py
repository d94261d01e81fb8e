"""Periods of a report: any from/to dates, or a preset (a year, a quarter, the last twelve
months).

Boundaries: a period holds every day from `start` to `end` included; queries filter on
`start <= day < end_exclusive` (the day after the end), so a date-time late on the last day
still counts. A monthly hour declaration is dated by its month (the first day of that
month, `HourDeclaration.month`): it belongs to the period that holds that first day. A
period from 15 March therefore leaves out March's declarations, and one ending on 15 March
takes them in — presets always start on the first of a month, so they never cut one.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clauses.core.dates import add_months, last_of_month

YEAR = "year"
QUARTER = "quarter"
LAST_12_MONTHS = "last_12_months"
CUSTOM = "custom"

PRESET_LABELS = {
    YEAR: "Année civile",
    QUARTER: "Trimestre",
    LAST_12_MONTHS: "12 derniers mois",
    CUSTOM: "Dates choisies",
}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("La fin de la période précède son début.")

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)

    @property
    def start_datetime(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_datetime_exclusive(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end_exclusive, time.min))

    @property
    def label(self) -> str:
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"

    @property
    def slug(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end_exclusive

    def months(self) -> list[date]:
        """The first day of every month whose first day is in the period, in order."""
        first = self.start if self.start.day == 1 else add_months(self.start.replace(day=1), 1)
        result = []
        while first <= self.end:
            result.append(first)
            first = add_months(first, 1)
        return result


def year(value: int) -> Period:
    return Period(date(value, 1, 1), date(value, 12, 31))


def quarter(value: int, number: int) -> Period:
    if number not in (1, 2, 3, 4):
        raise ValueError("Le trimestre va de 1 à 4.")
    first_month = 3 * (number - 1) + 1
    last_month = first_month + 2
    return Period(
        date(value, first_month, 1),
        last_of_month(date(value, last_month, 1)),
    )


def last_12_months(today: date) -> Period:
    """The twelve whole months before the current one (the current month is not over)."""
    end = today.replace(day=1) - timedelta(days=1)
    start = date(end.year - 1, end.month, 1)
    start = add_months(start, 1)
    return Period(start, end)


def default_period(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return last_12_months(today)
