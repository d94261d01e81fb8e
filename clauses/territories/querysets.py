import re

from django.db import models
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

from clauses.core.text import fold
from clauses.territories.enums import CommuneKind
from clauses.territories.search import MAX_QUERY_LENGTH, looks_like_code, looks_like_code_start


class CommuneQuerySet(models.QuerySet):
    def _postcode_match(self, **lookup: str) -> Exists:
        postal_code = self.model._meta.get_field("postal_codes").related_model
        return Exists(postal_code.objects.filter(commune=OuterRef("pk"), **lookup))

    def search(self, query: str) -> "CommuneQuerySet":
        """Communes matching what a person typed, best first.

        - A five-character code: the commune with that INSEE code, then the communes served
          by that postcode (a Paris arrondissement before Paris itself, being more precise).
        - Two to four digits: communes whose postcode or INSEE code starts with them.
        - Otherwise a name, accents, case, hyphens and apostrophes ignored, "st" read as
          "saint": exact name, then names starting with the text, then names with a word
          starting with it; within a rank, the most populated first (a person typing
          "saint denis" most likely means the 150,000 inhabitants one).
        """
        text = query.strip()[:MAX_QUERY_LENGTH]
        if looks_like_code(text):
            code = text.upper()
            return (
                self.filter(Q(insee=code) | self._postcode_match(code=code))
                .annotate(
                    rank=Case(
                        When(insee=code, then=Value(0)),
                        When(kind=CommuneKind.MUNICIPAL_ARRONDISSEMENT, then=Value(1)),
                        default=Value(2),
                        output_field=IntegerField(),
                    )
                )
                .order_by("rank", "-population", "name")
            )
        if looks_like_code_start(text):
            start = text.upper()
            return self.filter(
                Q(insee__startswith=start) | self._postcode_match(code__startswith=start)
            ).order_by("-population", "name")
        # "st" is "saint" in a name, but also the start of "Stains": try both readings.
        variants = list(dict.fromkeys(v for v in (fold(text), fold(text, expand=False)) if v))
        if not variants:
            return self.none()
        matches = Q()
        exact, prefix = Q(), Q()
        for folded in variants:
            matches |= Q(search_name__startswith=folded) | Q(search_name__contains=f" {folded}")
            exact |= Q(search_name=folded)
            prefix |= Q(search_name__startswith=folded)
        return (
            self.filter(matches)
            .annotate(
                rank=Case(
                    When(exact, then=Value(0)),
                    When(prefix, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
            .order_by("rank", "-population", "name")
        )

    def with_department(self) -> "CommuneQuerySet":
        return self.select_related("department")


class CpvCodeQuerySet(models.QuerySet):
    def search(self, query: str) -> "CpvCodeQuerySet":
        """CPV codes matching what a person typed, broadest first.

        - Digits first (a code, whole or begun, with its check digit "-5" or the label of a
          chosen suggestion after it): the codes starting with its first eight digits.
        - Otherwise words, accents and case ignored: codes whose label has a word starting
          with each of them ("bat scol" finds "Travaux de construction de bâtiments
          scolaires").
        Divisions, then groups, classes and categories (the CPV levels), then by code: a
        person who types "travaux" sees division 45 first. Slice it ([:10]).
        """
        text = query.strip()[:MAX_QUERY_LENGTH]
        digits = re.match(r"\d{1,8}", text)
        if digits is not None:
            return self.filter(code8__startswith=digits.group()).order_by("level", "code8")
        words = fold(text, expand=False).split()
        if not words:
            return self.none()
        matches = Q()
        for word in words:
            matches &= Q(search_label__startswith=word) | Q(search_label__contains=f" {word}")
        return self.filter(matches).order_by("level", "code8")
