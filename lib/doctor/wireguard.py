"""The WireGuard host: the interface, IP forwarding, and NAT for WG_SUBNET.

Commands run where `wg` runs: the part of WG_COMMAND before its trailing `wg` (`ssh root@vpn1`,
`ip netns exec vpn`, `sudo`, or nothing) is put in front of sysctl, ip, iptables-save and nft.
"""
import os
import shlex
import subprocess

from lib.doctor.firewall import iptables_rule, nft_rule

TIMEOUT = 15


def host_prefix(wg_command) -> tuple | None:
    """What runs commands on the WireGuard host, or None when WG_COMMAND does not end in `wg`."""
    if wg_command and os.path.basename(wg_command[-1]) == "wg":
        return tuple(wg_command[:-1])
    return None


def on_host(prefix, *args) -> tuple:
    """(exit code, stdout, stderr) of a command on the WireGuard host; 127 when it is not there."""
    try:
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=TIMEOUT)
    except FileNotFoundError:
        return 127, "", f"{(prefix or args)[0]}: command not found"
    except subprocess.TimeoutExpired:
        return 124, "", f"no answer within {TIMEOUT} s"
    return done.returncode, done.stdout, done.stderr.strip()


def missing(rc: int, err: str) -> bool:
    """The command is not installed there (a local exec, a remote shell, or `ip netns exec` saying so)."""
    return rc == 127 or "command not found" in err or ("No such file or directory" in err and "exec" in err)


def _where(prefix) -> str:
    return f"through `{shlex.join(prefix)}`" if prefix else "on this machine"


def _address_problem(settings, prefix) -> str | None:
    """What is wrong with the interface's link state or address, when `ip` can tell."""
    iface, subnet = settings.wg_interface, settings.wg_subnet
    rc, out, _ = on_host(prefix, "ip", "-o", "addr", "show", "dev", iface)
    if rc != 0:
        return None  # `ip` cannot see it from here (wg reached it another way): nothing to judge
    server = f"{next(subnet.hosts())}/{subnet.prefixlen}"
    rc, link, _ = on_host(prefix, "ip", "-o", "link", "show", "dev", iface)
    flags = link.split("<", 1)[-1].split(">", 1)[0].split(",") if rc == 0 else []
    if rc == 0 and "UP" not in flags:
        return f"{iface} is down: bring it up with `ip link set {iface} up` (wg-quick does it for you)."
    if server not in out:
        return (f"{iface} does not hold {server}, the server address of WG_SUBNET: replies to clients have no route "
                f"back. Add it (`ip addr add {server} dev {iface}`, or Address = {server} in {iface}.conf).")
    return None


def _wg(settings, *args) -> tuple:
    """(exit code, stdout, stderr) of `WG_COMMAND show IFACE …` (never `dump`: it prints the private key)."""
    command = settings.wg_command
    try:
        done = subprocess.run([*command, "show", settings.wg_interface, *args], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    except FileNotFoundError:
        return 127, "", ""
    except subprocess.TimeoutExpired:
        return 124, "", ""
    return done.returncode, done.stdout.strip(), done.stderr.strip()


def check_interface(settings) -> tuple:
    iface, command = settings.wg_interface, shlex.join(settings.wg_command)
    rc, key, error = _wg(settings, "public-key")
    if rc == 127:
        return False, (f"WG_COMMAND cannot run: {settings.wg_command[0]!r} is not installed here. Install "
                       "wireguard-tools or set WG_COMMAND to reach the WireGuard host (like `ssh root@vpn1 wg`).")
    if rc == 124:
        return False, f"`{command} show {iface}` gave no answer within {TIMEOUT} s: is the WireGuard host reachable?"
    if rc != 0:
        if any(s in error for s in ("No such device", "No such file", "Unable to access interface")):
            return False, (f"The WireGuard interface {iface} does not exist on the WireGuard host: bring it up "
                           f"(`wg-quick up {iface}`) or fix WG_INTERFACE. wg says: {error[:200]}")
        if "Operation not permitted" in error or "Permission denied" in error:
            return False, f"wg may not read {iface}: it needs root (WG_COMMAND like `sudo wg` or `ssh root@vpn1 wg`)."
        return False, f"`{command} show {iface}` failed: {error[:200] or 'exit code ' + str(rc)}."
    if key in ("", "(none)"):
        return False, f"{iface} has no private key: set one (`wg set {iface} private-key /etc/wireguard/{iface}.key`)."
    port = _wg(settings, "listen-port")[1]
    if port in ("", "0", "off"):
        return False, f"{iface} does not listen on a UDP port: set ListenPort (`wg set {iface} listen-port 51820`)."
    problem = _address_problem(settings, host_prefix(settings.wg_command) or ())
    if problem:
        return False, problem
    peers = len(_wg(settings, "peers")[1].split())
    endpoint_port = settings.wg_endpoint.rsplit(":", 1)[-1]
    note = "" if endpoint_port == port else \
        f" (WG_ENDPOINT says port {endpoint_port}: make sure it is forwarded to {port})"
    return True, f"{iface} exists and listens on UDP {port}{note}, with {peers} peer{'s' if peers != 1 else ''}."


def check_forwarding(settings) -> tuple:
    prefix = host_prefix(settings.wg_command)
    if prefix is None:
        return None, ("Not checked: WG_COMMAND does not end in `wg`, so the doctor cannot tell how to reach the "
                      "WireGuard host.")
    v6 = settings.wg_subnet.version == 6
    key = "net.ipv6.conf.all.forwarding" if v6 else "net.ipv4.ip_forward"
    rc, out, err = on_host(prefix, "sysctl", "-n", key)
    if missing(rc, err):
        rc, out, err = on_host(prefix, "cat", "/proc/sys/" + key.replace(".", "/"))
    if rc != 0:
        return False, f"Could not read {key} {_where(prefix)}: {err[:200] or 'exit code ' + str(rc)}."
    if out.strip() != "1":
        return False, (f"IP forwarding is off on the WireGuard host: clients connect but no traffic passes. Turn it "
                       f"on with `sysctl -w {key}=1` and keep it on after a reboot with a line `{key}=1` in "
                       "/etc/sysctl.d/99-wireguard.conf.")
    return True, f"IP forwarding is on ({key} = 1)."


def check_nat(settings) -> tuple:
    prefix = host_prefix(settings.wg_command)
    if prefix is None:
        return None, "Not checked: WG_COMMAND does not end in `wg` (see above)."
    subnet, iface = settings.wg_subnet, settings.wg_interface
    save = "ip6tables-save" if subnet.version == 6 else "iptables-save"
    errors, read_any = [], False
    for args, find in (((save, "-t", "nat"), iptables_rule), (("nft", "list", "ruleset"), nft_rule)):
        rc, out, err = on_host(prefix, *args)
        if missing(rc, err):
            continue
        if rc != 0:
            errors.append(f"{args[0]}: {err[:150] or 'exit code ' + str(rc)}")
            continue
        read_any = True
        rule = find(out, subnet, iface)
        if rule:
            return True, f"NAT for {subnet} is there: {rule.strip()[:160]}"
    if not read_any:
        why = "; ".join(errors) or "neither iptables-save nor nft is installed there"
        return False, f"Could not read the firewall rules {_where(prefix)} ({why}); they need root."
    family = "ip6tables" if subnet.version == 6 else "iptables"
    return False, (f"No NAT masquerade rule for {subnet} on the WireGuard host: client traffic leaves but replies "
                   f"never return. Add one, e.g. `{family} -t nat -A POSTROUTING -s {subnet} -o eth0 -j MASQUERADE` "
                   f"(eth0 being the host's internet interface), and make it permanent (PostUp in {iface}.conf, or "
                   "your firewall's config).")


def checks(settings) -> list:
    from lib.doctor.checks import guarded, off_sentence
    if not settings.vpn_enabled:
        return [("WireGuard", None, off_sentence(settings, "VPN sales"))]
    interface = guarded("WireGuard interface", check_interface, settings)
    return [interface, guarded("IP forwarding", check_forwarding, settings), guarded("NAT", check_nat, settings)]
