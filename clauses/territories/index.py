"""The commune search answered from memory (#15): same matches, ranks and order as
`CommuneQuerySet.search`, without a scan of the commune table per keystroke.

At national scale (~27,000 communes) the name half of the search (`search_name LIKE
'% word%'`) is a sequential scan on SQLite and, on PostgreSQL, too: the planner keeps the
scan over the trigram index at this table size, and a broad text ("saint") matches
thousands of rows to sort by population. Here every process keeps, per network version
(`clauses.core.pagecache.network_version`, bumped by every write to the territories and
the network), the communes' folded names in one string, one line per commune, in the
order of the search (most populated first): the name half is a few `str.find` calls run
at C speed that stop once enough lines are found, the codes are dictionaries. The rows
are then read by primary key (one indexed query). The same code runs on SQLite and
PostgreSQL (the portable path); the index costs a few MB per process and one read of
the table (~0.1 s at national scale) after each network change.

`tests/territories/test_search_index.py` checks that the index and the queryset agree
(matches, ranks and order) on many texts.
"""

import threading
from bisect import bisect_right
from dataclasses import dataclass

from clauses.core.pagecache import network_version
from clauses.core.text import fold
from clauses.territories.enums import CommuneKind
from clauses.territories.search import MAX_QUERY_LENGTH, looks_like_code, looks_like_code_start

# A rank as in CommuneQuerySet.search: 0 exact (name or INSEE code), 1 prefix (or
# arrondissement for a postcode), 2 a later word; None for a partial code (no rank).
Hit = tuple[int, int | None]  # (row number in the index's order, rank)


@dataclass(frozen=True)
class Entry:
    """What the commune search API answers for a commune (no database needed)."""

    pk: int
    insee: str
    name: str
    department: str  # its code, e.g. "93"
    postcodes: tuple[str, ...]  # as Commune.postcode_list


@dataclass(frozen=True)
class CommuneIndex:
    entries: tuple[Entry, ...]  # row number → the commune, most populated first
    names: str  # "\n" + one folded name per row, each followed by "\n"
    name_starts: tuple[int, ...]  # row number → offset of its name in `names`
    codes: str  # "\n|insee|postcode|…" per row: codes start after a "|"
    code_starts: tuple[int, ...]
    by_name: dict[str, tuple[int, ...]]  # folded name → rows
    by_insee: dict[str, int]
    by_postcode: dict[str, tuple[int, ...]]
    arrondissements: frozenset[int]  # rows of municipal arrondissements

    @classmethod
    def from_rows(
        cls,
        rows: list[tuple[int, str, str, int, str, str, str, str]],
        postcodes: dict[int, list[str]],
    ) -> "CommuneIndex":
        """`rows`: (pk, insee, search_name, population, kind, name, département code,
        the `postcodes` field); `postcodes`: pk → its postcodes in La Poste's pairs (what
        the queryset matches)."""
        ordered = sorted(rows, key=lambda r: (-r[3], r[2], r[5], r[0]))
        entries, name_starts, code_starts = [], [], []
        names, codes = ["\n"], ["\n"]
        name_offset = code_offset = 1
        by_name: dict[str, list[int]] = {}
        by_insee: dict[str, int] = {}
        by_postcode: dict[str, list[int]] = {}
        arrondissements = set()
        for number, row in enumerate(ordered):
            pk, insee, search_name, _population, kind, name, department, shown = row
            entries.append(
                Entry(pk, insee, name, department, tuple(c for c in shown.split("|") if c))
            )
            name_starts.append(name_offset)
            names.append(search_name + "\n")
            name_offset += len(search_name) + 1
            line = "|" + "|".join([insee.upper(), *postcodes.get(pk, [])]) + "\n"
            code_starts.append(code_offset)
            codes.append(line)
            code_offset += len(line)
            by_name.setdefault(search_name, []).append(number)
            by_insee[insee.upper()] = number
            for code in postcodes.get(pk, []):
                by_postcode.setdefault(code.upper(), []).append(number)
            if kind == CommuneKind.MUNICIPAL_ARRONDISSEMENT:
                arrondissements.add(number)
        return cls(
            entries=tuple(entries),
            names="".join(names),
            name_starts=tuple(name_starts),
            codes="".join(codes),
            code_starts=tuple(code_starts),
            by_name={k: tuple(v) for k, v in by_name.items()},
            by_insee=by_insee,
            by_postcode={k: tuple(v) for k, v in by_postcode.items()},
            arrondissements=frozenset(arrondissements),
        )

    # -- matching ---------------------------------------------------------------------

    @staticmethod
    def _rows_with(haystack: str, starts: tuple[int, ...], needle: str, limit: int) -> list[int]:
        """The first `limit` rows, in order, whose line contains `needle` (a separator
        then a text without separators: it never spans two lines); one row counts once."""
        found: list[int] = []
        last = len(starts) - 1
        position = haystack.find(needle)
        while position != -1 and len(found) < limit:
            row = bisect_right(starts, position + 1) - 1
            found.append(row)
            if row == last:
                break
            position = haystack.find(needle, starts[row + 1] - 1)  # the next row's line
        return found

    def search(self, query: str, limit: int) -> list[Hit]:
        """The first `limit` matches of what a person typed, best first."""
        text = query.strip()[:MAX_QUERY_LENGTH]
        if looks_like_code(text):
            return self._code(text.upper(), limit)
        if looks_like_code_start(text):
            rows = self._rows_with(self.codes, self.code_starts, "|" + text.upper(), limit)
            return [(row, None) for row in rows]
        variants = list(dict.fromkeys(v for v in (fold(text), fold(text, expand=False)) if v))
        if not variants:
            return []
        exact = sorted({row for v in variants for row in self.by_name.get(v, ())})
        prefix: set[int] = set()
        for folded in variants:
            prefix.update(
                self._rows_with(self.names, self.name_starts, "\n" + folded, limit + len(exact))
            )
        hits = [(row, 0) for row in exact]
        hits += [(row, 1) for row in sorted(prefix.difference(exact))]
        if len(hits) >= limit:
            return hits[:limit]
        taken = prefix.union(exact)
        later: set[int] = set()
        for folded in variants:
            rows = self._rows_with(self.names, self.name_starts, " " + folded, limit + len(taken))
            later.update(row for row in rows if row not in taken)
        hits += [(row, 2) for row in sorted(later)]
        return hits[:limit]

    def _code(self, code: str, limit: int) -> list[Hit]:
        rows = set(self.by_postcode.get(code, ()))
        insee = self.by_insee.get(code)
        if insee is not None:
            rows.add(insee)

        def rank(row: int) -> int:
            if row == insee:
                return 0
            return 1 if row in self.arrondissements else 2

        ranked = sorted((rank(row), row) for row in rows)
        return [(row, r) for r, row in ranked[:limit]]


_lock = threading.Lock()
_current: tuple[str, CommuneIndex] | None = None


def build_from_database() -> CommuneIndex:
    from clauses.territories.models import Commune, PostalCode

    rows = list(
        Commune.objects.order_by().values_list(
            "pk",
            "insee",
            "search_name",
            "population",
            "kind",
            "name",
            "department__code",
            "postcodes",
        )
    )
    postcodes: dict[int, list[str]] = {}
    for commune_id, code in PostalCode.objects.order_by("code").values_list("commune_id", "code"):
        postcodes.setdefault(commune_id, []).append(code)
    return CommuneIndex.from_rows(rows, postcodes)


def current_index() -> CommuneIndex:
    """This process's index for the current network version (built on first use after
    each change; one build at a time)."""
    global _current
    version = network_version()
    held = _current
    if held is not None and held[0] == version:
        return held[1]
    with _lock:
        held = _current
        if held is None or held[0] != version:
            held = (version, build_from_database())
            _current = held
    return held[1]


def search_communes(query: str, limit: int, *, related: tuple[str, ...] = ("department",)):
    """The Commune rows matching `query`, best first, at most `limit`, each with its
    `rank` as `CommuneQuerySet.search` annotates it (None for a partial code)."""
    from clauses.territories.models import Commune

    index = current_index()
    hits = index.search(query, limit)
    if not hits:
        return []
    pks = [index.entries[row].pk for row, _rank in hits]
    found = Commune.objects.select_related(*related).in_bulk(pks)
    communes = []
    for (_row, rank), pk in zip(hits, pks, strict=True):
        commune = found.get(pk)
        if commune is None:  # deleted since the index was built (its version bumps next)
            continue
        if rank is not None:
            commune.rank = rank
        communes.append(commune)
    return communes


def search_entries(query: str, limit: int) -> list[Entry]:
    """What the commune search API answers, from memory only (no query once the index is
    built)."""
    index = current_index()
    return [index.entries[row] for row, _rank in index.search(query, limit)]
