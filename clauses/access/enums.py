from django.db import models


class TokenScope(models.TextChoices):
    READ = "read", "Lecture seule"
    READ_WRITE = "read_write", "Lecture et écriture"


class AuditAction(models.TextChoices):
    VIEW = "view", "Consultation"
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    DELETE = "delete", "Suppression"
    EXPORT = "export", "Export"
    LOGIN = "login", "Connexion"
    LOGOUT = "logout", "Déconnexion"
    CONFIRM = "confirm", "Confirmation"
    REVOKE = "revoke", "Révocation"
