# ruff: noqa: S311 — synthetic data (not cryptography)
"""Scales, vocabulary and small helpers of the benchmark dataset."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

HALF = Decimal("0.5")
# Declared values by half-hour steps (index = hours × 2), and a subcontracted amount for
# the same hours (60 € an hour of the subcontract).
HALF_HOURS = [Decimal(n) / 2 for n in range(0, 2 * 208 + 1)]
AMOUNTS = [(h * 60).quantize(Decimal(1)) for h in HALF_HOURS]
DAYS = [timedelta(days=n) for n in range(0, 32)]
# A reference month for each month length (the counting rule only looks at days).
CANONICAL_MONTHS = {
    31: date(2001, 1, 1),
    30: date(2001, 4, 1),
    28: date(2001, 2, 1),
    29: date(2004, 2, 1),
}


@dataclass(frozen=True)
class Scale:
    name: str
    years: int
    synthetic_regions: int
    departments_per_region: int
    communes_per_department: int
    structures_per_department: int
    buyers: int
    companies: int
    markets_per_year: int
    assignments_per_year: int
    requests_per_year: int
    # Share of buyers and volume in Île-de-France (real territory).
    idf_share: float


# docs/domain-rules.md §5: France 2021 ≈ 25 M h, 57 k participants, 75 k contracts, 58 k
# markets with clauses, 3.6 k buyers; 583 facilitators in 369 structures. Ten years ≈ 10 k
# buyers, 600 k clauses, 750 k assignments, 5 M monthly declarations. IDF ≈ a quarter.
SCALES = {
    "tiny": Scale("tiny", 1, 1, 2, 20, 2, 12, 15, 30, 45, 15, 0.5),
    "region": Scale("region", 10, 0, 0, 0, 0, 2_500, 6_000, 12_000, 19_000, 3_000, 1.0),
    "national": Scale("national", 10, 17, 5, 300, 4, 10_000, 25_000, 48_000, 75_000, 12_000, 0.25),
}

# Real département codes outside Île-de-France, for the synthetic départements (see above).
SYNTHETIC_DEPARTMENT_CODES = [
    f"{n:02d}" for n in range(1, 96) if n not in (20, 75, 77, 78, 91, 92, 93, 94, 95)
] + ["2A", "2B"]
FIRST_NAMES = (
    "Adam Aïcha Alice Amadou Amina Antoine Aurélie Bilal Camille Chloé Claire Dylan Élodie "
    "Emma Fatou Fatoumata Florian Gabriel Hugo Ibrahim Inès Jade Jean Julie Karim Kevin Léa "
    "Léo Lina Louis Lucas Mamadou Manon Marie Mathis Maxime Mehdi Moussa Nadia Nathan Nicolas "
    "Noah Nora Océane Omar Paul Pierre Rayan Romain Sarah Sofiane Sophie Théo Thomas Yanis "
    "Yasmine Youssef Zoé Aminata Bakary Cédric Djibril Enzo Fanny Grégory Hamza Idriss Jessica "
    "Kadiatou Laura Lucie Malik Mariam Nabil Ousmane Patrick Quentin Rachid Samir Tony Valérie"
).split()
LAST_NAMES = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier "
    "François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu "
    "Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun "
    "Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche "
    "Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud "
    "Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq "
    "Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin "
    "Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier "
    "Marty Aubry Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly "
    "Hervé Schneider Fernandez Le Gall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel "
    "Diallo Traoré Koné Camara Cissé Diarra Keita Sylla Touré Sow Ba Ndiaye Diop Fofana Konaté "
    "Benali Haddad Mansouri Belkacem Bouzid Cherif Hamidi Kaci Saïdi Ziani Nguyen Tran Pham"
).split()
SUFFIXES = (
    "en-Armor sur-Loire en-Vallée lès-Bois sur-Mer en-Plaine sur-Rhône du-Causse "
    "en-Bocage sur-Garonne des-Monts lès-Vignes sur-Meuse en-Forêt du-Marais sur-Dordogne "
    "des-Étangs"
).split()
REGION_WORDS = (
    "Armorique Ligérie Vallonie Sylvanie Maritimie Planèze Rhodanie Causses Bocagie "
    "Garonnie Montagne Vignoble Mosanie Forestie Marais Dordonie Étangs"
).split()
TRADES = (
    "Maçon·ne Coffreur·se Agent·e d'entretien Manœuvre Électricien·ne Plombier·ère "
    "Peintre Plaquiste Agent·e de propreté Jardinier·ère Cariste Serveur·se Aide-cuisinier·ère "
    "Agent·e de sécurité Chauffeur·se Menuisier·ère"
).split(" ")
# (modality, contract type, weight)
MODALITIES = [
    ("direct_cdd", "cdd", 30),
    ("direct_cdi", "cdi", 4),
    ("apprenticeship", "apprenticeship", 6),
    ("professionalisation", "professionalisation", 4),
    ("etti", "temporary", 20),
    ("ett", "temporary", 8),
    ("ai", "secondment", 6),
    ("geiq", "professionalisation", 5),
    ("subcontract_siae", "other", 7),
    ("cocontract_siae", "other", 2),
    ("subcontract_ea_esat", "other", 3),
    ("training", "training", 5),
]
SUBCONTRACTING = {"subcontract_siae", "cocontract_siae", "subcontract_ea_esat"}
BY_STATUS = {"etti", "ai", *SUBCONTRACTING}
BUYER_CATEGORIES = [
    ("commune", 45),
    ("epci", 12),
    ("departement", 4),
    ("region", 1),
    ("state", 8),
    ("social_landlord", 18),
    ("hospital", 6),
    ("other_public", 6),
]
REQUEST_KINDS = [
    ("social_advice", 50),
    ("programme_review", 8),
    ("clause_follow_up", 20),
    ("environmental", 8),
    ("other", 14),
]
# (CPV 8 digits, kind, labour share, weight): works dominate the clauses.
MARKET_PROFILES = [
    ("45210000", "works", Decimal("0.50"), 30),
    ("45400000", "works", Decimal("0.55"), 15),
    ("45230000", "works", Decimal("0.40"), 10),
    ("90910000", "services", Decimal("0.70"), 15),
    ("77310000", "services", Decimal("0.60"), 10),
    ("55520000", "services", Decimal("0.40"), 8),
    ("79710000", "services", Decimal("0.70"), 5),
    ("39130000", "supplies", Decimal("0.20"), 7),
]
INSERTION_RATES = [
    (Decimal("0.05"), 60),
    (Decimal("0.07"), 20),
    (Decimal("0.10"), 15),
    (Decimal("0.03"), 5),
]
HOURLY_COST = Decimal("30")


def weighted(rng: random.Random, items: list[tuple]) -> tuple:
    return rng.choices(items, weights=[i[-1] for i in items])[0]


def siret(rng: random.Random, prefix: str = "") -> str:
    """A SIRET whose SIREN and SIRET keys are both right (Luhn)."""
    from clauses.accounts.validators import luhn_complete

    siren = luhn_complete(prefix + "".join(str(rng.randrange(10)) for _ in range(8 - len(prefix))))
    return luhn_complete(siren + "".join(str(rng.randrange(10)) for _ in range(4)))


def month_add(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def month_end(month: date) -> date:
    return month_add(month, 1) - timedelta(days=1)


def aware(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
