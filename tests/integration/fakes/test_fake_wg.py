"""FakeWireGuard keeps `wg`'s grammar, messages and the kernel's peer rules, driven by the shop's own
WireGuardServer and WireGuardBackend; argument errors are checked against the real `wg` binary."""
import shutil
import subprocess
import threading

import pytest

from lib.vpn.backend import BackendError, KeyOnServer, PeerSecrets
from lib.vpn.locations import Location, backend_for
from lib.vpn.wireguard.cli import WireGuardError, WireGuardServer
from lib.vpn.wireguard.keys import generate_peer_keys
from tests.fakes.wg import UNREACHABLE, FakeWireGuard
from tests.support import wgnet
from tests.support.wgnet import Peer


@pytest.fixture
def fake(tmp_path):
    with FakeWireGuard(tmp_path, subnet="10.8.0.0/24") as wg:
        yield wg


@pytest.fixture
def server(fake):
    return WireGuardServer((fake.wg_command,), fake.interface, timeout=10)


def run(command, *args, stdin=None):
    done = subprocess.run([command, *args], input=stdin, capture_output=True, text=True, timeout=10)
    return done.returncode, done.stdout, done.stderr


def test_it_looks_like_a_lab(fake):
    assert fake.server_address == "10.8.0.1" and str(fake.subnet) == "10.8.0.0/24"
    assert fake.wg("show", fake.interface, "public-key") == fake.server_public_key
    assert fake.wg("show", fake.interface, "listen-port") == fake.endpoint.rsplit(":", 1)[1]
    assert fake.peers() == []


def test_a_peer_the_shop_adds_reads_back_and_adding_again_changes_nothing(fake, server):
    keys = generate_peer_keys()
    assert server.public_key() == fake.server_public_key
    server.add_peer(keys.public_key, keys.preshared_key, "10.8.0.5")
    expected = [Peer(keys.public_key, keys.preshared_key, None, ["10.8.0.5/32"], 0, 0, 0, None)]
    assert fake.peers() == expected
    server.add_peer(keys.public_key, keys.preshared_key, "10.8.0.5")
    assert fake.peers() == expected
    assert server.peers() == {keys.public_key: KeyOnServer(keys.public_key, None, ("10.8.0.5/32",), 0, 0, 0)}
    # The preshared key travels on stdin, never in the arguments.
    sets = [c for c in fake.calls() if c[0] == "set"]
    assert sets[-1] == ["set", fake.interface, "peer", keys.public_key, "preshared-key", "/dev/stdin",
                        "allowed-ips", "10.8.0.5/32"]


def test_remove_and_remove_again(fake, server):
    a, b = generate_peer_keys(), generate_peer_keys()
    server.add_peer(a.public_key, a.preshared_key, "10.8.0.5")
    server.add_peer(b.public_key, b.preshared_key, "10.8.0.6")
    server.remove_peer(a.public_key)
    assert [p.public_key for p in fake.peers()] == [b.public_key]
    server.remove_peer(a.public_key)  # absent: wg succeeds silently
    assert [p.public_key for p in fake.peers()] == [b.public_key]
    assert [c[0] for c in fake.calls()].count("set") == 4


def test_an_allowed_ip_moves_to_the_peer_given_it_last(fake, server):
    a, b, stranger = generate_peer_keys(), generate_peer_keys(), generate_peer_keys().public_key
    server.add_peer(a.public_key, a.preshared_key, "10.8.0.5")
    server.add_peer(b.public_key, b.preshared_key, "10.8.0.5")
    assert {p.public_key: p.allowed_ips for p in fake.peers()} == {a.public_key: [], b.public_key: ["10.8.0.5/32"]}
    fake.add_stranger(stranger, ["10.8.0.5/32", "10.8.0.99/32"])
    assert [(p.public_key, p.allowed_ips) for p in fake.peers()] == [
        (a.public_key, []), (b.public_key, []), (stranger, ["10.8.0.5/32", "10.8.0.99/32"])]


def test_several_peers_in_one_set_as_the_kernel_applies_them(fake):
    a, b = generate_peer_keys().public_key, generate_peer_keys().public_key
    fake.wg("set", fake.interface, "peer", a, "allowed-ips", "10.8.0.7/24, 10.8.0.9,fd00::1/64",
            "peer", b, "allowed-ips", "10.8.0.9/32", "persistent-keepalive", "25", "endpoint", "192.0.2.7:51820")
    fake.wg("set", fake.interface, "peer", fake.server_public_key, "allowed-ips", "10.8.0.50")  # own key: ignored
    assert fake.peers() == [Peer(a, None, None, ["10.8.0.0/24", "fd00::/64"], 0, 0, 0, None),
                            Peer(b, None, "192.0.2.7:51820", ["10.8.0.9/32"], 0, 0, 0, 25)]
    fake.wg("set", fake.interface, "peer", b, "preshared-key", "/dev/null", "persistent-keepalive", "off")
    assert fake.peers()[1].keepalive is None and fake.peers()[1].preshared_key is None


def test_a_bad_key_is_refused_with_wgs_message(fake, server):
    psk = generate_peer_keys().preshared_key
    with pytest.raises(WireGuardError, match="Key is not the correct length or format: `not-a-key'"):
        server.add_peer("not-a-key", psk, "10.8.0.5")
    with pytest.raises(WireGuardError, match="Invalid length key in key file"):
        server.add_peer(generate_peer_keys().public_key, "short", "10.8.0.5")
    assert fake.peers() == []


def test_an_unknown_interface_fails_as_wg_does(fake):
    assert run(fake.wg_command, "show", "wgnothere9", "dump") == (1, "", "Unable to access interface: No such device\n")
    key = generate_peer_keys().public_key
    assert run(fake.wg_command, "set", "wgnothere9", "peer", key) == (1, "", "Unable to modify interface: "
                                                                            "No such device\n")
    with pytest.raises(WireGuardError, match="No such device"):
        WireGuardServer((fake.wg_command,), "wgnothere9").public_key()


def test_an_unreachable_host_reaches_the_shop_as_a_backend_error(fake):
    location = Location(id="default", protocol="wireguard", interface=fake.interface, command=(fake.wg_command,),
                        endpoint=fake.endpoint, subnet=fake.subnet, dns="1.1.1.1")
    backend, keys = backend_for(location, timeout=10), generate_peer_keys()
    peer = PeerSecrets(1, keys.public_key, keys.private_key, keys.preshared_key, "10.8.0.5", fake.server_public_key)
    fake.go_down()
    assert run(fake.wg_command, "show", fake.interface, "dump") == (255, "", UNREACHABLE + "\n")
    with pytest.raises(BackendError, match="Connection refused"):
        backend.add_key(peer)
    with pytest.raises(BackendError, match="ssh: connect to host vpn1 port 22"):
        backend.keys()
    fake.come_back()
    backend.add_key(peer)
    live = backend.keys()[keys.public_key]
    assert backend.drift("10.8.0.5", live) is None and backend.server_identity() == fake.server_public_key
    assert [c[0] for c in fake.calls()].count("set") == 2  # the failed attempt was a call too
    backend.remove_key(keys.public_key)
    assert backend.keys() == {}


def test_a_restart_keeps_the_key_and_drops_every_peer(fake, server, tmp_path):
    keys, other = generate_peer_keys(), generate_peer_keys()
    server.add_peer(keys.public_key, keys.preshared_key, "10.8.0.5")
    (tmp_path / "other.key").write_text(other.private_key + "\n")
    fake.wg("set", fake.interface, "private-key", str(tmp_path / "other.key"), "listen-port", "51999")
    assert server.public_key() == other.public_key
    fake.restart_server_empty()
    assert fake.peers() == [] and server.public_key() == fake.server_public_key
    assert fake.wg("show", fake.interface, "listen-port") == "51820"


def test_traffic_shows_in_the_dump(fake, server):
    keys = generate_peer_keys()
    server.add_peer(keys.public_key, keys.preshared_key, "10.8.0.5")
    fake.set_traffic(keys.public_key, latest_handshake=1_700_000_000, rx=1234, tx=5678, endpoint="198.51.100.7:40000")
    assert server.peers()[keys.public_key] == KeyOnServer(keys.public_key, "198.51.100.7:40000", ("10.8.0.5/32",),
                                                          1_700_000_000, 1234, 5678)
    assert fake.wg("show", fake.interface, "transfer") == f"{keys.public_key}\t1234\t5678"


def test_concurrent_sets_lose_no_peer(fake, server):
    peers = [(generate_peer_keys(), f"10.8.0.{n}") for n in range(2, 22)]
    threads = [threading.Thread(target=server.add_peer, args=(k.public_key, k.preshared_key, ip)) for k, ip in peers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    live = {p.public_key: (p.preshared_key, p.allowed_ips) for p in fake.peers()}
    assert live == {k.public_key: (k.preshared_key, [f"{ip}/32"]) for k, ip in peers}


def test_the_command_runs_from_anywhere(fake):
    done = subprocess.run([fake.wg_command, "show", fake.interface, "public-key"], capture_output=True, text=True,
                          cwd="/", env={"PATH": "/usr/bin:/bin"}, timeout=10)
    assert (done.returncode, done.stdout.strip()) == (0, fake.server_public_key)


KEY = "dF8FGaW5d73+XCkGVgAYkBmVw56jSUcj56/KwhYpLlg="
ARGUMENT_ERRORS = [  # (args, stdin): wg rejects them before it opens the interface
    (["set", "IF", "peer", "AAAA"], None), (["set", "IF", "peer", KEY[:43] + "A"], None),
    (["set", "IF", "peer", KEY[:42] + "h="], None), (["set", "IF", "peer"], None), (["set", "IF", "remove"], None),
    (["set", "IF", "peer", KEY, "allowed-ips", "10.8.0.5/33"], None),
    (["set", "IF", "peer", KEY, "allowed-ips", "10.08.0.5"], None),
    (["set", "IF", "peer", KEY, "allowed-ips", "10.8.0.5,"], None),
    (["set", "IF", "peer", KEY, "allowed-ips"], None),
    (["set", "IF", "peer", KEY, "preshared-key", "/nonexistent/psk"], None),
    (["set", "IF", "peer", KEY, "preshared-key", "/dev/stdin"], "short\n"),
    (["set", "IF", "peer", KEY, "preshared-key", "/dev/stdin"], KEY + "x\n"),
    (["set", "IF", "peer", KEY, "persistent-keepalive", "65536"], None),
    (["set", "IF", "peer", KEY, "endpoint", "192.0.2.1"], None),
    (["set", "IF", "peer", KEY, "endpoint", "[::1"], None),
    (["set", "IF", "peer", KEY, "listen-port", "51820"], None),
    (["set", "IF", "fwmark", "0xg"], None), (["set", "IF", "listen-port", "abc"], None),
    (["set", "IF", "bogus"], None), (["set", "IF"], None), (["set"], None),
    (["show", "IF", "dump", "extra"], None), (["show", "--help"], None), (["show", "interfaces", "x"], None),
    (["bogus"], None), (["--help"], None),
]


@pytest.mark.skipif(not shutil.which("wg"), reason="needs the real wg binary to compare with")
@pytest.mark.parametrize("args,stdin", ARGUMENT_ERRORS, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_argument_errors_match_the_real_wg(fake, args, stdin):
    args = [fake.interface if a == "IF" else a for a in args]
    rc, out, err = run(fake.wg_command, *args, stdin=stdin)
    as_wg = lambda text: text.replace(fake.wg_command, "wg")  # wg prints argv[0] in its usage lines
    assert (rc, as_wg(out), as_wg(err)) == run("wg", *args, stdin=stdin)
    assert fake.peers() == []


def test_it_matches_a_real_interface(fake):
    """The same `set`s on a wireguard-go lab give the same peers (wireguard-go lists them in map order)."""
    if not wgnet.available()[0]:
        pytest.skip(wgnet.available()[1])
    a, b, c = (generate_peer_keys() for _ in range(3))
    steps = [["peer", a.public_key, "preshared-key", "/dev/stdin", "allowed-ips", "10.8.0.5/32,10.8.0.6"],
             ["peer", b.public_key, "allowed-ips", "10.8.0.6/32,10.8.0.7/24", "peer", c.public_key, "remove"],
             ["peer", c.public_key, "allowed-ips", "10.8.0.5", "persistent-keepalive", "25"],
             ["peer", a.public_key, "remove", "peer", b.public_key, "preshared-key", "/dev/null"]]
    with wgnet.WireGuardLab() as lab:
        for step in steps:
            for wg in (lab, fake):
                wg.wg("set", wg.interface, *step, input=a.preshared_key + "\n")
        assert sorted(fake.peers(), key=repr) == sorted(lab.peers(), key=repr)
