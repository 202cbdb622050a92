"""Encryption at rest for stored secrets (VPN private keys, VPS passwords), keyed by SECRET_KEY."""
import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    """Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from SECRET_KEY."""

    def __init__(self, secret_key: str):
        digest = hashlib.sha256(b"shop-secretbox-v1:" + secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str:
        """Decrypt; a wrong SECRET_KEY raises ValueError with a plain explanation."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("stored secret cannot be decrypted: SECRET_KEY changed or data is corrupt") from None
