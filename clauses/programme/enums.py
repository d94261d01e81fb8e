"""Choices of the programme review: English values, French labels."""

from django.db import models


class ReviewDecision(models.TextChoices):
    PENDING = "pending", "À revoir"
    KEPT = "kept", "Recommandation conservée"
    CHANGED = "changed", "Recommandation changée"
