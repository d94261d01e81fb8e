"""The site tests reuse the access tests' small world of actors."""

from tests.access.conftest import world  # noqa: F401
