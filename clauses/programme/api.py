"""The public dry run of the programme review: `POST /api/v1/programme/analyse`."""

from ninja import Router

router = Router(tags=["Revue de programmation"])
