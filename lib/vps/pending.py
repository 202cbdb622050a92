"""The marker of a power action queued from the mini app (kept light: the web process imports it)."""


def pending_key(server_id: int) -> str:
    """Set while a power action queued from the mini app waits or runs (jobs.vps_control clears it)."""
    return f"shop:vps:pending:{server_id}"
