"""Cached public pages and lookups of the network, kept true by one version key (#15).

The network's public pages (home, network table and map, département pages, find my
facilitator) and lookups (facilitation API, commune search API, the network part of the
routing dry run) change only when the network, its coverage or its people change. They are
kept in Django's default cache (Redis when `REDIS_URL` is set, so every process and machine
shares them; local memory in the embedded demo), each entry with the **network version** it
was computed for. Every write to the network bumps the version (`bump_network_version`): the
next request of every page and lookup, on every server, finds an entry of another version,
recomputes and overwrites it. A hit is one cache read (`get_many`: the version and the
entry). JSON lookups keep their rendered bytes (`render_json`), so a hit skips the response
schema's validation too.

Where the version is bumped (keep this list true):
- `clauses.network.apps.NetworkConfig.ready` connects `post_save`, `post_delete` and
  `m2m_changed` of the network's models (coordinations, structures, facilitators, partners
  and their territories) and of the territories' models: services, admin saves and the
  shell all go through them;
- the bulk loaders (`load_network`, `load_partners`, `load_territories`), whose bulk writes
  send no signal, call `bump_network_version()` when they finish.

Only anonymous GET/HEAD requests are served from the cache, and a response is stored only
when it is safe to give to anyone: status 200 or 404, no cookie set, no CSRF token rendered,
no CSP nonce used (see docs/decisions/0006-cached-public-pages-and-csp.md).
"""

import hashlib
import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

VERSION_KEY = "network:version"
# Bounded even though the version keeps entries true: what no signal sees (a database
# edited by hand, `QuerySet.update()` or `bulk_create()` outside the loaders — call
# `bump_network_version()` after them) is right again after this many seconds.
TIMEOUT = 600
CACHEABLE_STATUSES = {200, 404}
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def _new_version() -> str:
    version = uuid.uuid4().hex[:12]
    cache.set(VERSION_KEY, version, timeout=None)
    return version


def network_version() -> str:
    """The current network version (created on first use, shared through the cache)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex[:12], timeout=None)
        version = cache.get(VERSION_KEY) or "0"
    return version


def _bump_after_commit() -> None:
    _new_version()


def bump_network_version(*args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - signal receiver
    """Every cached page and lookup of the network is stale from now on, on every server.

    Bumped at once and, inside a transaction, once more when it commits: a visitor served
    between the write and the commit reads the database as it was before it (the write is
    not visible yet) and may store that page under the new version; the second bump makes
    it stale too."""
    _new_version()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        callback is _bump_after_commit for _ids, callback, _robust in connection.run_on_commit
    ):
        transaction.on_commit(_bump_after_commit)


def _key(kind: str, parts: str) -> str:
    """The entry's key; the entry holds the version it was computed for, so that a hit
    costs one cache read (`get_many` of the version and the entry)."""
    digest = hashlib.sha256(parts.encode()).hexdigest()[:32]
    return f"net:{kind}:{digest}"


def _read(key: str) -> tuple[str, Any]:
    """(current version, the stored value when it was computed for that version or None)."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY) or network_version()
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        return version, stored[1]
    return version, None


def cached_lookup(name: str, argument: str, compute: Callable[[], Any]) -> Any:  # noqa: ANN401
    """`compute()`'s value (plain, picklable data) for `argument`, from the cache when the
    network has not changed since it was computed."""
    key = _key(name, argument)
    version, value = _read(key)
    if value is None:
        value = compute()
        cache.set(key, (version, value), TIMEOUT)
    return value


def render_json(schema: type, data: Any, *, many: bool = False) -> bytes:  # noqa: ANN401
    """`data` checked against the response schema (a ninja Schema) and rendered as the API
    renders it: the bytes a cached lookup keeps, so that a hit skips the validation."""
    from ninja.responses import NinjaJSONEncoder

    if many:
        dumped = [schema.model_validate(item).model_dump() for item in data]
    else:
        dumped = schema.model_validate(data).model_dump()
    return json.dumps(dumped, cls=NinjaJSONEncoder).encode()


def json_response(content: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(content, status=status, content_type=JSON_CONTENT_TYPE)


def _has_pending_messages(request: HttpRequest) -> bool:
    if "messages" in request.COOKIES:
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.session_key and session.get("_messages"))


def _is_shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """A response anyone may receive: nothing in it belongs to this request."""
    return (
        response.status_code in CACHEABLE_STATUSES
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not request.META.get("CSRF_COOKIE_USED")
        # A page that used the CSP nonce carries it: cached, the nonce would be public.
        and not isinstance(getattr(request, "_csp_nonce", None), str)
    )


def share(request: HttpRequest) -> None:
    """Say that this request's response is the same for every anonymous visitor (a public
    page or lookup of the network): `CachedPageMiddleware` may keep it whole."""
    request._pagecache_shareable = True


def cached_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve an anonymous visitor's GET of this page from the cache, keyed by the network
    version, the path, the query string and whether htmx asked for a fragment; and mark it
    for `CachedPageMiddleware`, which keeps the whole response (headers included) for the
    visitors without a session."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:  # noqa: ANN401
        if (
            request.method not in ("GET", "HEAD")
            or request.user.is_authenticated
            or _has_pending_messages(request)
        ):
            return view(request, *args, **kwargs)
        htmx = "1" if request.headers.get("HX-Request") else "0"
        key = _key("page", f"{request.path}?{request.META.get('QUERY_STRING', '')}#{htmx}")
        version, stored = _read(key)
        if stored is not None:
            status, content_type, content = stored
            response = HttpResponse(content, status=status, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if _is_shareable(request, response):
                page = (response.status_code, response["Content-Type"], response.content)
                cache.set(key, (version, page), TIMEOUT)
        patch_vary_headers(response, ("Cookie", "HX-Request"))
        share(request)
        return response

    return wrapper


# Where whole responses may be kept: the network's public pages and lookup APIs (a path
# outside these is never looked up, so other pages pay nothing).
CACHED_PATHS = ("/reseau/", "/api/v1/communes", "/api/v1/network/")


class CachedPageMiddleware:
    """Whole responses of the public pages and lookups for visitors without a session,
    served before the rest of the middleware runs (placed right after SecurityMiddleware
    and WhiteNoise, so the HTTPS redirect and the static files come first).

    A response is kept only when its view said it is the same for everyone (`share`, done
    by `cached_public_page` and the lookup APIs) and, seen from here, once every other
    middleware has run, it still sets no cookie, drew no CSP nonce and rendered no CSRF
    token (`_is_shareable`); with its headers (CSP, X-Frame-Options, Vary…), under the
    network version read before the view ran. A visitor with a session or messages
    cookie, or an Authorization header, goes the normal way (the view's cache still
    serves the page's body)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = self._key(request)
        if key is None:
            return self.get_response(request)
        version, stored = _read(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if getattr(request, "_pagecache_shareable", False) and _is_shareable(request, response):
            frozen = (response.status_code, list(response.items()), response.content)
            cache.set(key, (version, frozen), TIMEOUT)
        return response

    @staticmethod
    def _key(request: HttpRequest) -> str | None:
        path = request.path
        if request.method not in ("GET", "HEAD") or not (
            path == "/" or path.startswith(CACHED_PATHS)
        ):
            return None
        cookies = request.COOKIES
        if (
            settings.SESSION_COOKIE_NAME in cookies
            or "messages" in cookies
            or "HTTP_AUTHORIZATION" in request.META
        ):
            return None
        htmx = "1" if request.headers.get("HX-Request") else "0"
        query = request.META.get("QUERY_STRING", "")
        return _key("response", f"{request.get_host()}{path}?{query}#{htmx}")
