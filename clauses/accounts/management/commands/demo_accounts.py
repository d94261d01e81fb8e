from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration (adresse, mot de passe, jeton d'API)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write("Aucun compte de démonstration pour l'instant.")
