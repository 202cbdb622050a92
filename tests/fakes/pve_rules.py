"""Proxmox VE API rules for FakeProxmox: errors, parameter checks, disk sizes, UPIDs.

Messages follow pve-common (PVE::JSONSchema) and qemu-server (PVE::API2::Qemu).
"""
import re
import urllib.parse

PARAM_FAILED = "Parameter verification failed."


class PveError(Exception):
    """An API error as pveproxy sends it.

    The message is the HTTP reason phrase (proxmoxer's ResourceException.content);
    the JSON body is {"data": null, "message": "...\\n"} plus "errors" ({param: text},
    proxmoxer's ResourceException.errors) for parameter errors.
    """

    def __init__(self, status, message, errors=None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors

    def body(self):
        body = {"data": None, "message": self.message.rstrip("\n") + "\n"}
        if self.errors:
            body["errors"] = self.errors
        return body

    def status_line(self):
        # The reason phrase is one latin-1 line.
        reason = " ".join(self.message.split()) or "error"
        return "%d %s" % (self.status, reason.encode("latin-1", "replace").decode("latin-1"))


def param_error(**errors):
    return PveError(400, PARAM_FAILED, errors)


def not_locked(vm):
    if vm["lock"]:
        raise PveError(500, "VM %d is locked (%s)" % (vm["vmid"], vm["lock"]))


# ---- JSON schema types (only '1'/'0' are booleans over form encoding) ----------
def boolean(params, name):
    value = params.get(name)
    if value is None:
        return None
    if value not in ("0", "1"):
        raise param_error(**{name: "type check ('boolean') failed - got '%s'" % value})
    return value == "1"


def integer(params, name, minimum=None, maximum=None, required=False):
    value = params.get(name)
    if value is None:
        if required:
            raise param_error(**{name: "property is missing and it is not optional"})
        return None
    if not re.fullmatch(r"[+-]?\d+", value):
        raise param_error(**{name: "type check ('integer') failed - got '%s'" % value})
    number = int(value)
    if minimum is not None and number < minimum:
        raise param_error(**{name: "value must have a minimum value of %s" % minimum})
    if maximum is not None and number > maximum:
        raise param_error(**{name: "value must have a maximum value of %s" % maximum})
    return number


def vmid(value, name="vmid"):
    return integer({name: value}, name, minimum=100, maximum=999999999, required=True)


def unknown_params(params, allowed):
    bad = {k: "property is not defined in schema and the schema does not allow additional "
              "properties" for k in params if k not in allowed and not _pattern_key(k, allowed)}
    if bad:
        raise param_error(**bad)


def _pattern_key(key, allowed):
    # allowed may hold patterns such as "net\d+"
    return any(a.startswith("re:") and re.fullmatch(a[3:], key) for a in allowed)


DNS_NAME = re.compile(r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?)"
                      r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?)*")
TAG = re.compile(r"[a-z0-9_][a-z0-9_\-+.]*", re.I)
URLENCODED = re.compile(r"[-%a-zA-Z0-9_.!~*'()]*")
SIZE = re.compile(r"(\+)?(\d+(?:\.\d+)?)([KMGT])?")
UNITS = {None: 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}
SSH_KEY = re.compile(r"(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp(?:256|384|521)|"
                     r"sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)\s+[A-Za-z0-9+/]+={0,3}"
                     r"(?:\s.*)?")


def dns_name(params, name):
    value = params.get(name)
    if value is not None and not DNS_NAME.fullmatch(value):
        raise param_error(**{name: "invalid format - value does not look like a valid DNS name\n"})
    return value


def tags(params):
    value = params.get("tags")
    if value is None:
        return None
    for tag in filter(None, re.split(r"[;, ]+", value)):
        if not TAG.fullmatch(tag):
            raise param_error(tags="invalid format - invalid tag '%s'\n" % tag)
    return ";".join(filter(None, re.split(r"[;, ]+", value)))


def sshkeys(params):
    """The value (already form-decoded once) must itself be percent-encoded; returns it decoded."""
    value = params.get("sshkeys")
    if value is None:
        return None
    if not URLENCODED.fullmatch(value):
        raise param_error(sshkeys="invalid format - invalid urlencoded string: %s\n" % value)
    keys = urllib.parse.unquote(value)
    for line in keys.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and not SSH_KEY.fullmatch(line):
            raise PveError(500, "SSH public key validation error")
    return keys


def encode_sshkeys(keys):
    """As stored in the VM config (URI::Escape::uri_escape)."""
    return urllib.parse.quote(keys, safe="")


def ipconfig(params, name):
    value = params.get(name)
    if value is None:
        return None
    for part in value.split(","):
        key, _, val = part.partition("=")
        if key not in ("ip", "gw", "ip6", "gw6") or not val:
            raise param_error(**{name: "invalid format - invalid key in comma-separated list "
                                       "property: %s\n" % key})
        if key == "ip" and val != "dhcp" and not re.fullmatch(r"\d+\.\d+\.\d+\.\d+/\d+", val):
            raise param_error(**{name: "invalid format - value does not look like a valid "
                                       "ipv4 network configuration\n"})
    return value


# ---- disks -----------------------------------------------------------------------
def parse_size(text):
    match = SIZE.fullmatch(text)
    if not match:
        raise param_error(size="value does not match the regex pattern")
    plus, number, unit = match.groups()
    return plus == "+", int(float(number) * UNITS[unit])


def format_size(size):
    """PVE::JSONSchema::format_size: the largest unit the size is a whole number of."""
    for unit, factor in (("T", 1024 ** 4), ("G", 1024 ** 3), ("M", 1024 ** 2), ("K", 1024)):
        if size % factor == 0:
            return "%d%s" % (size // factor, unit)
    return str(size)


def drive_size(drive):
    for part in drive.split(",")[1:]:
        if part.startswith("size="):
            return parse_size(part[5:])[1]
    return 0


def with_size(drive, size):
    parts = [p for p in drive.split(",") if not p.startswith("size=")]
    return ",".join(parts[:1] + parts[1:] + ["size=" + format_size(size)])


DISK_KEY = re.compile(r"(?:scsi(?:[12]?\d|30)|virtio(?:1[0-5]|\d)|sata[0-5]|ide[0-3]"
                      r"|efidisk0|tpmstate0)")


# ---- tasks -----------------------------------------------------------------------
UPID = re.compile(r"UPID:([a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?):([0-9A-F]{8}):([0-9A-F]{8,9}):"
                  r"([0-9A-F]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):", re.I)


def encode_upid(node, pid, pstart, starttime, kind, task_id, user):
    return "UPID:%s:%08X:%08X:%08X:%s:%s:%s:" % (node, pid, pstart, starttime, kind, task_id, user)
