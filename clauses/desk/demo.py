"""Demo requests at the desk, so that the inbox and the dashboard are alive in the demo.

About 30 requests over the past 8 weeks (dates relative to today) across the eight
départements, every kind and status: overdue ones, escalated ones, before and after
publication, replies, buyer answers and internal notes. They go through the real services
(routing on the demo network, SLA, events), with emails switched off. The demo buyer
("Ville de Démo-sur-Seine") has an agreement with the demo facilitator's structure, so the
demo facilitator (93) has requests of its own; the demo coordinators (93, regional) see
theirs.

Idempotent: demo requests (`is_demo=True`) are deleted and built again, with the fixed
references `GRCS-<year>-9000NN` (outside the range the counter gives).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from clauses.access.actors import Actor, actor_for_membership
from clauses.accounts.models import Membership, Organisation
from clauses.desk import emails, services
from clauses.desk.enums import RequestStatus
from clauses.desk.models import BuyerAgreement, Request
from clauses.network.models import FacilitatorStructure

DEMO_BUYER_NAME = "Ville de Démo-sur-Seine (démo)"
ADMIN = Actor(is_superuser=True, label="Données de démonstration")


@dataclass(frozen=True)
class Spec:
    days_ago: int
    kind: str
    communes: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    region_wide: bool = False
    demo_buyer: bool = False
    publication_in_days: int | None = 45  # relative to filing; negative = already published
    script: str = "new"  # new, taken, replied, buyer_replied, in_progress, closed:<outcome>
    subject: str = "Travaux de réhabilitation"
    amount: int | None = 800_000


SPECS = [
    # The demo buyer (agreement with the demo facilitator's structure, 93).
    Spec(1, "facilitator_contact", ("93066",), demo_buyer=True, subject="Groupe scolaire Jaurès"),
    Spec(
        6,
        "social_advice",
        ("93066",),
        demo_buyer=True,
        script="taken",
        subject="Nettoyage des gymnases",
    ),
    Spec(
        9,
        "clause_follow_up",
        ("93001",),
        demo_buyer=True,
        script="buyer_replied",
        publication_in_days=-60,
    ),
    Spec(
        15, "programme_review", ("93066", "93001"), demo_buyer=True, script="replied", amount=None
    ),
    Spec(24, "facilitator_contact", ("93066",), demo_buyer=True, script="closed:clause_inserted"),
    Spec(
        40,
        "social_advice",
        ("93001",),
        demo_buyer=True,
        script="closed:advice_given",
        publication_in_days=-5,
    ),
    # Seine-Saint-Denis, other buyers.
    Spec(2, "facilitator_contact", ("93048",), subject="Voirie du centre-ville"),
    Spec(5, "social_advice", ("93008", "93029"), script="taken"),
    Spec(12, "facilitator_contact", ("93048",), script="in_progress", publication_in_days=20),
    Spec(19, "other", departments=("93",), script="replied", publication_in_days=None),
    Spec(33, "social_advice", ("93066", "93048"), script="closed:redirected"),
    # Other départements.
    Spec(3, "facilitator_contact", ("75111",), subject="Restauration collective"),
    Spec(8, "social_advice", ("75119", "75111"), script="replied"),
    Spec(20, "facilitator_contact", ("77288",), script="closed:clause_inserted"),
    Spec(11, "facilitator_contact", ("77186",)),
    Spec(27, "social_advice", ("78646",), script="in_progress", publication_in_days=-15),
    Spec(7, "facilitator_contact", ("78361",)),
    Spec(14, "clause_follow_up", ("91228",), script="buyer_replied", publication_in_days=-90),
    Spec(36, "facilitator_contact", ("91377",), script="closed:no_follow_up"),
    Spec(4, "social_advice", ("92050",)),
    Spec(17, "facilitator_contact", ("92012",), script="replied"),
    Spec(22, "facilitator_contact", ("94028",), script="closed:duplicate"),
    Spec(10, "social_advice", ("94081",), publication_in_days=-3),
    Spec(29, "facilitator_contact", ("95127",), script="in_progress"),
    Spec(13, "programme_review", ("95018",), amount=None),
    # Several départements, the whole region, outside, green desk.
    Spec(16, "social_advice", ("92050", "93066"), script="replied"),
    Spec(25, "programme_review", region_wide=True, script="closed:advice_given", amount=None),
    Spec(6, "facilitator_contact", ("69123",), script="closed:redirected"),
    Spec(18, "environmental", ("94028",), script="replied", subject="Tri des déchets de chantier"),
    Spec(52, "social_advice", departments=("77", "91"), script="closed:clause_inserted"),
    Spec(45, "facilitator_contact", ("93048",), script="closed:advice_given"),
]

BUYERS = [
    "Ville de Sainte-Démo", "Département démo", "Office public de l'habitat démo",
    "Communauté d'agglomération démo", "Centre hospitalier démo", "Syndicat mixte démo",
]  # fmt: skip


def _demo_siret(number: int) -> str:
    from clauses.accounts.validators import luhn_complete

    siren = luhn_complete(f"99900{number:03d}")
    return luhn_complete(siren + "0001")


def _actor_by_email(email: str) -> Actor | None:
    membership = (
        Membership.objects.active()
        .filter(user__email=email)
        .select_related("user", "organisation")
        .first()
    )
    return actor_for_membership(membership) if membership else None


def _handler(desk_request: Request, actors: dict[str, Actor | None]) -> Actor:
    """Who answers a demo request: the demo account of its target if there is one."""
    for actor in actors.values():
        if actor is not None and services.policies.can_handle(actor, desk_request):
            return actor
    return ADMIN


def _when(days_ago: int, hour: int) -> datetime:
    moment = timezone.localtime() - timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=(days_ago * 7) % 60, second=0, microsecond=0)


def _apply(spec: Spec, desk_request: Request, filed_at: datetime, actor: Actor) -> None:
    script, _, outcome = spec.script.partition(":")
    if script == "new":
        return
    step = filed_at + timedelta(hours=3)
    if actor.user_id is not None:
        services.take_charge(actor=actor, desk_request=desk_request, now=step)
    if script == "taken":
        return
    step += timedelta(days=1)
    services.add_internal_note(
        actor=actor,
        desk_request=desk_request,
        body="Acheteur déjà accompagné en 2024 : voir le bilan de l'opération précédente.",
        now=step,
    )
    services.reply(
        actor=actor,
        desk_request=desk_request,
        body=(
            "Bonjour, merci pour votre demande. Pouvez-vous nous transmettre le projet de "
            "cahier des clauses administratives particulières et le calendrier prévisionnel ? "
            "Nous vous proposerons un objectif d'heures d'insertion adapté."
        ),
        expects_answer=script != "in_progress",
        now=step,
    )
    if script in ("buyer_replied", "closed"):
        step += timedelta(days=1)
        _buyer_answer(desk_request, step)
    if script == "closed":
        step += timedelta(days=2)
        services.close(
            actor=actor, desk_request=desk_request, outcome=outcome, notify_buyer=False, now=step
        )


def _buyer_answer(desk_request: Request, moment: datetime) -> None:
    """The buyer's answer, as through its private link (the demo knows no raw token)."""
    from clauses.desk.enums import EventKind, MessageKind
    from clauses.desk.models import Message, RequestEvent

    message = Message.objects.create(
        request=desk_request,
        kind=MessageKind.FROM_BUYER,
        body="Bonjour, voici le calendrier : publication prévue dans un mois. Merci !",
        created_at=moment,
    )
    if desk_request.status == RequestStatus.WAITING_BUYER:
        Request.objects.filter(pk=desk_request.pk).update(status=RequestStatus.IN_PROGRESS)
    RequestEvent.record(
        request=desk_request,
        kind=EventKind.BUYER_REPLIED,
        details={"message": message.pk},
        created_at=moment,
    )


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    Request.objects.filter(is_demo=True).delete()
    demo_buyer = Organisation.objects.filter(name=DEMO_BUYER_NAME).first()
    structure = (
        FacilitatorStructure.objects.filter(is_demo=True, coordination__department__code="93")
        .order_by("name")
        .first()
    )
    if demo_buyer is not None and structure is not None:
        BuyerAgreement.objects.update_or_create(
            buyer_organisation=demo_buyer,
            structure=structure,
            defaults={
                "valid_from": date(2024, 1, 1),
                "note": "Convention de démonstration (démo)",
            },
        )
    actors = {
        "facilitator": _actor_by_email("facilitateur@demo.clauses.example"),
        "departmental": _actor_by_email("coordination93@demo.clauses.example"),
        "regional": _actor_by_email("coordination-regionale@demo.clauses.example"),
    }
    year = timezone.localdate().year
    created = 0
    with emails.suppressed():
        for number, spec in enumerate(sorted(SPECS, key=lambda s: -s.days_ago), start=1):
            filed_at = _when(spec.days_ago, 9 + number % 8)
            publication = (
                (filed_at + timedelta(days=spec.publication_in_days)).date().isoformat()
                if spec.publication_in_days is not None
                else ""
            )
            buyer_name = (
                DEMO_BUYER_NAME if spec.demo_buyer else f"{BUYERS[number % len(BUYERS)]} (démo)"
            )
            data = {
                "kind": spec.kind,
                "buyer_name": buyer_name,
                "buyer_siret": demo_buyer.siret
                if (spec.demo_buyer and demo_buyer)
                else _demo_siret(number),
                "buyer_organisation": demo_buyer if spec.demo_buyer else None,
                "contact_name": f"Contact démo {number}",
                "contact_email": f"acheteur{number}@demo.clauses.example",
                "contact_phone": f"01 99 00 {number:02d} 00",
                "execution_communes": list(spec.communes),
                "execution_departments": list(spec.departments),
                "region_wide": spec.region_wide,
                "market_subject": f"{spec.subject} (démo)",
                "market_estimated_amount": spec.amount,
                "market_planned_publication_date": publication,
                "market_duration_months": 24 if spec.amount else None,
                "message": (
                    "Bonjour, nous préparons ce marché et souhaitons y intégrer une clause "
                    "sociale d'insertion. Qui peut nous accompagner ?"
                ),
            }
            filed = services.file_request(data=data, now=filed_at)
            desk_request = filed.request
            Request.objects.filter(pk=desk_request.pk).update(
                reference=f"GRCS-{year}-{900000 + number:06d}", is_demo=True
            )
            desk_request.refresh_from_db()
            _apply(spec, desk_request, filed_at, _handler(desk_request, actors))
            created += 1
        escalated = services.escalate_overdue(now=timezone.now())
    stdout.write(f"Guichet : {created} demandes de démonstration, dont {len(escalated)} remontées.")
