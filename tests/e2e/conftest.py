"""End-to-end tests: the Procfile's processes, WireGuard in network namespaces, a real browser."""
import pytest

from tests.support import wgnet
from tests.support.processes import shop_env

lab = pytest.fixture(wgnet.wireguard_lab)


@pytest.fixture
def process_env(shop):
    return shop_env(shop)
