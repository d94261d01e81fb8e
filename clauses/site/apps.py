from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top app: what uses every other app (home page, "Mon espace" menu, demo seeding,
    reference loading orchestration). Nothing imports it."""

    name = "clauses.site"
    label = "site"
    verbose_name = "Site"
