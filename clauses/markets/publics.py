"""The eligible publics and modalities a social clause offers by default.

A clause lists the publics stored on it (`SocialConsideration.eligible_publics`). When a
clause is created without choosing them (the lot form never asks; the API and the import
may leave them out), the service stores the territory's list, so that the clause's data, its
page and the text of the tender documents say the same thing.

The territory's list is the clause-public part of the eligibility referential in force for
the market's département (national, regional or departmental versions). That referential is
kept by `clauses.followup`, which sits ABOVE markets: markets must not import it. So the
dependency is inverted: followup registers a provider here (`register_territory_publics`, in
its `AppConfig.ready`), and markets only calls what was registered. Without a provider (or
when the provider knows no criterion for the territory), the national list of
`EligiblePublic` applies (CCAG 2021 art. 16.1.1.1; docs/domain-rules.md §3.1 B).

A provider returns the codes of the referential's clause-public criteria in force (the
followup codes); `CRITERION_PUBLICS` translates them into the clause's codes. The public
"Autres personnes, sur avis motivé d'un prescripteur" is always offered last: the
prescriber's motivated opinion is the derogation every territory accepts (followup rules).
"""

from collections.abc import Callable, Iterable
from datetime import date

from clauses.markets.enums import ConsiderationKind, EligiblePublic, Modality

TerritoryPublicsProvider = Callable[[str | None, date], Iterable[str] | None]

# The referential's clause-public criteria (clauses.followup.rules.CLAUSE_CRITERIA codes)
# and the public of a clause each one is.
CRITERION_PUBLICS: dict[str, str] = {
    "long_term_jobseeker": EligiblePublic.LONG_TERM_UNEMPLOYED,
    "minimum_benefits": EligiblePublic.MINIMUM_INCOME,
    "disabled_worker": EligiblePublic.DISABLED_WORKERS,
    "sheltered_worker": EligiblePublic.DISABLED_WORKERS,
    "young_low_qualification": EligiblePublic.YOUTH,
    "senior_jobseeker": EligiblePublic.SENIORS,
    "qpv_resident": EligiblePublic.QPV_RESIDENTS,
    "siae_employee": EligiblePublic.IAE,
    "iae_pathway": EligiblePublic.IAE,
    "geiq_employee": EligiblePublic.GEIQ,
    "epide_e2c": EligiblePublic.EPIDE_E2C,
}

# Kinds whose text lists publics ({publics}) or modalities ({modalites}) by default.
KINDS_WITH_PUBLICS = frozenset(
    {
        ConsiderationKind.EXECUTION_CONDITION,
        ConsiderationKind.INSERTION_MARKET,
        ConsiderationKind.AWARD_CRITERION,
    }
)
KINDS_WITH_MODALITIES = frozenset(
    {ConsiderationKind.EXECUTION_CONDITION, ConsiderationKind.AWARD_CRITERION}
)

_providers: list[TerritoryPublicsProvider] = []


def register_territory_publics(provider: TerritoryPublicsProvider) -> None:
    """Called by the app that keeps the eligibility referential (once, at start-up)."""
    if provider not in _providers:
        _providers.append(provider)


def unregister_territory_publics(provider: TerritoryPublicsProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def national_publics() -> list[str]:
    return list(EligiblePublic.values)


def publics_from_criteria(codes: Iterable[str]) -> list[str]:
    """The clause's publics for these referential criteria, in the order of `EligiblePublic`,
    the prescriber's derogation last; unknown criteria are left out."""
    chosen = {CRITERION_PUBLICS[code] for code in codes if code in CRITERION_PUBLICS}
    ordered = [code for code in EligiblePublic.values if code in chosen]
    return [*ordered, EligiblePublic.OTHER] if ordered else []


def territory_publics(department_code: str | None, *, on: date) -> list[str]:
    """The publics a clause of this territory lists when none were chosen (the provider
    registered last answers first)."""
    for provider in reversed(_providers):
        codes = provider(department_code, on)
        if codes is not None:
            publics = publics_from_criteria(codes)
            if publics:
                return publics
    return national_publics()


def default_modalities() -> list[str]:
    """Every modality: the holder chooses among them (docs/domain-rules.md §4.1)."""
    return list(Modality.values)
