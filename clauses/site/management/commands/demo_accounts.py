from django.core.management.base import BaseCommand

from clauses.access.demo import demo_tokens
from clauses.accounts.demo import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_RECOVERY_CODES,
    DEMO_TOTP_SECRET,
    current_demo_code,
)
from clauses.accounts.models import User


def _api_tokens() -> dict:
    """Demo API tokens by email (or role key)."""
    return dict(demo_tokens() or {})


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration (adresse, mot de passe, 2FA, jeton d'API)."

    def handle(self, *args: object, **options: object) -> None:
        existing = set(
            User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).values_list(
                "email", flat=True
            )
        )
        if not existing:
            self.stdout.write("Aucun compte de démonstration : lancez « manage.py seed_demo ».")
            return
        tokens = _api_tokens()
        header = ["Rôle", "Adresse", "Mot de passe", "Double authentification", "Jeton d'API"]
        rows = []
        for account in DEMO_ACCOUNTS:
            if account.email not in existing:
                continue
            token = tokens.get(account.email) or tokens.get(account.key) or "—"
            rows.append(
                [
                    account.label,
                    account.email,
                    DEMO_PASSWORD,
                    "secret TOTP ci-dessous" if account.needs_2fa else "—",
                    str(token),
                ]
            )
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, ["-" * w for w in widths], *rows]:
            self.stdout.write(
                "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True))
            )
        self.stdout.write("")
        self.stdout.write(f"Secret TOTP (commun, à saisir dans l'application) : {DEMO_TOTP_SECRET}")
        self.stdout.write(f"Code TOTP actuel : {current_demo_code()}")
        self.stdout.write(f"Codes de secours : {', '.join(DEMO_RECOVERY_CODES[:3])} …")
        self.stdout.write(
            "Import d'historique (/historique/) : l'« export logiciel A » de la facilitatrice "
            "est déjà importé ; le « tableur de suivi » reste à importer par la facilitatrice ou "
            "la coordination 93 (fichiers d'exemple sur la page de dépôt)."
        )
