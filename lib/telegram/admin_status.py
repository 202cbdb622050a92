"""Admin views of the whole shop: stats, the 30-day chart, server status, the audit log."""
import io

from lib import clock
from lib.admin import audit, servers
from lib.admin import stats as shop_stats
from lib.billing.orders import order_amount_text as money
from lib.models.database import run_transaction
from lib.telegram import admin_screens
from lib.telegram.ui import show
from lib.texts import t


def _numbers():
    now = clock.now()
    return shop_stats.overview(now), shop_stats.daily(now)


def on_stats(bot, rt, user, chat, call, args):
    overview, days = run_transaction(_numbers)
    show(bot, chat, admin_screens.stats(user["lang"], overview, days), call)


def on_chart(bot, rt, user, chat, call, args):
    from lib.admin.chart import revenue_chart_png  # Pillow only when a chart is asked for
    days = run_transaction(lambda: shop_stats.daily(clock.now()))
    photo = io.BytesIO(revenue_chart_png(days))
    photo.name = "revenue-30d.png"
    revenue, sales = sum(d["revenue"] for d in days), sum(d["sales"] for d in days)
    bot.send_photo(chat, photo, caption=t(user["lang"], "adm_chart_caption", first=days[0]["day"].isoformat(),
                                          last=days[-1]["day"].isoformat(), revenue=money(revenue), sales=sales))


def on_servers(bot, rt, user, chat, call, args):
    show(bot, chat, admin_screens.servers(user["lang"], servers.proxmox_status(rt), servers.wireguard_status(rt)),
         call)


def on_audit(bot, rt, user, chat, call, args):
    show(bot, chat, admin_screens.audit(user["lang"], run_transaction(audit.recent, 12)), call)


ACTIONS = {"adms": on_stats, "admc": on_chart, "admsrv": on_servers, "admlog": on_audit}
