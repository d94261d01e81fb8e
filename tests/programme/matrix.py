"""Procurement programmes in the permission matrix (tests/access): the access `World`'s own
programme is `buyer93`'s (Saint-Denis, 93: the buyer whose market the 93 structure follows),
the other one `buyer75`'s (Paris). C = upload a programme for that buyer, U = review its
lines, D = delete it. Built once per world, on a two-line CSV."""

from django.db.models import Model

from clauses.access.actors import Actor
from clauses.programme import imports, policies, services
from clauses.programme.models import Programme
from tests.markets import matrix as markets_matrix

CSV = (
    "Intitulé;Code CPV;Montant estimé HT;Durée (mois);Lieu d'exécution\n"
    "Nettoyage des écoles;90910000;180000;36;{insee}\n"
    "Réfection de voirie;45233141;900000;12;{insee}\n"
)


def _build(world: object, side: str) -> Programme:
    # The market of the matrix makes the 93 structure follow buyer93.
    markets_matrix.record(world, side, "market")
    orgs = world.organisations  # type: ignore[attr-defined]
    user_id = world.memberships["platform_admin"].user_id  # type: ignore[attr-defined]
    admin = Actor(user_id=user_id, is_superuser=True, label="Admin")
    code, insee = ("93", "93066") if side == "own" else ("75", "75056")
    sheet = imports.read(CSV.format(insee=insee).encode(), "programme.csv")
    programme, problems = services.import_programme(
        actor=admin,
        buyer=orgs[f"buyer{code}"],
        title=f"Programmation {code}",
        file_name="programme.csv",
        sheet=sheet,
        mapping=imports.suggest_mapping(sheet.headers),
    )
    assert programme is not None, problems
    return programme


def record(world: object, side: str) -> Model:
    cache = world.__dict__.setdefault("_programmes", {})
    if side not in cache:
        cache[side] = _build(world, side)
    return cache[side]


def can_create(actor: Actor, programme: Model) -> bool:
    return policies.can_upload(actor, programme.buyer)


visible = policies.visible_programmes
can_review = policies.can_review
can_delete = policies.can_delete_programme
