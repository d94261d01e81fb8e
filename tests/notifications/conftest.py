"""The desk's network and the hours' world, reused by the notifications tests."""

from tests.desk.conftest import network  # noqa: F401 — fixture
from tests.hours.conftest import hw  # noqa: F401 — fixture
from tests.markets.conftest import world as market_world  # noqa: F401 — fixture
