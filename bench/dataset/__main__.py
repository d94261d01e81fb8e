"""`python -m bench.dataset --scale tiny|region|national [--years N] [--seed S] --wet-run`:
the synthetic benchmark dataset (see `bench/dataset/__init__.py` and docs/performance.md),
in a fresh database (migrate + load_reference). Settings as `manage.py` (DJANGO_SETTINGS_MODULE,
else the development settings); DATABASE_URL chooses the database."""

import os
import sys

from bench.dataset.cli import main

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauses.settings.dev")
    import django

    django.setup()
    sys.exit(main(sys.argv[1:]))
