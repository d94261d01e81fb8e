from django.db import models

# The audit trail lives in accounts (below access); its actions are re-exported here.
from clauses.accounts.enums import AuditAction as AuditAction


class TokenScope(models.TextChoices):
    READ = "read", "Lecture seule"
    READ_WRITE = "read_write", "Lecture et écriture"
