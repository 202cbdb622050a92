"""The mini app's server routes: power actions and refresh, reinstall, password, SSH key."""
from lib.miniapp.inputs import body_object, text_field
from lib.miniapp.views import server_json
from lib.vps import actions as vps

SSH_KEY_LONGEST = 16384  # the shape bound; the key rule itself (lib/vps/ssh_keys.py) is stricter


def power(rt, customer, body, server_id, action="refresh"):
    """Queue a power action (or a refresh of the state, read from Proxmox by the job); 202 with the server."""
    if action == "refresh":
        server = vps.refresh(rt, customer["id"], server_id)
    else:
        server = vps.request_power(rt, customer["id"], server_id, action)
    return 202, {"server": server_json(rt, server, customer["lang"]), "queued": action}


def reinstall(rt, customer, body, server_id):
    # Only JSON true confirms; anything else is "not confirmed", refused by the use case alike in both doors.
    confirmed = body_object(body).get("confirm") is True
    server = vps.reinstall(rt, customer["id"], server_id, confirmed)
    return 202, {"server": server_json(rt, server, customer["lang"]), "queued": "reinstall"}


def password(rt, customer, body, server_id):
    access = vps.password(rt, customer["id"], server_id)
    # A password must not linger in a browser's or a proxy's cache.
    return 200, {"ip": access["ip"], "user": access["user"], "password": access["password"]}, \
        {"Cache-Control": "no-store"}


def set_ssh_key(rt, customer, body):
    key = text_field(body_object(body), "ssh_key", SSH_KEY_LONGEST)
    return 200, {"ssh_key": vps.set_ssh_key(rt, customer["id"], key)}
