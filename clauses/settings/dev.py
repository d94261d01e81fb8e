"""Local work and the demo (`make demo`): debug on, demo accounts shown, console emails.

Never use these settings in production: the secret key is public.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "demo-only-insecure-key-never-use-in-production")

from clauses.settings.base import *  # noqa: E402,F403
from clauses.settings.base import env_bool, env_list  # noqa: E402

DEBUG = env_bool("DJANGO_DEBUG", True)
DEMO_MODE = env_bool("CLAUSES_DEMO_MODE", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
