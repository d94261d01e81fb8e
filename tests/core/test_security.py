"""Security behaviour of every response: CSP with nonces, headers, login by default."""

import re

import pytest
from csp.middleware import CSPMiddleware
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.urls import path, reverse

from clauses.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db


def _private_view(request):
    return HttpResponse("privé")


@login_not_required
def _public_view(request):
    return HttpResponse("public")


# A URLconf with the project's URLs plus two views written after this test: one that forgot
# to say anything (private by default) and one that opted out explicitly.
urlpatterns = [
    *project_urlpatterns,
    path("tout-nouveau/", _private_view, name="brand-new"),
    path("tout-nouveau-public/", _public_view, name="brand-new-public"),
]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_home_page_has_a_strict_csp_and_nonced_inline_scripts(client):
    response = client.get("/")

    assert response.status_code == 200
    header = response.headers["Content-Security-Policy"]
    csp = csp_directives(header)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'"
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    # Any inline script of the page must carry the nonce that the header allows.
    nonces = {s.removeprefix("'nonce-").removesuffix("'") for s in csp["script-src"][1:]}
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        if "src=" not in tag:
            found = re.search(r'nonce="([^"]+)"', tag)
            assert found and found.group(1) in nonces, tag
    assert 'style="' not in html, "style-src 'self' refuse les attributs style"


def test_a_page_that_uses_the_nonce_gets_it_in_the_header():
    template = engines["django"].from_string(
        '<script nonce="{{ request.csp_nonce }}">var ok = 1;</script>'
    )
    request = RequestFactory().get("/")
    middleware = CSPMiddleware(lambda req: HttpResponse(template.render({}, req)))

    response = middleware(request)

    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert len(nonce) >= 16
    script_src = csp_directives(response.headers["Content-Security-Policy"])["script-src"]
    assert script_src == ["'self'", f"'nonce-{nonce}'"]


def test_security_headers_on_every_page(client):
    response = client.get("/")

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_account_page_is_private(client):
    response = client.get(reverse("accounts:account"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.urls(__name__)
def test_a_new_view_is_private_unless_it_opts_out(client):
    private = client.get("/tout-nouveau/")
    public = client.get("/tout-nouveau-public/")

    assert private.status_code == 302
    assert private["Location"] == reverse("accounts:login") + "?next=/tout-nouveau/"
    assert public.status_code == 200


def test_the_login_page_is_public(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
