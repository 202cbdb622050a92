"""Admin screens: menu, stats, server status, audit log — (text, inline keyboard), no I/O."""
import json

from lib.telegram.ui import button, keyboard
from lib.texts import raw, t
from lib.texts.formats import money, when


def back(lang):
    return [button(lang, "adm_btn_admin", "adm")]


def menu(lang):
    return t(lang, "adm_menu"), keyboard(
        [button(lang, "adm_btn_stats", "adms"), button(lang, "adm_btn_chart", "admc")],
        [button(lang, "adm_btn_find", "admf"), button(lang, "adm_btn_orders", "admo")],
        [button(lang, "adm_btn_servers", "admsrv"), button(lang, "adm_btn_audit", "admlog")],
        [button(lang, "adm_btn_broadcast", "admb")],
        [button(lang, "btn_menu", "m")])


def size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def age(lang, seconds) -> str:
    if seconds is None:
        return raw(lang, "adm_age_never")
    for limit, unit, key in ((60, 1, "adm_age_s"), (3600, 60, "adm_age_m"), (86400, 3600, "adm_age_h")):
        if seconds < limit:
            return t(lang, key, n=max(int(seconds // unit), 0))
    return t(lang, "adm_age_d", n=int(seconds // 86400))


def _revenue(lang, rows):
    return [t(lang, "adm_revenue_line", provider=r["provider"], amount=money(r["amount"]), count=r["payments"])
            for r in rows] or [raw(lang, "adm_none")]


def stats(lang, s, days):
    lines = [t(lang, "adm_stats", **{k: v for k, v in s.items() if not k.startswith("revenue")}),
             "", raw(lang, "adm_revenue_30d"), *_revenue(lang, s["revenue_30d"]),
             raw(lang, "adm_revenue_all"), *_revenue(lang, s["revenue_all"]),
             "", raw(lang, "adm_last_days")]
    lines += [t(lang, "adm_day_line", day=d["day"].strftime("%m-%d"), amount=money(d["revenue"]), sales=d["sales"])
              for d in reversed(days[-7:])]
    return "\n".join(lines), keyboard(
        [button(lang, "adm_btn_chart", "admc"), button(lang, "adm_btn_refresh", "adms")], back(lang))


def _proxmox(lang, px):
    if px["state"] == "off":
        return [raw(lang, "adm_px_off")]
    pool = t(lang, "adm_px_pool", free=px["pool_free"], size=px["pool_size"])
    if px["state"] == "unreachable":
        return [t(lang, "adm_px_down", node=px["node"], error=px["error"]), pool]
    return [t(lang, "adm_px_ok", node=px["node"], cpu=f"{px['cpu'] * 100:.0f}", cpus=px["cpus"] or "?",
              load=px["loadavg"], mem=size(px["mem_used"]), mem_total=size(px["mem_total"]),
              disk=size(px["disk_used"]), disk_total=size(px["disk_total"]), up_d=px["uptime"] // 86400,
              up_h=px["uptime"] % 86400 // 3600),
            pool]


def _wireguard(lang, wg):
    if wg["state"] == "off":
        return [raw(lang, "adm_wg_off")]
    if wg["state"] == "unreachable":
        return [t(lang, "adm_wg_down", interface=wg["interface"], error=wg["error"])]
    lines = [t(lang, "adm_wg_ok", interface=wg["interface"], total=wg["total"], online=wg["online"])]
    for row in wg["rows"]:
        who = t(lang, "adm_wg_peer", peer_id=row["peer_id"], user_id=row["user_id"]) if row["peer_id"] \
            else t(lang, "adm_wg_stranger", fingerprint=row["key"][:10])
        lines.append(t(lang, "adm_wg_line", who=who, seen=age(lang, row["age"]), rx=size(row["rx"]),
                       tx=size(row["tx"])))
    if wg["more"]:
        lines.append(t(lang, "adm_and_more", n=wg["more"]))
    return lines


def servers(lang, px, wg):
    text = "\n".join([raw(lang, "adm_servers"), "", *_proxmox(lang, px), "", *_wireguard(lang, wg)])
    return text, keyboard([button(lang, "adm_btn_refresh", "admsrv")], back(lang))


def _compact(value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value is not None else "—"
    return text if len(text) <= 90 else text[:89] + "…"


def audit(lang, entries):
    lines = [t(lang, "adm_audit_line", at=when(e["at"]), admin_id=e["admin_id"], action=e["action"],
               target=e["target"], before=_compact(e["before"]), after=_compact(e["after"])) for e in entries]
    return "\n".join([raw(lang, "adm_audit"), *(lines or [raw(lang, "adm_none")])]), keyboard(
        [button(lang, "adm_btn_refresh", "admlog")], back(lang))
