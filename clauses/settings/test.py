"""The test suite: fast hashing, in-memory email, tasks run at once, template errors loud."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")

from clauses.settings.base import *  # noqa: E402,F403
from clauses.settings.base import TEMPLATES  # noqa: E402

DEBUG = False
DEMO_MODE = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collectstatic before the tests: WhiteNoise serves from the apps' static folders (as in
# `dev.py`, where DEBUG turns this on) instead of warning that STATIC_ROOT does not exist.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True


class _InvalidTemplateVariable(str):
    """Make an unknown template variable fail the test instead of rendering as ''."""

    def __mod__(self, other: object) -> str:
        raise NameError(f"Variable de gabarit inconnue : {other!r}")


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = _InvalidTemplateVariable("%s")
