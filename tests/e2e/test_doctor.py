"""`python local_runner.py doctor` as an operator runs it: one line per check, in plain words, against
the fakes and a real WireGuard interface in a network namespace; exit 0 only when every part that is
on works."""
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg2
import requests

from tests.support import wgnet
from tests.support.fixtures import BOT_TOKEN, PG_ADMIN

ROOT = Path(__file__).resolve().parents[2]


def doctor(env, cwd):
    base = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"}
    done = subprocess.run([sys.executable, str(ROOT / "local_runner.py"), "doctor"], cwd=cwd, env={**base, **env},
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


def line(output, name):
    """(mark, sentence) of the check called `name`."""
    match = re.search(rf"^([✓✗–]) {re.escape(name)}\s{{2,}}(.+)$", output, re.M)
    assert match, f"no line for {name!r} in:\n{output}"
    return match.group(1), match.group(2)


def marks(output) -> dict:
    return {m.group(2).strip(): m.group(1) for m in re.finditer(r"^([✓✗–]) (.+?)\s{2,}", output, re.M)}


def register_webhook(fake_telegram, url="https://shop.example.test/telegram_webhook"):
    answer = requests.post(f"{fake_telegram.url}/bot{BOT_TOKEN}/setWebhook",
                           json={"url": url, "secret_token": "test-webhook-secret"}, timeout=5)
    assert answer.json()["ok"]


def in_lab(lab, *command):
    subprocess.run(["ip", "netns", "exec", lab.srv_ns, *command], check=True, capture_output=True, timeout=10)


def test_a_wireguard_host_without_forwarding_and_nat_is_named_then_passes_once_fixed(
        make_shop, lab, fake_proxmox, fake_telegram, tmp_path):
    # The prefix before `wg` is how the doctor reaches the WireGuard host, like `ssh root@vpn1 wg`.
    shop = make_shop(wg=lab, proxmox=fake_proxmox, WG_COMMAND=f"ip netns exec {lab.srv_ns} wg")
    register_webhook(fake_telegram)

    code, out = doctor(shop.env, tmp_path)
    assert code == 1, out
    mark, sentence = line(out, "IP forwarding")
    assert mark == "✗" and sentence.startswith(
        "IP forwarding is off on the WireGuard host: clients connect but no traffic passes. "
        "Turn it on with `sysctl -w net.ipv4.ip_forward=1`"), sentence
    mark, sentence = line(out, "NAT")
    assert mark == "✗" and f"No NAT masquerade rule for {lab.subnet} on the WireGuard host" in sentence
    assert "replies never return" in sentence and "-j MASQUERADE" in sentence
    assert {name for name, m in marks(out).items() if m != "✓"} == {"IP forwarding", "NAT"}, out
    assert f"listens on UDP {wgnet.PORT}" in line(out, "WireGuard interface")[1]
    assert "2 problems found" in out

    in_lab(lab, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")  # what `sysctl -w` does
    in_lab(lab, "nft", "add", "table", "ip", "nat")
    in_lab(lab, "nft", "add chain ip nat postrouting { type nat hook postrouting priority 100 ; }")
    in_lab(lab, "nft", f'add rule ip nat postrouting ip saddr {lab.subnet} oifname "{lab.prefix}a" masquerade')

    code, out = doctor(shop.env, tmp_path)
    assert code == 0, out
    assert set(marks(out).values()) == {"✓"}, out
    assert line(out, "IP forwarding")[1] == "IP forwarding is on (net.ipv4.ip_forward = 1)."
    assert f"NAT for {lab.subnet} is there" in line(out, "NAT")[1]
    assert "@fake_shop_bot" in line(out, "Telegram token")[1]
    assert line(out, "Telegram webhook")[1].startswith("The webhook is https://shop.example.test/telegram_webhook; "
                                                        "0 updates waiting")
    assert "https://shop.example.test/cryptobot_webhook" in line(out, "Crypto Pay")[1]
    assert "https://shop.example.test/yukassa_webhook" in line(out, "YooKassa")[1]
    assert "(current)" in line(out, "Database")[1]
    assert "Proxmox VE 8.2.4" in line(out, "Proxmox API")[1]
    assert "Template 9000 (debian-12-cloudinit) is a template" in line(out, "Proxmox template")[1]
    assert line(out, "VPS address pool")[1].startswith("3 of 3 addresses")
    assert "All required checks pass." in out

    # Without sysctl and nft on the host's PATH: forwarding is still read, the rules cannot be.
    bare = dict(shop.env, PATH="/usr/local/bin:/usr/bin:/bin", WG_COMMAND=f"/usr/sbin/ip netns exec {lab.srv_ns} wg")
    code, out = doctor(bare, tmp_path)
    assert line(out, "IP forwarding")[0] == "✓"
    assert line(out, "NAT")[1].startswith(f"Could not read the firewall rules through `/usr/sbin/ip netns exec "
                                          f"{lab.srv_ns}` (neither iptables-save nor nft is installed there)")

    # The interface loses its address: replies to clients have no route back.
    in_lab(lab, "ip", "addr", "flush", "dev", lab.interface)
    code, out = doctor(shop.env, tmp_path)
    assert code == 1
    assert line(out, "WireGuard interface") == ("✗", f"{lab.interface} does not hold {lab.server_address}/24, the "
                                                     "server address of WG_SUBNET: replies to clients have no route "
                                                     f"back. Add it (`ip addr add {lab.server_address}/24 dev "
                                                     f"{lab.interface}`, or Address = {lab.server_address}/24 in "
                                                     f"{lab.interface}.conf).")


def test_wrong_credentials_are_named_without_showing_them(make_shop, fake_proxmox, tmp_path):
    shop = make_shop(proxmox=fake_proxmox, WG_ENDPOINT="", BOT_TOKEN="123456:WRONG-token-for-the-doctor-test",
                     CRYPTOBOT_TOKEN="4321:AAwrongCryptoPayToken", YOOKASSA_SECRET_KEY="test_wrong_secret_key",
                     PROXMOX_TOKEN_VALUE="00000000-dead-beef-0000-000000000000")
    code, out = doctor(shop.env, tmp_path)
    assert code == 1, out
    assert line(out, "Telegram token") == ("✗", "Telegram does not know BOT_TOKEN (401 Unauthorized): copy the token "
                                                "again from @BotFather (/mybots → API Token).")
    assert line(out, "Telegram webhook") == ("–", "Not checked: Telegram did not accept the token.")
    assert line(out, "Crypto Pay")[0] == "✗" and "refused CRYPTOBOT_TOKEN (UNAUTHORIZED) on mainnet" in out
    assert line(out, "YooKassa")[0] == "✗" and "YooKassa refused shop 501234 with this secret key (401)" in out
    mark, sentence = line(out, "Proxmox API")
    assert mark == "✗" and "refused the API token (401 invalid token value!)" in sentence
    assert line(out, "Proxmox template")[0] == "–"
    assert line(out, "WireGuard") == ("–", "Off (set WG_ENDPOINT (and WG_INTERFACE/WG_COMMAND for the server) to "
                                           "turn it on).")
    for secret in ("WRONG-token", "AAwrongCryptoPayToken", "test_wrong_secret_key", "dead-beef"):
        assert secret not in out


def test_proxmox_problems_say_what_to_change(make_shop, fake_proxmox, tmp_path):
    fake_proxmox.add_vm(9001, "plain-vm", template=False)
    shop = make_shop(proxmox=fake_proxmox, pool="203.0.113.10", WG_ENDPOINT="",
                     PROXMOX_TEMPLATE_VMID="9001", PROXMOX_STORAGE="nvme-pool")
    hold_the_only_address("203.0.113.10")
    code, out = doctor(shop.env, tmp_path)
    assert code == 1, out
    assert line(out, "Proxmox API")[0] == "✓" and line(out, "Proxmox node")[0] == "✓"
    assert line(out, "Proxmox template") == ("✗", "VM 9001 (plain-vm) exists but is not a template: convert it with "
                                                  "`qm template 9001` (clones of a normal VM fail or copy its state).")
    assert line(out, "Proxmox storage") == ("✗", "Storage 'nvme-pool' (PROXMOX_STORAGE) is not on node pve1; its "
                                                 "storages are: local, local-lvm.")
    assert line(out, "VPS address pool") == ("✗", "The only address of PROXMOX_IP_POOL is in use: new VPS orders "
                                                  "will fail and be refunded. Add addresses to PROXMOX_IP_POOL.")

    shop = make_shop(proxmox=fake_proxmox, WG_ENDPOINT="", PROXMOX_NODE="pve9", PROXMOX_TEMPLATE_VMID="9404")
    code, out = doctor(shop.env, tmp_path)
    assert line(out, "Proxmox node")[1].startswith("Node 'pve9' (PROXMOX_NODE) does not answer")
    assert line(out, "Proxmox node")[1].endswith("the cluster's nodes are: pve1.")
    assert line(out, "Proxmox template") == ("–", "Not checked: the node did not answer.")


def hold_the_only_address(ip):
    from lib.models import User, VpsServer
    from lib.models.database import transaction
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with transaction():
        user = User(id=777001, first_name="Ann", created_at=now)
        VpsServer(user=user, plan_id="vps-start", node="pve1", name="shop-vps-1", ip=ip, prefix=32, live_ip=ip,
                  status="running", expires_at=now + timedelta(days=30), created_at=now)


def test_a_wireguard_interface_that_is_not_there_is_named(make_shop, tmp_path):
    shop = make_shop(WG_COMMAND="wg", WG_INTERFACE="wgnothere9")
    code, out = doctor(shop.env, tmp_path)
    assert code == 1
    mark, sentence = line(out, "WireGuard interface")
    assert mark == "✗" and sentence.startswith("The WireGuard interface wgnothere9 does not exist on the WireGuard "
                                               "host: bring it up (`wg-quick up wgnothere9`) or fix WG_INTERFACE.")


def test_with_nothing_configured_every_part_says_how_to_turn_it_on(tmp_path):
    code, out = doctor({}, tmp_path)
    assert code == 0, out
    assert line(out, "Telegram") == ("–", "Off (set BOT_TOKEN to turn it on).")
    assert line(out, "Crypto Pay") == ("–", "Off (set CRYPTOBOT_TOKEN to turn it on).")
    assert line(out, "YooKassa") == ("–", "Off (set YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY to turn it on).")
    assert line(out, "Proxmox")[1].startswith("Off (set PROXMOX_HOST")
    assert line(out, "Redis")[0] == "✓" and "in-process Redis" in line(out, "Redis")[1]
    assert line(out, "Database")[1].startswith(f"SQLite file {tmp_path / 'data' / 'shop.db'} does not exist yet")

    # Once the local runner has made its SQLite file, the doctor reads its schema version.
    made = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); from lib.models.database import "
                           "bind_database; bind_database(sys.argv[2])", str(ROOT),
                           f"sqlite:///{tmp_path / 'data' / 'shop.db'}"], capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    code, out = doctor({}, tmp_path)
    assert code == 0 and line(out, "Database")[1].startswith(f"SQLite file {tmp_path / 'data' / 'shop.db'} answers")
    assert "(current)" in line(out, "Database")[1]


def test_unreachable_database_and_redis_fail_in_plain_words(tmp_path):
    code, out = doctor({"DATABASE_URL": "postgresql://shop:secret-pw@127.0.0.1:1/shop",
                        "REDIS_URL": "redis://:secret-pw@127.0.0.1:1/0"}, tmp_path)
    assert code == 1
    assert line(out, "Database")[1].startswith("PostgreSQL at 127.0.0.1:1/shop does not answer (")
    assert line(out, "Redis")[1] == ("Redis at 127.0.0.1:1/0 does not answer (ConnectionError): check REDIS_URL and "
                                     "that Redis runs.")
    assert "secret-pw" not in out


def test_the_doctor_reads_but_never_migrates_the_database(tmp_path):
    name = f"shop_doctor_{tmp_path.name[-8:].replace('-', '_')}"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        code, out = doctor({"DATABASE_URL": url}, tmp_path)
        assert code == 0, out
        assert "the schema is not created yet: the first start of web or worker creates it." in out
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            assert cur.fetchone() == (0,)
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_a_bad_setting_is_one_plain_line_and_exit_1(tmp_path):
    code, out = doctor({"PROXMOX_HOST": "https://pve.example.test:8006"}, tmp_path)
    assert code == 1
    assert out.strip().splitlines()[-1] == "✗ Configuration  PROXMOX_USER is required when PROXMOX_HOST is set."

