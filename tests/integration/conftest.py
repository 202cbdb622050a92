"""Integration tests: real PostgreSQL and Redis, the provider fakes on loopback, the shop in-process
(fixtures: tests/support/fixtures.py)."""
