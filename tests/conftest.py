"""The whole suite. tests/unit needs no service (its conftest refuses any network connection);
the fixtures of tests/integration and tests/e2e (PostgreSQL, Redis, the fakes, the shop) live in
tests/support/fixtures.py and start a service only when a test asks for one."""
import pytest

from lib import clock

pytest_plugins = ["tests.support.fixtures", "tests.support.browser"]


@pytest.fixture(autouse=True)
def _real_time_again():
    """Every test starts and ends with the clock unmoved."""
    clock.reset()
    yield
    clock.reset()
