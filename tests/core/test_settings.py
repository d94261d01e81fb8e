"""Production settings (`clauses.settings.base`) are the strict ones, and refuse to start
without what production must provide. Each case runs in a fresh interpreter, as a server
would start, with an environment we control."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from clauses.core.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k3y-for-tests-only-" + "x7Qp9zL2vB" * 5  # long and varied enough for check --deploy
# Accepted by `manage.py check --deploy` (docs/environment.md says why): HSTS preload is a
# commitment taken for the final domain, not a default.
ACCEPTED_DEPLOY_WARNINGS = {"security.W021"}


def run_python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CLAUSES_", "DATABASE"))
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="clauses.settings.base",
        CLAUSES_VAR_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT),
        **env,
    )
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SETUP = "import django; django.setup()"
DUMP = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "DEBUG", "DEMO_MODE", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY", "EMAIL_BACKEND",
]} | {"MIDDLEWARE": s.MIDDLEWARE, "CSP": s.CONTENT_SECURITY_POLICY["DIRECTIVES"]}, default=str))
"""


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_python(SETUP, tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY doit être défini" in result.stderr


def test_an_empty_secret_key_is_refused_too(tmp_path):
    result = run_python(SETUP, tmp_path, DJANGO_SECRET_KEY="")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    result = run_python(DUMP, tmp_path_factory.mktemp("prod"), DJANGO_SECRET_KEY=SECRET)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_defaults_are_the_strict_ones(production):
    assert production["DEBUG"] is False
    assert production["DEMO_MODE"] is False
    assert production["ALLOWED_HOSTS"] == []
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["SECURE_REFERRER_POLICY"] == "same-origin"
    assert production["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_middleware_is_secure_by_default(production):
    middleware = production["MIDDLEWARE"]
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in middleware
    assert "csp.middleware.CSPMiddleware" in middleware
    assert middleware[0] == "django.middleware.security.SecurityMiddleware"


def test_production_csp_allows_no_inline_code(production):
    csp = production["CSP"]
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'", "csp.constants.NONCE"]  # the nonce placeholder
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert not any("unsafe" in source for sources in csp.values() for source in sources)


def test_debug_can_be_turned_on_explicitly_only(tmp_path):
    code = SETUP + "; from django.conf import settings; print(settings.DEBUG)"
    on = run_python(code, tmp_path, DJANGO_SECRET_KEY=SECRET, DJANGO_DEBUG="true")
    wrong = run_python(code, tmp_path, DJANGO_SECRET_KEY=SECRET, DJANGO_DEBUG="peut-être")

    assert on.stdout.strip() == "True"
    assert wrong.returncode != 0
    assert "DJANGO_DEBUG doit valoir true ou false" in wrong.stderr


def test_check_deploy_passes_with_a_key_and_a_host(tmp_path):
    code = (
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'ERROR'])"
    )
    result = run_python(
        code, tmp_path, DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="clauses.example"
    )

    assert result.returncode == 0, result.stderr
    reported = set(re.findall(r"\((\w+\.[A-Z]\d+)\)", result.stdout + result.stderr))
    assert reported <= ACCEPTED_DEPLOY_WARNINGS, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("oui", True), (" TRUE ", True), ("0", False), ("non", False), ("", False)],
)
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("CLAUSES_TEST_FLAG", raw)
    assert env_bool("CLAUSES_TEST_FLAG", not expected) is expected


def test_env_bool_default_and_error(monkeypatch):
    monkeypatch.delenv("CLAUSES_TEST_FLAG", raising=False)
    assert env_bool("CLAUSES_TEST_FLAG", True) is True
    monkeypatch.setenv("CLAUSES_TEST_FLAG", "bof")
    with pytest.raises(ImproperlyConfigured):
        env_bool("CLAUSES_TEST_FLAG", False)


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("CLAUSES_TEST_INT", "")
    assert env_int("CLAUSES_TEST_INT", 7) == 7
    monkeypatch.setenv("CLAUSES_TEST_INT", "12")
    assert env_int("CLAUSES_TEST_INT", 7) == 12
    monkeypatch.setenv("CLAUSES_TEST_INT", "douze")
    with pytest.raises(ImproperlyConfigured):
        env_int("CLAUSES_TEST_INT", 7)
    monkeypatch.setenv("CLAUSES_TEST_LIST", " a.example, ,b.example ")
    assert env_list("CLAUSES_TEST_LIST", []) == ["a.example", "b.example"]


def test_postgres_connections_turn_jit_off_unless_asked(tmp_path: Path):
    code = (
        "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    )
    url = "postgres://u@127.0.0.1:5432/x"
    off = run_python(code, tmp_path, DJANGO_SECRET_KEY="k" * 50, DATABASE_URL=url)
    assert off.returncode == 0, off.stderr
    assert "-c jit=off" in off.stdout
    on = run_python(
        code, tmp_path, DJANGO_SECRET_KEY="k" * 50, DATABASE_URL=url, CLAUSES_POSTGRES_JIT="true"
    )
    assert on.returncode == 0, on.stderr
    assert "jit" not in on.stdout
