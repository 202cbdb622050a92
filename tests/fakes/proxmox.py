"""FakeProxmox: the slice of the Proxmox VE API (/api2/json, HTTPS, API tokens) the shop uses.

Drive it with the real client (the certificate is made at start; verify with ca_path):
    ProxmoxAPI(fake.host, user=fake.user, token_name=fake.token_name,
               token_value=fake.token_value, verify_ssl=fake.ca_path, timeout=5)
Errors come back as pveproxy sends them: the message is the HTTP reason phrase (proxmoxer's
ResourceException.content), parameter errors (400 "Parameter verification failed.") also
carry {"errors": {param: text}} (ResourceException.errors). Booleans must be sent as 1/0:
requests encodes True as "True", which PVE refuses.

Seeded with template 9000 "debian-12-cloudinit" (scsi0 10G). Test controls, assertions and
fault injection (add_vm, set_status, set_lock, set_durations, fail_next, fail_task,
complete_tasks, lose_vm, vms, vm, tasks, task, calls, calls_to) live in pve_state and
pve_tasks; the endpoints in pve_read / pve_write / pve_power; the API's rules and messages
in pve_rules. `clock` (see clock.py) is business time: VM uptime and UPID start times; task
durations (clone_seconds, durations, shutdown_timeout_cap) are real seconds, because the
shop's worker really waits for a task.
"""
import json
import re

from flask import Response, request

from . import pve_rules as rules
from .http import FakeService
from .pve_power import PvePowerApi
from .pve_read import PveReadApi
from .pve_rules import PveError
from .pve_state import PveState
from .pve_write import PveWriteApi


class FakeProxmox(FakeService, PveState, PveReadApi, PveWriteApi, PvePowerApi):
    """One PVE node with API-token auth, qemu VMs, worker tasks and fault injection."""

    api_path = "/api2/json"

    def __init__(self, user="shop@pve", token_name="shop",
                 token_value="5e0a2c7e-3f41-4d8a-9b6c-1d2e3f4a5b6c", node="pve1",
                 template_vmid=9000, template_name="debian-12-cloudinit", template_disk="10G",
                 clone_seconds=0.2, durations=None, shutdown_works=True,
                 shutdown_timeout_cap=1.0, resize_returns_task=True,
                 start_running_http_error=False, version="8.2.4", clock=None):
        super().__init__(tls=True, clock=clock)
        self.user, self.token_name, self.token_value = user, token_name, token_value
        self.node = node
        self.version = version
        self._init_state(dict({"clone": clone_seconds}, **(durations or {})))
        # The guest reacts to ACPI: when False, shutdown/reboot tasks run into their timeout
        # (capped at shutdown_timeout_cap real seconds) and fail unless forceStop=1.
        self.shutdown_works = shutdown_works
        self.shutdown_timeout_cap = shutdown_timeout_cap
        # PVE >= 8.0 answers resize with a task UPID; 7.x resized synchronously (data null).
        self.resize_returns_task = resize_returns_task
        # Real PVE returns a UPID whose task fails "VM N already running"; True answers 500 instead.
        self.start_running_http_error = start_running_http_error
        if template_vmid:
            self.add_vm(template_vmid, template_name, template=True, disk=template_disk)
        self.app.add_url_rule("/api2/json/<path:path>", view_func=self._serve,
                              methods=["GET", "POST", "PUT", "DELETE"])
        n, q = r"/nodes/(?P<node>[^/]+)", r"/nodes/(?P<node>[^/]+)/qemu/(?P<vmid>[^/]+)"
        self._routes = [(m, re.compile(p + "$"), action, handler) for m, p, action, handler in (
            ("GET", "/version", "version", self._version),
            ("GET", "/cluster/nextid", "nextid", self._nextid),
            ("GET", "/cluster/resources", "resources", self._resources),
            ("GET", "/nodes", "nodes", self._nodes),
            ("GET", n + "/status", "node_status", self._node_status),
            ("GET", n + "/storage", "storage", self._storage),
            ("GET", n + "/qemu", "list", self._list),
            ("GET", n + "/tasks/(?P<upid>[^/]+)/status", "task_status", self._task_status),
            ("POST", q + "/clone", "clone", self._clone),
            ("GET", q + "/config", "get_config", self._get_config),
            ("PUT", q + "/config", "config", self._put_config),
            ("POST", q + "/config", "config", self._post_config),
            ("PUT", q + "/resize", "resize", self._resize),
            ("GET", q + "/status/current", "status", self._status),
            ("POST", q + "/status/(?P<op>start|shutdown|stop|reboot)", None, self._power),
            ("DELETE", q, "destroy", self._destroy))]

    @property
    def port(self):
        return int(self.url.rsplit(":", 1)[1])

    @property
    def host(self):
        """What ProxmoxAPI takes as host: "127.0.0.1:PORT"."""
        return "127.0.0.1:%d" % self.port

    # ---- HTTP layer ------------------------------------------------------------
    def _action_of(self, path):
        for method, pattern, action, _ in self._routes:
            match = pattern.match(path)
            if match and method == request.method:
                return action or match.group("op")
        return None

    def _serve(self, path):
        path = "/" + path
        params = dict(request.args.items())
        params.update(request.form.items())
        if self._park(self._action_of(path)):  # outside the lock: other requests go on meanwhile
            return self._answer(500, {"data": None}, "held request dropped")
        with self._lock:
            self.calls.append((request.method, path, dict(params)))
            try:
                self._authenticate()
                self._tick()
                for method, pattern, action, handler in self._routes:
                    match = pattern.match(path)
                    if match and method == request.method:
                        args = match.groupdict()
                        self._fault(action or args["op"])
                        if "node" in args:
                            self._check_node(args.pop("node"))
                        if "vmid" in args:
                            args["vmid"] = rules.vmid(args["vmid"])
                        return self._answer(200, {"data": handler(params, **args)}, "OK")
                raise PveError(501, "Method '%s %s' not implemented" % (request.method, path))
            except PveError as e:
                return self._answer(e.status, e.body(), e.status_line().split(" ", 1)[1])

    @staticmethod
    def _answer(status, body, reason):
        return Response(json.dumps(body), status="%d %s" % (status, reason),
                        content_type="application/json;charset=UTF-8")

    def _authenticate(self):
        header = request.headers.get("Authorization", "")
        match = re.fullmatch(r"PVEAPIToken=([^!]+)!([^=]+)=(.+)", header)
        if not match:
            raise PveError(401, "No ticket")
        user, token, secret = match.groups()
        if (user, token) != (self.user, self.token_name):
            raise PveError(401, "no such token '%s' for user '%s'" % (token, user))
        if secret != self.token_value:
            raise PveError(401, "invalid token value!")

    def _check_node(self, node):
        if node != self.node:
            raise PveError(500, "hostname lookup '%s' failed - failed to get address info for: "
                                "%s: Name or service not known" % (node, node))
