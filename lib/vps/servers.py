"""VPS server rows: reserving an address and a VM id, the password, activation, renewal, release.

Functions here run inside the caller's transaction. Uniqueness lives in the database: a live
address (`live_ip`) and a VM id belong to one server at a time; a race loses at flush and is
retried by run_transaction, which then sees the winner's row.
"""
import secrets
import string

from pony.orm import select

from lib import clock, tasks
from lib.config.ip_pool import PoolAddress, first_free
from lib.errors import CannotFulfil
from lib.events import emit_event
from lib.models import Order, VpsServer
from lib.models import order_states as states
from lib.models.database import after_commit
from lib.models.subscriptions import next_reminder_at, set_expiry
from lib.tasks import enqueue
from lib.texts.formats import when

_ALPHABET = string.ascii_letters + string.digits


def server_name(order_id: int) -> str:
    """Deterministic, so a retried job finds the VM a first try cloned."""
    return f"shop-vps-{order_id}"


def new_password(length: int = 20) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def reserve_server(rt, order_id: int) -> int:
    """The order's server row with a free pool address, created if it has none yet."""
    order = Order.get_for_update(id=order_id)
    if order.server is not None:
        return order.server.id
    px, plan = rt.settings.proxmox, rt.settings.catalog.get(order.plan_id)
    taken = select(s.live_ip for s in VpsServer if s.live_ip is not None)[:]
    address = first_free(px.pool, taken)
    if address is None:
        raise CannotFulfil("the IP pool is exhausted: no free address for a new server")
    expires_at = clock.now() + plan.duration
    server = VpsServer(user=order.user, order=order, plan_id=order.plan_id, node=px.node,
                       name=server_name(order.id), ip=address.ip, prefix=address.prefix, live_ip=address.ip,
                       password_enc=rt.box.seal(new_password()), status="reserved", step="reserved",
                       expires_at=expires_at, created_at=clock.now(),
                       remind_at=next_reminder_at(expires_at, rt.settings.reminder_offsets, clock.now()))
    server.flush()
    return server.id


def record_vmid(server_id: int, candidate: int) -> int:
    """The server's VM id: kept if chosen before, else the first id from `candidate` no server holds."""
    server = VpsServer.get_for_update(id=server_id)
    if server.vmid is not None:
        return server.vmid
    taken = set(select(s.vmid for s in VpsServer if s.vmid is not None)[:])
    while candidate in taken:
        candidate += 1
    server.vmid = candidate
    server.flush()
    return candidate


def forget_vmid(server_id: int) -> None:
    """The recorded id turned out to belong to a VM that is not ours: choose again next time."""
    VpsServer[server_id].vmid = None


def set_step(server_id: int, step: str, status: str | None = None) -> None:
    server = VpsServer[server_id]
    server.step = step
    if status:
        server.status = status


def snapshot(rt, server_id: int) -> dict:
    s = VpsServer[server_id]
    return {"id": s.id, "vmid": s.vmid, "name": s.name, "ip": s.ip, "plan_id": s.plan_id, "status": s.status,
            "address": PoolAddress(s.ip, s.prefix), "password": rt.box.open(s.password_enc),
            "ssh_key": s.user.ssh_key, "user_id": s.user.id, "lang": s.user.language,
            "message_id": s.progress_message_id, "expires_at": s.expires_at}


def activate_server(rt, order_id: int) -> bool:
    """The VM runs: the order is fulfilled and vps.created emitted, once."""
    order = Order.get_for_update(id=order_id)
    if order.status != states.PAID or order.server is None:
        return False
    server = order.server
    server.status, server.step, server.status_checked_at = "running", "ready", clock.now()
    states.move(order, states.FULFILLED)
    emit_event(rt.redis, "vps.created", vps_event_data(server))
    return True


def extend_server(rt, order_id: int) -> int | None:
    """Renewal: one more period from the old expiry if it has not passed, else from now."""
    order = Order.get_for_update(id=order_id)
    if order.status != states.PAID or order.renew_server is None:
        return None
    server, plan = order.renew_server, rt.settings.catalog.get(order.plan_id)
    set_expiry(server, max(server.expires_at, clock.now()) + plan.duration, rt.settings.reminder_offsets)
    if server.status == "suspended":  # stopped at expiry: it runs again
        server.status = "stopped"
        after_commit(enqueue, rt.redis, tasks.VPS_CONTROL, server.id, "start", None)
    states.move(order, states.FULFILLED)
    emit_event(rt.redis, "vps.renewed", vps_event_data(server))
    after_commit(enqueue, rt.redis, tasks.NOTIFY_USER, server.user.id, "vps_renewed",
                 {"server_id": server.id, "expires": when(server.expires_at)})
    return server.id


def release_server(server_id: int, status: str = "failed") -> None:
    """The VM is gone: the address goes back to the pool and the VM id is free again."""
    server = VpsServer[server_id]
    server.status, server.live_ip, server.vmid = status, None, None


def vps_event_data(server: VpsServer) -> dict:
    return {"telegram_id": server.user.id, "server_id": server.id, "ip": server.ip, "plan": server.plan_id,
            "vmid": server.vmid, "expires_at": clock.iso(server.expires_at)}
