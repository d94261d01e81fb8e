"""Published contracts (DECP) in the permission matrix (tests/access): one contract executed
in Seine-Saint-Denis (own side) and one in Paris (other side). Public data: every member of
the network lists and reads both; nobody else reaches the observatory; nothing is created,
changed or deleted through the application (imports only)."""

from datetime import date

from django.urls import reverse

from clauses.observatory.models import PublishedContract

SIRETS = {"own": "21930066700010", "other": "21750001600019"}
DEPARTMENTS = {"own": "93", "other": "75"}


def record(world: object, side: str) -> PublishedContract:
    contract, _ = PublishedContract.objects.get_or_create(
        uid=f"{SIRETS[side]}MATRICE-{side}",
        defaults={
            "decp_id": f"MATRICE-{side}",
            "buyer_siret": SIRETS[side],
            "buyer_siren": SIRETS[side][:9],
            "buyer_name": f"Acheteur matrice {side}",
            "kind": "works",
            "subject": "Travaux",
            "department_code": DEPARTMENTS[side],
            "region_code": "11",
            "social_status": "yes",
            "social_considerations": "Clause sociale",
            "notification_date": date(2025, 3, 1),
            "year": 2025,
            "amount": 1_000_000,
        },
    )
    return contract


def page_urls(side: str) -> list[str]:
    """The pages that show this side's contract: its territory's figures and its buyer."""
    query = f"?territoire={DEPARTMENTS[side]}&annee=2025"
    return [
        reverse("observatory:index") + query,
        reverse("observatory:buyer", args=[SIRETS[side]]),
    ]
