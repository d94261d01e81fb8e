"""The JSON API (`/api/v1`), its OpenAPI description served at `/api/docs`."""

from clauses.access import api_auth
from clauses.core import apis

# ClausesAPI documents every error status of every operation (clauses/core/apis.py).
api = apis.ClausesAPI(
    title="API Clauses",
    version="1",
    description=(
        "API de la plateforme Clauses : territoires, réseau des facilitateurs des clauses "
        "sociales, guichet régional. Les réponses et les messages d'erreur sont en français."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("/", "clauses.territories.api.router")
api.add_router("/network/", "clauses.network.api.router")
api.add_router("/", "clauses.network.api.facilitation_router")
api.add_router("/", "clauses.access.api.router")
api.add_router("/desk/", "clauses.desk.api.router")
api.add_router("/clauses/", "clauses.markets.api.router")
api.add_router("/", "clauses.markets.api.markets_router")
api.add_router("/", "clauses.hours.api.router")
api.add_router("/", "clauses.followup.api.router")
api.add_router("/programme/", "clauses.programme.api.router")
api.add_router("/", "clauses.observatory.api.router")

# Every error answers French JSON (400, 403, 404, 405, 422, 429, 500, 503)…
apis.install(api)
# …and protected routers set `auth=TokenAuth()` themselves; failures answer in French.
api_auth.install(api)
