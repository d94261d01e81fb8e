from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When

from clauses.territories.search import fold, looks_like_code


class CommuneQuerySet(models.QuerySet):
    def search(self, query: str) -> "CommuneQuerySet":
        """Communes matching what a person typed, best first.

        Ranking: exact code or name, then names starting with the text, then names with a
        word starting with it; within a rank, the most populated first (a person typing
        "saint denis" most likely means the 150,000 inhabitants one).
        """
        text = query.strip()
        if not text:
            return self.none()
        if looks_like_code(text):
            code = text.upper()
            return (
                self.filter(Q(insee=code) | Q(postal_codes__code=code))
                .annotate(
                    rank=Case(
                        When(insee=code, then=Value(0)),
                        default=Value(1),
                        output_field=IntegerField(),
                    )
                )
                .distinct()
                .order_by("rank", "-population", "name")
            )
        folded = fold(text)
        if not folded:
            return self.none()
        return (
            self.filter(
                Q(search_name__startswith=folded) | Q(search_name__contains=f" {folded}")
            )
            .annotate(
                rank=Case(
                    When(search_name=folded, then=Value(0)),
                    When(search_name__startswith=folded, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
            .order_by("rank", "-population", "name")
        )

    def with_department(self) -> "CommuneQuerySet":
        return self.select_related("department")
