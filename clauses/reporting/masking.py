"""Statistical secrecy for counts of people: pure functions, no database.

Rule (primary suppression): a count of people strictly between 0 and the threshold is shown
as "< 5" (the threshold is the setting `CLAUSES_REPORTING_MIN_COUNT`, default 5). Zero is
shown: it reveals nobody.

Rule (secondary suppression): in a breakdown whose total is shown, a single masked cell
could be recomputed (total − the other cells). So when exactly one cell is masked, the
smallest other non-zero cell is masked too (then at least two unknowns share the
difference). When the total itself is under the threshold, every cell and the total are
masked.

The two are marked differently, so that no mark lies (#12.3): a cell under the threshold
reads « < 5 »; a cell masked only to protect another (it may hold 11, or 300) reads « s »,
as INSEE marks secondary secrecy. `legend()` explains both, under every table, in the PDF
and in the exports.

Source of the practice: INSEE's statistical secrecy and the CNIL's recommendations on open
data about people advise against publishing cells under 5 individuals, with secondary
suppression so that a masked cell cannot be deduced from the margins (INSEE, « Guide du
secret statistique », 2018; CNIL, « Guide pratique de la publication en ligne et de la
réutilisation des données publiques », 2019). The threshold is a setting, not a constant.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

DEFAULT_THRESHOLD = 5
SECONDARY_MARK = "s"


def threshold() -> int:
    return int(getattr(settings, "CLAUSES_REPORTING_MIN_COUNT", DEFAULT_THRESHOLD))


@dataclass(frozen=True)
class Cell:
    """One count as shown: its value, or masked (then `value` must never be displayed)."""

    value: int
    masked: bool = False
    limit: int = DEFAULT_THRESHOLD
    secondary: bool = False  # masked only so that another masked cell cannot be recomputed

    def __str__(self) -> str:
        if not self.masked:
            return str(self.value)
        return SECONDARY_MARK if self.secondary else f"< {self.limit}"

    @property
    def shown(self) -> int | None:
        """The number that may be published (None when masked)."""
        return None if self.masked else self.value

    @property
    def export_value(self) -> int | str:
        return str(self) if self.masked else self.value


def is_small(value: int, limit: int) -> bool:
    return 0 < value < limit


def mask_count(value: int, limit: int | None = None) -> Cell:
    """A lone count of people (no breakdown around it)."""
    limit = threshold() if limit is None else limit
    return Cell(value, is_small(value, limit), limit)


def mask_breakdown(
    values: Sequence[int], *, total_shown: bool = True, limit: int | None = None
) -> tuple[list[Cell], Cell]:
    """Mask the cells of a breakdown (counts of people, in display order) and its total.

    Returns the cells (same order) and the total cell. With `total_shown=False`, only
    primary suppression applies between cells... and the sum of the cells is not a
    published total, so one masked cell cannot be recomputed."""
    limit = threshold() if limit is None else limit
    total = sum(values)
    if is_small(total, limit):
        return [Cell(v, v > 0, limit) for v in values], Cell(total, True, limit)
    masked = [is_small(v, limit) for v in values]
    if total_shown and sum(masked) == 1:
        candidates = [(v, i) for i, v in enumerate(values) if not masked[i] and v > 0]
        if candidates:
            _, index = min(candidates)
            masked[index] = True
    secondary = [m and not is_small(v, limit) for v, m in zip(values, masked, strict=True)]
    cells = [
        Cell(v, m, limit, secondary=s) for v, m, s in zip(values, masked, secondary, strict=True)
    ]
    return cells, Cell(total, False, limit)


def legend(limit: int | None = None) -> list[str]:
    """What the marks mean, in the words shown under every table and in every export."""
    limit = threshold() if limit is None else limit
    return [
        f"« < {limit} » : moins de {limit} personnes (secret statistique).",
        f"« {SECONDARY_MARK} » : valeur masquée pour qu'on ne puisse pas retrouver une case "
        f"« < {limit} » à partir du total (secret secondaire) ; elle peut dépasser {limit}.",
    ]


def share(part: Cell, whole: Cell) -> float | None:
    """A share computed from counts is masked with them: None when either is masked."""
    if part.masked or whole.masked or not whole.value:
        return None
    return part.value / whole.value
