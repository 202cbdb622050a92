"""Secrets at rest: sealed with SECRET_KEY, and a changed SECRET_KEY says so instead of returning garbage."""
import pytest

from lib.secretbox import SecretBox


def test_secret_box_round_trips_and_a_wrong_key_says_so():
    box = SecretBox("a-secret-key-of-enough-length")
    sealed = box.seal("private-key")
    assert "private-key" not in sealed and box.open(sealed) == "private-key"
    with pytest.raises(ValueError, match="SECRET_KEY changed"):
        SecretBox("another-secret-key-entirely").open(sealed)
