import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the real reference data (territories, CPV, NAF, the
    real skeleton of the network), loaded once per test session, as production has it."""
    with django_db_blocker.unblock():
        call_command("load_reference", wet_run=True, verbosity=0)
