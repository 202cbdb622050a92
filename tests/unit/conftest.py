"""Unit tests need no service: a connection to any TCP address fails the test that tries it."""
import socket

import pytest


class NoNetwork(AssertionError):
    """A unit test tried to reach a service; it belongs in tests/integration."""


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    real_connect = socket.socket.connect

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            raise NoNetwork(f"unit tests use no network, yet one connected to {address}")
        return real_connect(sock, address)
    monkeypatch.setattr(socket.socket, "connect", connect)
