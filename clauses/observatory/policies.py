"""Who may use the observatory (DESIGN.md, "Actors and what each may see").

The DECP are public data, so the aggregates are public too (the summary API needs no
account). The pages are a working tool of the network:

| actor                              | observatory pages                                   |
|------------------------------------|-----------------------------------------------------|
| facilitator                        | every territory (public data); followed markets of  |
|                                    | its structure next to a buyer's contracts            |
| local, departmental, regional      | every territory; the followed markets they see       |
| coordination                       |                                                     |
| national coordination              | every territory; no market individually (aggregates) |
| platform administrator             | everything                                          |
| buyer agent, company, partner,     | none (404)                                          |
| anonymous                          |                                                     |

The markets shown next to published contracts always come from
`markets.policies.visible_markets(actor)`: the observatory never widens what an actor sees
of the markets the network follows.
"""

from django.db.models import QuerySet

from clauses.access.actors import Actor
from clauses.markets.models import Market
from clauses.markets.policies import visible_markets
from clauses.observatory.models import PublishedContract


def can_use_observatory(actor: Actor) -> bool:
    if actor.via_token:
        return False
    return actor.is_platform_admin or actor.is_facilitator or actor.is_coordinator


def visible_published_contracts(actor: Actor) -> QuerySet[PublishedContract]:
    if can_use_observatory(actor):
        return PublishedContract.objects.all()
    return PublishedContract.objects.none()


def followed_markets(actor: Actor) -> QuerySet[Market]:
    """The followed markets the observatory may show this actor (none to the national
    coordination, which sees aggregates only)."""
    if not can_use_observatory(actor) or actor.is_national:
        return Market.objects.none()
    return visible_markets(actor)


def default_department(actor: Actor) -> str:
    """The territory a page opens on: the actor's first département, else Paris' region."""
    return sorted(actor.department_codes)[0] if actor.department_codes else ""
