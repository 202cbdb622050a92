"""Where settings come from: the environment over .env, and development secrets under ./data."""
import os
import secrets
from pathlib import Path

from dotenv import dotenv_values


def read_env(env, dotenv_path):
    """Real environment variables win over the .env file."""
    if env is not None:
        return dict(env)
    merged = {k: v for k, v in dotenv_values(dotenv_path).items() if v is not None}
    merged.update(os.environ)
    return merged


def local_secret(data_dir: Path, name: str) -> str:
    """A development secret kept under ./data so stored keys survive restarts."""
    path = data_dir / f".{name}"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.write_text(value)
    path.chmod(0o600)
    return value
