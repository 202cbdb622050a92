"""The one power action a server may have waiting: claimed before it is queued, cleared by the job.

Kept light (no SDK, no bot): the web process uses it.
"""
PENDING_TTL = 1800  # an action the job never got to (Redis lost it) stops blocking after this


def _key(server_id: int) -> str:
    return f"shop:vps:pending:{server_id}"


def claim(redis, server_id: int, action: str) -> bool:
    """Mark `action` as waiting for this server; False when another one waits or runs."""
    return bool(redis.set(_key(server_id), action, nx=True, ex=PENDING_TTL))


def pending_action(redis, server_id: int) -> str | None:
    value = redis.get(_key(server_id))
    return value.decode() if value else None


def release(redis, server_id: int) -> None:
    """The action ran (or will not): the server takes the next one."""
    redis.delete(_key(server_id))
