"""The shop's data at scale, seeded with COPY, and the subscriptions made due for phase (c)."""
import io
import ipaddress
import json
import random
from datetime import datetime, timedelta

from .common import MIX, U0, utcnow


def copy(cur, table, columns, rows):
    """COPY rows (tuples; None -> NULL) into table; returns the count."""
    buf, n = io.StringIO(), 0
    for n, row in enumerate(rows, 1):
        buf.write("\t".join("\\N" if v is None else v.isoformat(sep=" ") if isinstance(v, datetime) else str(v)
                            for v in row) + "\n")
    buf.seek(0)
    cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buf)
    return n


def seed(conn, args, settings, t0):
    """Everything in the module docstring; every due time is after t0 + 1 h. Returns row counts."""
    from lib.models.subscriptions import next_reminder_at
    rnd, year, enc, cur = random.Random(args.seed), 365 * 86400, "v1:" + "A" * 120, conn.cursor()
    n_vps = int(args.subscriptions * args.vps_share)
    n_vpn, x_vps = args.subscriptions - n_vps, int(args.expired * args.vps_share)
    x_vpn, subnet, vps_net = args.expired - x_vps, settings.wg_subnet, ipaddress.ip_network("100.64.0.0/10")
    if max(n_vpn, x_vpn) + 2 > subnet.num_addresses or max(n_vps, x_vps) + 2 > vps_net.num_addresses:
        raise SystemExit("bench: too many subscriptions for the address ranges")

    def live():  # expiry in the next 365 days, and the next reminder as the shop computes it
        expires = t0 + timedelta(seconds=rnd.randint(3600, year))
        return expires, next_reminder_at(expires, settings.reminder_offsets, t0 + timedelta(hours=1)), \
            expires - timedelta(days=30)

    def ended():  # ended within the last year: status changed, address released, no reminder
        expires = t0 - timedelta(seconds=rnd.randint(3600, year))
        return expires, None, expires - timedelta(days=30)

    counts = {"users": copy(cur, "users", "id, username, first_name, language, balance, banned, created_at",
                            ((U0 + i, f"user{i}", "Bench", "ru", "0.00", "f", t0 - timedelta(days=400))
                             for i in range(args.subscriptions)))}
    addr = [str(subnet.network_address + 2 + i) for i in range(max(n_vpn, x_vpn))]
    peers = [(i + 1, U0 + i, addr[i], addr[i], f"{i:043d}=", "active", *live()) for i in range(n_vpn)]
    peers += [(n_vpn + i + 1, U0 + i % args.subscriptions, addr[i], None, f"x{i:042d}=", "expired", *ended())
              for i in range(x_vpn)]
    counts["vpn_peers"] = copy(cur, "vpn_peers", "id, \"user\", address, live_address, public_key, status, "
                               "expires_at, remind_at, created_at, plan_id, interface, private_key_enc, "
                               "preshared_key_enc, server_public_key",
                               (p + ("vpn-1m", "wg0", enc, enc, "S" * 43 + "=") for p in peers))
    ips = [str(vps_net.network_address + 2 + i) for i in range(max(n_vps, x_vps))]
    vms = [(i + 1, U0 + n_vpn + i, f"vps-{i}", 100_000 + i, ips[i], ips[i], "running", *live()) for i in range(n_vps)]
    vms += [(n_vps + i + 1, U0 + n_vpn + i % n_vps, f"vps-old-{i}", None, ips[i], None, "deleted", *ended())
            for i in range(x_vps)]
    counts["vps_servers"] = copy(cur, "vps_servers", "id, \"user\", name, vmid, ip, live_ip, status, expires_at, "
                                 "remind_at, created_at, plan_id, node, prefix, password_enc",
                                 (v + ("vps-start", "pve1", 10, enc) for v in vms))

    def order(i):  # the first order of each subscription created it, the others renewed it
        sub, first = i % args.subscriptions, i < args.subscriptions
        vpn, ref = sub < n_vpn, (sub + 1 if sub < n_vpn else sub - n_vpn + 1)
        created = t0 - timedelta(seconds=rnd.randint(3 * 3600, year))
        links = [ref if (vpn, first) == want else None for want in ((1, 1), (1, 0), (0, 1), (0, 0))]
        return (i + 1, U0 + sub, "vpn" if vpn else "vps", "vpn-1m" if vpn else "vps-start", "cryptobot",
                "199.00" if vpn else "400.00", "fulfilled", f"inv{i}", *links, 1, created,
                created + timedelta(minutes=1), created + timedelta(minutes=2))
    counts["orders"] = copy(cur, "orders", "id, \"user\", product, plan_id, provider, amount, status, provider_ref, "
                            "peer, renew_peer, server, renew_server, attempts, created_at, paid_at, fulfilled_at",
                            (order(i) for i in range(args.orders)))
    day = t0 - timedelta(days=1)
    counts["payments"] = copy(cur, "payments", "provider, provider_payment_id, \"user\", \"order\", amount, "
                              "paid_amount, paid_currency, created_at",
                              (("cryptobot", f"p{i}", U0 + i % args.subscriptions, i + 1, "199.00", "199.00", "RUB",
                                day) for i in range(args.orders)))
    counts["ledger"] = copy(cur, "ledger", "\"user\", amount, kind, ref, comment, created_at",
                            ((U0 + i // 2 % args.subscriptions, "-199.00" if i % 2 else "199.00",
                              "purchase" if i % 2 else "payment", f"order:{i // 2 + 1}" if i % 2 else f"cp:p{i // 2}",
                              "", day) for i in range(2 * args.orders)))
    counts["events"] = copy(cur, "events", "id, name, occurred_at, data, delivered_at, attempts, next_attempt_at",
                            ((f"00000000-0000-4000-8000-{i:012d}", "order.fulfilled", day,
                              json.dumps({"order_id": i + 1}), day, 1, day) for i in range(args.events)))
    counts["processed_updates"] = copy(cur, "processed_updates", "source, key, seen_at", (
        ("telegram", str(9 * 10**8 + i), t0 - timedelta(seconds=rnd.randint(0, 3 * 86400 - 3600)))
        for i in range(args.updates)))
    counts["reminders"] = copy(cur, "reminders", "kind, target_id, offset_seconds, expires_at, sent_at", (
        ("vpn", i + 1, 86400 * (1 + i % 2), t0 - timedelta(days=i % 300), t0 - timedelta(days=i % 300 + 1))
        for i in range(min(n_vpn, args.subscriptions // 5))))
    for table in ("vpn_peers", "vps_servers", "orders", "payments", "ledger", "reminders"):
        cur.execute(f"SELECT setval('{table}_id_seq', GREATEST((SELECT max(id) FROM {table}), 1))")
    conn.commit()
    conn.autocommit = True
    cur.execute("VACUUM ANALYZE")
    conn.autocommit = False
    return counts, n_vpn, n_vps


def make_due(conn, args, settings, n_vpn, n_vps):
    """Move --due live subscriptions' due times into the past, in the MIX; returns {kind: count}."""
    now, rnd, cur, plan = utcnow(), random.Random(args.seed + 1), conn.cursor(), {}
    pools = {"vpn": iter(rnd.sample(range(1, n_vpn + 1), n_vpn)), "vps": iter(rnd.sample(range(1, n_vps + 1), n_vps))}
    when = {"reminders": (now + timedelta(hours=12), now - timedelta(hours=12)),
            "expiries": (now - timedelta(minutes=10), None), "suspensions": (now - timedelta(minutes=10), None),
            "deletions": (now - settings.vps_grace - timedelta(hours=1), None)}
    for kind, share in MIX.items():
        product, what = kind.split("_")
        ids = [next(pools[product]) for _ in range(round(args.due * share))]
        table, status = ("vpn_peers", "active") if product == "vpn" else ("vps_servers", "running")
        status = "suspended" if what == "deletions" else status
        cur.execute(f"UPDATE {table} SET status = %s, expires_at = %s, remind_at = %s WHERE id = ANY(%s)",
                    (status, *when[what], ids))
        plan[kind] = len(ids)
    conn.commit()
    return plan

