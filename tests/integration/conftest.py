"""Integration tests: real PostgreSQL and Redis, the provider fakes on loopback, the shop in-process
(fixtures: tests/support/fixtures.py); and the two-door tests' shops."""
import pytest

from tests.support.doors_vpn import ADMIN
from tests.support.doors_vps import POOL


@pytest.fixture
def vpn_shop(make_shop, fake_wg):
    return make_shop(wg=fake_wg, SANDBOX_PAYMENTS="true", ADMIN_IDS=str(ADMIN))


@pytest.fixture
def vps_shop(make_shop, fake_proxmox):
    return make_shop(proxmox=fake_proxmox, pool=POOL, SANDBOX_PAYMENTS="true")


