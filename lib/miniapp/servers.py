"""The mini app's server routes: power actions and refresh, reinstall, password, SSH key."""
from lib.miniapp.errors import bad_request
from lib.miniapp.views import server_json
from lib.vps import actions as vps


def power(rt, customer, body, server_id, action="refresh"):
    """Queue a power action (or a refresh of the state, read from Proxmox by the job); 202 with the server."""
    if action == "refresh":
        server = vps.refresh(rt, customer["id"], server_id)
    else:
        server = vps.request_power(rt, customer["id"], server_id, action)
    return 202, {"server": server_json(rt, server, customer["lang"]), "queued": action}


def reinstall(rt, customer, body, server_id):
    confirmed = isinstance(body, dict) and body.get("confirm") is True
    server = vps.reinstall(rt, customer["id"], server_id, confirmed)
    return 202, {"server": server_json(rt, server, customer["lang"]), "queued": "reinstall"}


def password(rt, customer, body, server_id):
    access = vps.password(rt, customer["id"], server_id)
    return 200, {"ip": access["ip"], "user": access["user"], "password": access["password"]}


def set_ssh_key(rt, customer, body):
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object with ssh_key")
    return 200, {"ssh_key": vps.set_ssh_key(rt, customer["id"], body.get("ssh_key", ""))}
