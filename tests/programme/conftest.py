"""The markets tests' world (93 buyer, structures, actors) serves the programme tests."""

from tests.markets.conftest import world  # noqa: F401
