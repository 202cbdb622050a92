"""Finish removing a server whose VM could not be destroyed before (Proxmox was unreachable)."""
from lib.runtime import current
from lib.vps.provisioning import remove_server


def run(server_id: int) -> str:
    rt = current()
    if not rt.settings.vps_enabled:
        return "vps off"
    return "removed" if remove_server(rt, server_id) else "still held"
