"""Each role's home after login (#12.10): what waits for the person, read through each
app's selectors and policies (site is the top app). A home is a list of `Section`s, each
a count, up to `SHOWN` lines and a link to the full page — a fixed number of queries per
home, whatever the volume, one per listed section when its rows fit (tests/site/test_homes.py)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.desk import policies as desk_policies
from clauses.desk import selectors as desk_selectors
from clauses.desk.enums import OPEN_STATUSES
from clauses.followup import policies as followup_policies
from clauses.hours import policies as hours_policies
from clauses.hours import selectors as hours_selectors
from clauses.hours.enums import DeclarationStatus
from clauses.markets import selectors as market_selectors
from clauses.notifications.selectors import notifications_of

SHOWN = 5
EXPIRING_DAYS = 30


@dataclass(frozen=True)
class Item:
    label: str
    url: str = ""
    detail: str = ""


@dataclass
class Section:
    key: str
    title: str
    count: int
    empty: str
    link_url: str = ""
    link_label: str = ""
    items: list[Item] = field(default_factory=list)
    urgent: bool = False


def _head(queryset: QuerySet) -> tuple[list, int]:
    """Up to `SHOWN` rows and how many there are, in one query when they all fit (most
    homes): the count is asked only when there are more rows than shown."""
    rows = list(queryset[: SHOWN + 1])
    if len(rows) <= SHOWN:
        return rows, len(rows)
    return rows[:SHOWN], queryset.count()


def _requests(actor: Actor, today: date) -> list[Section]:
    open_requests = desk_selectors.inbox(actor, today=today, status="open")
    rows, count = _head(open_requests)
    overdue = desk_selectors.inbox(actor, today=today, status="open", overdue=True).count()
    inbox_url = reverse("desk:inbox")
    return [
        Section(
            key="demandes",
            title="Demandes du guichet à traiter",
            count=count,
            empty="Aucune demande ouverte.",
            link_url=inbox_url,
            link_label="Ouvrir la boîte des demandes",
            items=[
                Item(
                    f"{r.reference} — {r.buyer_name}",
                    reverse("desk:detail", args=[r.reference]),
                    f"{r.get_status_display()}, réponse attendue le {r.first_response_due:%d/%m/%Y}"
                    if r.first_response_due
                    else r.get_status_display(),
                )
                for r in rows
            ],
        ),
        Section(
            key="en-retard",
            title="Demandes en retard de première réponse",
            count=overdue,
            empty="Aucune demande en retard.",
            link_url=f"{inbox_url}?status=open&overdue=on",
            link_label="Voir les demandes en retard",
            urgent=overdue > 0,
        ),
    ]


def _eligibility(actor: Actor, today: date) -> list[Section]:
    undecided = (
        followup_policies.visible_participants(actor)
        .exclude(validations__withdrawn_at__isnull=True)
        .count()
    )
    expiring = (
        followup_policies.visible_validations(actor)
        .filter(
            withdrawn_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=EXPIRING_DAYS),
        )
        .count()
    )
    url = reverse("followup:participants")
    return [
        Section(
            key="eligibilite",
            title="Éligibilités à décider",
            count=undecided,
            empty="Chaque participant·e a une validation d'éligibilité.",
            link_url=url,
            link_label="Voir les participants",
        ),
        Section(
            key="eligibilite-expire",
            title=f"Éligibilités qui expirent dans les {EXPIRING_DAYS} jours",
            count=expiring,
            empty="Aucune éligibilité n'expire bientôt.",
            link_url=url,
            link_label="Voir les participants",
            urgent=expiring > 0,
        ),
    ]


def _control(actor: Actor) -> Section:
    declarations = hours_selectors.declarations_to_control(actor)
    return Section(
        key="controle",
        title="Déclarations d'heures à contrôler",
        count=declarations.count(),
        empty="Aucune déclaration n'attend de contrôle.",
        link_url=reverse("hours:control"),
        link_label="Contrôler les heures",
    )


def _clauses_at_risk(actor: Actor, today: date) -> Section:
    alerts = hours_selectors.alerts(actor, today=today)
    return Section(
        key="clauses-a-risque",
        title="Clauses en retard sur leurs heures",
        count=len(alerts),
        empty="Aucune clause en retard.",
        items=[
            Item(
                str(item.clause.lot.market),
                reverse("hours:clause", args=[item.clause.pk]),
                "terminée sans atteindre l'objectif"
                if item.progress.ended_short
                else "en retard sur le rythme attendu",
            )
            for item in alerts[:SHOWN]
        ],
        urgent=bool(alerts),
    )


def _meetings(actor: Actor, today: date) -> Section:
    meetings = market_selectors.upcoming_meetings(actor, since=today).filter(
        date__date__lt=today + timedelta(days=7)
    )
    rows = list(meetings[:SHOWN])
    return Section(
        key="reunions",
        title="Réunions de la semaine",
        count=len(rows),
        empty="Aucune réunion dans les 7 prochains jours.",
        items=[
            Item(
                f"{timezone.localtime(m.date):%d/%m/%Y %H:%M} — {m.get_kind_display()}",
                reverse("markets:detail", args=[m.market_id]),
                str(m.market),
            )
            for m in rows
        ],
    )


def _missing_conditions(actor: Actor, today: date) -> Section:
    markets = market_selectors.markets_missing_social_condition(actor, today=today)
    rows, count = _head(markets)
    return Section(
        key="conditions-manquantes",
        title="Marchés sans la condition sociale obligatoire",
        count=count,
        empty="Aucun marché ne manque de condition sociale obligatoire.",
        items=[Item(str(m), reverse("markets:detail", args=[m.pk])) for m in rows],
        urgent=bool(rows),
    )


def facilitator_home(actor: Actor, today: date) -> list[Section]:
    return [
        *_requests(actor, today),
        *_eligibility(actor, today),
        _control(actor),
        _clauses_at_risk(actor, today),
        _meetings(actor, today),
    ]


def company_home(actor: Actor, today: date) -> list[Section]:
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    to_declare = (
        hours_policies.declarable_assignments(actor)
        .filter(start_date__lt=today.replace(day=1))
        .exclude(end_date__lt=last_month)
        .exclude(hour_declarations__month=last_month)
        .select_related("participant", "lot__market")
        .order_by("start_date", "pk")
    )
    refused = hours_selectors.company_declarations(actor).filter(
        status__in=[DeclarationStatus.REJECTED, DeclarationStatus.FIX_REQUESTED]
    )
    declare_rows, declare_count = _head(to_declare)
    refused_rows, refused_count = _head(refused)
    declare_url = reverse("hours:my_clauses")
    return [
        Section(
            key="a-declarer",
            title=f"À déclarer ce mois-ci (heures de {last_month:%m/%Y})",
            count=declare_count,
            empty="Toutes vos missions sont déclarées pour le mois dernier.",
            link_url=declare_url,
            link_label="Déclarer mes heures",
            items=[Item(str(a.participant), declare_url, str(a.lot.market)) for a in declare_rows],
            urgent=declare_count > 0,
        ),
        Section(
            key="refusees",
            title="Déclarations refusées ou à corriger",
            count=refused_count,
            empty="Aucune déclaration refusée.",
            items=[
                Item(
                    f"{d.month:%m/%Y} — {d.assignment.participant}",
                    reverse("hours:declaration", args=[d.pk]),
                    f"{d.get_status_display()} : {d.rejection_reason}",
                )
                for d in refused_rows
            ],
            urgent=bool(refused_rows),
        ),
    ]


def buyer_home(actor: Actor, today: date) -> list[Section]:
    open_requests = desk_policies.visible_requests(actor).filter(status__in=OPEN_STATUSES)
    request_rows, request_count = _head(open_requests.order_by("-created_at", "-pk"))
    market_rows, market_count = _head(market_selectors.market_list(actor))
    return [
        Section(
            key="demandes",
            title="Mes demandes au guichet en cours",
            count=request_count,
            empty="Aucune demande en cours.",
            link_url=reverse("desk:my_requests"),
            link_label="Voir mes demandes",
            items=[
                Item(
                    f"{r.reference} — {r.market_subject or r.get_kind_display()}",
                    reverse("desk:my_request", args=[r.reference]),
                    r.get_status_display(),
                )
                for r in request_rows
            ],
        ),
        Section(
            key="marches",
            title="Mes marchés et leur avancement",
            count=market_count,
            empty="Aucun marché enregistré.",
            link_url=reverse("markets:list"),
            link_label="Voir mes marchés",
            items=[
                Item(str(m), reverse("markets:detail", args=[m.pk]), m.get_status_display())
                for m in market_rows
            ],
        ),
        _missing_conditions(actor, today),
    ]


def coordinator_home(actor: Actor, today: date) -> list[Section]:
    escalated, escalated_count = _head(
        desk_selectors.inbox(actor, today=today, status="open").filter(escalation_count__gt=0)
    )
    return [
        *_requests(actor, today),
        Section(
            key="remontees",
            title="Demandes remontées faute de prise en charge",
            count=escalated_count,
            empty="Aucune demande remontée.",
            items=[
                Item(
                    f"{r.reference} — {r.buyer_name}",
                    reverse("desk:detail", args=[r.reference]),
                    f"remontée {r.escalation_count} fois",
                )
                for r in escalated
            ],
            urgent=escalated_count > 0,
        ),
        _control(actor),
        _missing_conditions(actor, today),
        Section(
            key="bilans",
            title="Bilans du territoire",
            count=0,
            empty="Les bilans de vos clauses, par année et par territoire.",
            link_url=reverse("reporting:index"),
            link_label="Ouvrir les bilans",
        ),
    ]


def national_home(actor: Actor, today: date) -> list[Section]:
    return [
        Section(
            key="bilans",
            title="Bilans des régions",
            count=0,
            empty="Les bilans consolidés des régions.",
            link_url=reverse("reporting:index"),
            link_label="Ouvrir les bilans",
        )
    ]


def home_sections(actor: Actor, *, today: date | None = None) -> list[Section] | None:
    """The sections of this actor's home, or None for a role without one (partner,
    platform administrator without organisation): they get the public home."""
    today = today or timezone.localdate()
    if actor.is_facilitator:
        return facilitator_home(actor, today)
    if actor.is_company_contact:
        return company_home(actor, today)
    if actor.is_buyer_agent:
        return buyer_home(actor, today)
    if actor.is_territorial_coordinator:
        return coordinator_home(actor, today)
    if actor.is_national:
        return national_home(actor, today)
    return None


def latest_notifications(user: object) -> list:
    return list(notifications_of(user).filter(read_at__isnull=True)[:SHOWN])
