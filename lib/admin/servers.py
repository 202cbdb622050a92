"""Server status for the admin: the Proxmox node's load and free pool addresses, WireGuard peers.

Each part answers {"state": "off" | "unreachable" | "ok", ...}; a part that fails never hides the other.
"""
from pony.orm import count, select

from lib import clock
from lib.models import VpnPeer, VpsServer
from lib.models.database import run_transaction
from lib.vpn.backend import BackendError
from lib.vpn.locations import backend_for, location_of
from lib.vps.proxmox import Proxmox, ProxmoxError

TIMEOUT = 8.0  # seconds: an admin waits for this screen, a dead host must not hold it long
ONLINE_WITHIN = 180  # seconds since the last handshake that still count as connected
PEERS_SHOWN = 20


def _addresses_in_use(pool_ips):
    return count(s for s in VpsServer if s.live_ip is not None and s.live_ip in pool_ips)


def proxmox_status(rt) -> dict:
    settings = rt.settings.proxmox
    if settings is None:
        return {"state": "off"}
    pool_ips = [address.ip for address in settings.pool]
    used = run_transaction(_addresses_in_use, pool_ips)
    facts = {"node": settings.node, "pool_size": len(pool_ips), "pool_free": max(len(pool_ips) - used, 0)}
    try:
        node = Proxmox(settings, timeout=TIMEOUT).node_status()
    except ProxmoxError as exc:
        return dict(facts, state="unreachable", error=str(exc))
    except Exception as exc:  # a host proxmoxer cannot even talk to; the type says enough, nothing secret
        return dict(facts, state="unreachable", error=type(exc).__name__)
    memory, disk = node.get("memory") or {}, node.get("rootfs") or {}
    return dict(facts, state="ok", cpu=float(node.get("cpu") or 0), cpus=(node.get("cpuinfo") or {}).get("cpus"),
                loadavg=" ".join(str(x) for x in node.get("loadavg") or []) or "?",
                mem_used=int(memory.get("used") or 0), mem_total=int(memory.get("total") or 0),
                disk_used=int(disk.get("used") or 0), disk_total=int(disk.get("total") or 0),
                uptime=int(node.get("uptime") or 0))


def _owners(keys):
    return {p.public_key: (p.id, p.user.id) for p in select(p for p in VpnPeer if p.public_key in keys)}


def wireguard_status(rt, shown: int = PEERS_SHOWN) -> dict:
    if not rt.settings.vpn_enabled:
        return {"state": "off"}
    location = location_of(rt.settings)
    try:
        live = backend_for(location, timeout=TIMEOUT).keys()
    except BackendError as exc:
        return {"state": "unreachable", "interface": location.interface, "error": str(exc)}
    now = int((clock.now() - clock.from_epoch(0)).total_seconds())
    ordered = sorted(live.values(), key=lambda p: (-p.latest_handshake, p.public_key))
    owners = run_transaction(_owners, [p.public_key for p in ordered[:shown]]) if ordered else {}
    rows = [{"key": p.public_key, "peer_id": owners.get(p.public_key, (None, None))[0],
             "user_id": owners.get(p.public_key, (None, None))[1],
             "age": now - p.latest_handshake if p.latest_handshake else None,
             "rx": p.rx_bytes, "tx": p.tx_bytes} for p in ordered[:shown]]
    online = sum(1 for p in live.values() if p.latest_handshake and now - p.latest_handshake <= ONLINE_WITHIN)
    return {"state": "ok", "interface": location.interface, "total": len(live), "online": online, "rows": rows,
            "more": max(len(live) - shown, 0)}
