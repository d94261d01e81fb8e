import os

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Hypothesis in CI (.ci/run sets HYPOTHESIS_PROFILE=ci): the same number of examples, minus what
# only measures the machine — a 200 ms deadline per example and the "too slow" health check
# fail on a loaded 2-core runner, not on a bug — and no example database left in the clone.
# A failure prints the blob that replays it (@reproduce_failure).
hypothesis_settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
    print_blob=True,
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the real reference data (territories, CPV, NAF, the
    real skeleton of the network), loaded once per test session, as production has it."""
    with django_db_blocker.unblock():
        call_command("load_reference", wet_run=True, verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_network_cache():
    """A test's rolled-back writes must not leave cached public pages for the next test
    (clauses.core.pagecache): every test starts with a new network version."""
    from django.core.cache import cache

    from clauses.core.pagecache import bump_network_version

    cache.clear()  # rate-limit windows too: no test inherits another's counts
    bump_network_version()
