"""The menu entry of hours: "Mes clauses" for a company contact, "Contrôle des heures" for
a facilitator or a coordinator, nothing for anyone else."""

from django import template
from django.urls import reverse

from clauses.accounts.enums import Role

register = template.Library()


@register.inclusion_tag("hours/_menu_entry.html", takes_context=True)
def hours_menu_entry(context: template.Context) -> dict:
    request = context.get("request")
    membership = getattr(request, "membership", None) if request is not None else None
    role = getattr(membership, "role", None)
    if role == Role.COMPANY_CONTACT:
        url, label = reverse("hours:my_clauses"), "Mes clauses"
    elif role in (Role.FACILITATOR, Role.COORDINATOR):
        url, label = reverse("hours:control"), "Contrôle des heures"
    else:
        return {"url": "", "label": "", "current": False}
    path = getattr(request, "path", "")
    return {"url": url, "label": label, "current": path.startswith(url)}
