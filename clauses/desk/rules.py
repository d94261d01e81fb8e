"""The exact rules of the desk: where a request goes, and when its first answer is due.

Pure functions on plain values: no database, no clock. `desk/services.py` gathers the facts
(which structures cover which communes, which coordination serves which département) and
calls these functions; the tests check every branch and, with hypothesis, that every input
gets exactly one target with a reason.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from clauses.desk.enums import RequestKind, RoutingRule, TargetLevel

# --------------------------------------------------------------------------------------
# Routing
# Source: DESIGN.md, "Routing of a desk request (the rule the desk applies)", itself the
# practice of the Guichet Régional des Clauses Sociales described in the seed document
# (Les incontournables de l'achat responsable #17, GIP Maximilien, June 2026).
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    level: TargetLevel
    id: int | None
    name: str
    email: str = ""


@dataclass(frozen=True)
class RoutingFacts:
    """Everything the rule needs to know, gathered beforehand.

    `communes` maps each execution commune of the region (INSEE) to its département code;
    `outside_places` lists the places given that are not in the region (communes or
    départements), kept to explain the decision. `structures_covering_all` are the active
    structures whose coverage holds every commune of `communes`; `local_covering_all` the
    local coordinations whose territory holds them all.
    """

    kind: RequestKind
    national: Target
    regional: Target
    green_desk: Target
    departmental: Mapping[str, Target]
    communes: Mapping[str, str] = field(default_factory=dict)
    departments: frozenset[str] = frozenset()
    region_wide: bool = False
    outside_places: tuple[str, ...] = ()
    agreement_structure: Target | None = None
    structures_covering_all: tuple[Target, ...] = ()
    local_covering_all: tuple[Target, ...] = ()


@dataclass(frozen=True)
class Decision:
    target: Target
    rule: RoutingRule
    reason: str


def _places_in_words(facts: RoutingFacts) -> str:
    count = len(facts.communes)
    return f"{count} commune" + ("s" if count > 1 else "")


def route(facts: RoutingFacts) -> Decision:
    """Apply the six steps of the desk's routing rule, in order; the first that fits wins."""
    # 1. An environmental question belongs to the green desk, not to the social network.
    if facts.kind == RequestKind.ENVIRONMENTAL:
        return Decision(
            facts.green_desk,
            RoutingRule.ENVIRONMENTAL,
            "Question environnementale : la demande est transmise au guichet vert, "
            "qui traite les considérations environnementales.",
        )

    in_region = bool(facts.communes or facts.departments or facts.region_wide)

    # 2. No execution place in the region: the national coordination finds the right region.
    if not in_region and facts.outside_places:
        places = ", ".join(sorted(facts.outside_places))
        return Decision(
            facts.national,
            RoutingRule.OUTSIDE_REGION,
            f"Aucun lieu d'exécution n'est situé dans la région (lieux indiqués : {places}) : "
            "la demande est adressée à la coordination nationale, qui l'orientera vers la "
            "coordination régionale compétente.",
        )
    if not in_region:
        return Decision(
            facts.regional,
            RoutingRule.NO_PLACE,
            "Aucun lieu d'exécution n'est indiqué : la coordination régionale étudie la "
            "demande et l'oriente.",
        )

    # 3. A buyer bound by an agreement to a facilitator structure goes to that structure.
    if facts.agreement_structure is not None:
        return Decision(
            facts.agreement_structure,
            RoutingRule.AGREEMENT,
            f"L'acheteur a une convention avec la structure « {facts.agreement_structure.name} », "
            "qui suit ses marchés.",
        )

    # Places partly outside the region, whole départements, or the whole region: from here
    # on only the territories matter.
    departments = set(facts.departments) | set(facts.communes.values())
    only_communes = not facts.departments and not facts.region_wide

    if facts.outside_places or facts.region_wide or len(departments) > 1:
        # 6. Several départements, region-wide, or beyond the region: the regional desk.
        if facts.region_wide:
            why = "la demande porte sur toute la région"
        elif facts.outside_places:
            why = "une partie des lieux d'exécution est hors de la région"
        else:
            codes = ", ".join(sorted(departments))
            why = f"les lieux d'exécution s'étendent sur plusieurs départements ({codes})"
        return Decision(
            facts.regional,
            RoutingRule.SEVERAL_DEPARTMENTS,
            f"{why[0].upper()}{why[1:]} : la coordination régionale prend la demande en charge.",
        )

    # 4. Every commune covered by one and the same structure: that structure.
    if only_communes and len(facts.structures_covering_all) == 1:
        structure = facts.structures_covering_all[0]
        return Decision(
            structure,
            RoutingRule.SINGLE_STRUCTURE,
            f"Les lieux d'exécution ({_places_in_words(facts)}) sont tous couverts par la "
            f"structure facilitatrice « {structure.name} ».",
        )

    # 5. One département: its local coordination when exactly one covers every commune,
    # else the departmental coordination, which dispatches.
    (department,) = departments
    if only_communes and len(facts.local_covering_all) == 1:
        local = facts.local_covering_all[0]
        return Decision(
            local,
            RoutingRule.SINGLE_DEPARTMENT,
            f"Les lieux d'exécution sont tous sur le territoire de la coordination locale "
            f"« {local.name} ».",
        )
    coordination = facts.departmental.get(department)
    if coordination is None:
        return Decision(
            facts.regional,
            RoutingRule.SINGLE_DEPARTMENT,
            f"Le département {department} n'a pas de coordination départementale enregistrée : "
            "la coordination régionale prend la demande en charge.",
        )
    if only_communes and len(facts.structures_covering_all) > 1:
        detail = "plusieurs structures facilitatrices couvrent ces communes"
    elif only_communes:
        detail = "aucune structure ne couvre à elle seule toutes ces communes"
    else:
        detail = "la demande porte sur tout le département"
    return Decision(
        coordination,
        RoutingRule.SINGLE_DEPARTMENT,
        f"Les lieux d'exécution sont tous dans le département {department} et {detail} : "
        f"la coordination départementale « {coordination.name} » oriente la demande.",
    )


# --------------------------------------------------------------------------------------
# Working days
# Source: Code du travail, art. L3133-1 (the eleven public holidays of metropolitan France;
# Alsace-Moselle's two extra days are not counted, the desk serves Île-de-France).
# Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
# --------------------------------------------------------------------------------------


def easter_sunday(year: int) -> date:
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def french_public_holidays(year: int) -> dict[date, str]:
    easter = easter_sunday(year)
    return {
        date(year, 1, 1): "Jour de l'an",
        easter + timedelta(days=1): "Lundi de Pâques",
        date(year, 5, 1): "Fête du travail",
        date(year, 5, 8): "Victoire 1945",
        easter + timedelta(days=39): "Ascension",
        easter + timedelta(days=50): "Lundi de Pentecôte",
        date(year, 7, 14): "Fête nationale",
        date(year, 8, 15): "Assomption",
        date(year, 11, 1): "Toussaint",
        date(year, 11, 11): "Armistice 1918",
        date(year, 12, 25): "Noël",
    }


def is_working_day(day: date, extra_closed_days: Iterable[date] = ()) -> bool:
    """Monday to Friday, except public holidays and days the desk declares closed."""
    if day.weekday() >= 5:
        return False
    if day in french_public_holidays(day.year):
        return False
    return day not in set(extra_closed_days)


def add_working_days(start: date, days: int, extra_closed_days: Iterable[date] = ()) -> date:
    """The date `days` working days after `start` (a request filed on a Friday with a
    2-day delay is due on Tuesday; filed on a Saturday, on Tuesday too)."""
    if days < 0:
        raise ValueError("Le délai doit être positif.")
    closed = frozenset(extra_closed_days)
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current, closed):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, extra_closed_days: Iterable[date] = ()) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    closed = frozenset(extra_closed_days)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, closed):
            count += 1
    return count
