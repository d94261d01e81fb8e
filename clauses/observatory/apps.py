from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    """The observatory of public contracts: the données essentielles de la commande publique
    (DECP) imported, classified (social considerations) and compared with the markets the
    network follows."""

    name = "clauses.observatory"
    label = "observatory"
    verbose_name = "Observatoire de la commande publique"
