"""Proxmox VE: the token, the node, the template, the storage, and free addresses in the pool."""
TIMEOUT = 10


class Refused(Exception):
    """Proxmox could not be asked, or refused: the message is a plain reason (never the token)."""


def ask(what, func, **params):
    """Call one proxmoxer endpoint; Refused with a plain reason on any failure."""
    from proxmoxer.core import ResourceException
    try:
        return func(**params)
    except ResourceException as exc:
        raise Refused(f"{exc.status_code} {exc.content or exc.status_message}".strip()) from None
    except Exception as exc:
        name = type(exc).__name__
        if "SSL" in name or "SSL" in str(exc)[:300]:
            raise Refused("TLS certificate not accepted: set PROXMOX_VERIFY_SSL to the node's CA file "
                          "(/etc/pve/pve-root-ca.pem, copied here) or to false") from None
        raise Refused(f"no answer ({name})") from None


def check_api(px, settings) -> tuple:
    where = f"{settings.proxmox.host}:{settings.proxmox.port}"
    try:
        version = ask("version", px.api.version.get)
    except Refused as exc:
        if str(exc).startswith("401"):
            return False, (f"Proxmox at {where} refused the API token ({exc}): check PROXMOX_USER (user@realm), "
                           "PROXMOX_TOKEN_NAME and PROXMOX_TOKEN_VALUE (Datacenter → Permissions → API Tokens).")
        return False, f"Proxmox at {where} cannot be asked: {exc}. Check PROXMOX_HOST and PROXMOX_VERIFY_SSL."
    return True, f"Proxmox VE {version.get('version')} at {where} accepts the API token."


def check_node(px, settings) -> tuple:
    node = settings.proxmox.node
    try:
        status = ask("node status", px.api.nodes(node).status.get)
    except Refused as exc:
        try:
            names = ", ".join(n.get("node", "?") for n in ask("nodes", px.api.nodes.get)) or "none"
        except Refused:
            names = "unknown"
        return False, f"Node {node!r} (PROXMOX_NODE) does not answer ({exc}); the cluster's nodes are: {names}."
    memory = status.get("memory") or {}
    free = f", {memory['free'] / 2 ** 30:.0f} GiB memory free" if memory.get("free") else ""
    return True, f"Node {node} answers ({status.get('pveversion', 'pve')}{free})."


def check_template(px, settings) -> tuple:
    s = settings.proxmox
    try:
        config = ask("template config", px.api.nodes(s.node).qemu(s.template_vmid).config.get)
    except Refused as exc:
        if "does not exist" in str(exc):
            return False, (f"VM {s.template_vmid} (PROXMOX_TEMPLATE_VMID) does not exist on node {s.node}: create "
                           "the cloud-init template there or fix the id.")
        return False, f"The template {s.template_vmid} cannot be read: {exc}."
    name = config.get("name", "")
    if str(config.get("template", "0")) != "1":
        return False, (f"VM {s.template_vmid} ({name}) exists but is not a template: convert it with "
                       f"`qm template {s.template_vmid}` (clones of a normal VM fail or copy its state).")
    if s.disk not in config:
        return False, (f"Template {s.template_vmid} has no disk {s.disk} (PROXMOX_DISK), so new servers cannot be "
                       "grown to the plan's size: set PROXMOX_DISK to its boot disk (scsi0, virtio0, …).")
    if not any("cloudinit" in str(value) for value in config.values()):
        return False, (f"Template {s.template_vmid} has no cloud-init drive, so new servers would get no IP or "
                       f"password: add one (`qm set {s.template_vmid} --ide2 {s.storage}:cloudinit`).")
    return True, f"Template {s.template_vmid} ({name}) is a template with disk {s.disk} and a cloud-init drive."


def check_storage(px, settings) -> tuple:
    s = settings.proxmox
    try:
        storages = ask("storage", px.api.nodes(s.node).storage.get)
    except Refused as exc:
        return False, f"The storages of node {s.node} cannot be listed: {exc}."
    found = next((x for x in storages if x.get("storage") == s.storage), None)
    if found is None:
        names = ", ".join(x.get("storage", "?") for x in storages) or "none"
        return False, f"Storage {s.storage!r} (PROXMOX_STORAGE) is not on node {s.node}; its storages are: {names}."
    if "images" not in str(found.get("content", "")).split(","):
        return False, (f"Storage {s.storage} cannot hold VM disks (its content is {found.get('content')!r}): "
                       "allow 'Disk image' on it or choose another PROXMOX_STORAGE.")
    if str(found.get("active", 1)) != "1":
        return False, f"Storage {s.storage} is not active on node {s.node}: check it under Datacenter → Storage."
    avail = f", {int(found['avail']) / 2 ** 30:.0f} GiB free" if found.get("avail") else ""
    return True, f"Storage {s.storage} holds VM disks{avail}."


def check_pool(settings) -> tuple:
    from lib.doctor.stores import query
    pool = settings.proxmox.pool
    try:
        taken = {ip for (ip,) in query(settings, "SELECT live_ip FROM vps_servers WHERE live_ip IS NOT NULL")}
    except Exception as exc:
        if "vps_servers" in str(exc) or isinstance(exc, FileNotFoundError):
            taken = set()  # no schema yet: nobody holds an address
        else:
            return None, "Not checked: the database does not answer (see above)."
    free = sum(1 for address in pool if address.ip not in taken)
    used = len(pool) - free
    if free == 0:
        which = f"All {len(pool)} addresses" if len(pool) > 1 else "The only address"
        return False, (f"{which} of PROXMOX_IP_POOL {'are' if len(pool) > 1 else 'is'} in use: new VPS orders "
                       "will fail and be refunded. Add addresses to PROXMOX_IP_POOL.")
    return True, f"{free} of {len(pool)} addresses in PROXMOX_IP_POOL are free ({used} held by live servers)."


def checks(settings) -> list:
    from lib.doctor.checks import guarded, off_sentence
    if not settings.vps_enabled:
        return [("Proxmox", None, off_sentence(settings, "VPS sales"))]
    from lib.vps.proxmox import Proxmox
    try:
        px = Proxmox(settings.proxmox, timeout=TIMEOUT)
    except Exception as exc:  # proxmoxer checks some settings (like a missing CA file) up front
        return [("Proxmox API", False, f"The Proxmox client cannot start: {type(exc).__name__}: {str(exc)[:200]}.")]
    api = guarded("Proxmox API", check_api, px, settings)
    if api[1] is not True:
        skipped = [(name, None, "Not checked: the Proxmox API did not answer.")
                   for name in ("Proxmox node", "Proxmox template", "Proxmox storage")]
        return [api, *skipped, guarded("VPS address pool", check_pool, settings)]
    node = guarded("Proxmox node", check_node, px, settings)
    if node[1] is not True:
        return [api, node, ("Proxmox template", None, "Not checked: the node did not answer."),
                ("Proxmox storage", None, "Not checked: the node did not answer."),
                guarded("VPS address pool", check_pool, settings)]
    return [api, node, guarded("Proxmox template", check_template, px, settings),
            guarded("Proxmox storage", check_storage, px, settings),
            guarded("VPS address pool", check_pool, settings)]
