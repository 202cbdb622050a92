"""The two-door tests of servers: Ann uses the bot, Bob the mini app; what each got, compared."""
from datetime import timedelta

from pony.orm import db_session

from lib.models import User, VpsServer
from tests.support.doors import (
    ANN,
    BOB,
    call,
    events_of,
    money_of,
    text,
)

POOL = "203.0.113.10-203.0.113.12/24"
RUNNING = {"plan": "vps-start", "status": "running", "vm": "running", "size": ("1", "1024"), "ip_on_vm": True,
           "password_on_vm": True, "days": 30}


def bot_buys(shop):
    shop.send(ANN, "/start")
    shop.click(ANN, "Buy VPS")
    shop.click(ANN, "Start · 1 CPU · 1 GB · 20 GB")
    shop.click(ANN, "Sandbox")
    shop.click(ANN, "Pay in sandbox")


def app_buys(shop):
    order = call(shop, BOB, "post", "orders", 201,
                 json={"product": "vps", "plan": "vps-start", "provider": "sandbox"}).get_json()
    call(shop, BOB, "post", f"orders/{order['order_id']}/sandbox_pay")
    shop.run_jobs()


def both_buy(shop) -> dict:
    """Each buys a server through their door; their server ids."""
    bot_buys(shop)
    app_buys(shop)
    return {user: server_of(shop, user)["id"] for user in (ANN, BOB)}


def open_card(shop, server_id):
    shop.send(ANN, "/start")
    shop.click(ANN, "My servers")
    shop.click(ANN, f"#{server_id} ·")


def server_of(shop, user_id) -> dict:
    with db_session:
        (server,) = VpsServer.select(lambda s: s.user.id == user_id)
        return {"id": server.id, "ip": server.ip, "vmid": server.vmid, "password": shop.rt.box.open(server.password_enc)}


def servers_of(shop, user_id, proxmox) -> list:
    """The user's servers as they would describe them, and what the node has of each."""
    def described(server):
        vm = proxmox.vm(server.vmid) or {"config": {}}
        config = vm["config"]
        return {"plan": server.plan_id, "status": server.status, "vm": vm.get("status"),
                "size": (str(config.get("cores")), str(config.get("memory"))),
                "ip_on_vm": config.get("ipconfig0", "").startswith(f"ip={server.ip}/"),
                "password_on_vm": config.get("cipassword") == shop.rt.box.open(server.password_enc),
                "days": round((server.expires_at - server.created_at) / timedelta(days=1))}
    with db_session:
        return [described(s) for s in VpsServer.select(lambda s: s.user.id == user_id).order_by(VpsServer.id)]


def outcome(shop, user_id, proxmox) -> dict:
    return {**money_of(user_id), "servers": servers_of(shop, user_id, proxmox), "events": events_of(user_id)}


def reboots(proxmox, vmid) -> int:
    return len(proxmox.calls_to("POST", f"/qemu/{vmid}/status/reboot"))


def ssh_key_of(user_id):
    with db_session:
        return User[user_id].ssh_key


def bot_sets_key(shop, key):
    shop.send(ANN, "/start")
    shop.click(ANN, "Buy VPS")
    shop.click(ANN, "My SSH key")
    assert shop.last_text(ANN) == text("ssh_key_prompt")
    shop.send(ANN, key)


def cut_short(key):
    kind, blob, comment = key.split(" ")
    return f"{kind} {blob[:len(blob) // 2]} {comment}"


def wrapped_mid_blob(key):
    kind, blob, comment = key.split(" ")
    return f"{kind} {blob[:64]}\n{blob[64:]} {comment}"
