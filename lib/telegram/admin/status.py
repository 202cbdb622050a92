"""Admin views of the whole shop: stats, the 30-day chart, server status, the audit log."""
import io

from lib.admin import actions
from lib.telegram.admin import screens
from lib.telegram.ui import show
from lib.texts import t
from lib.texts.formats import money


def on_stats(bot, rt, user, chat, call, args):
    overview, days = actions.shop_stats(rt, user["id"])
    show(bot, chat, screens.stats(user["lang"], overview, days), call)


def on_chart(bot, rt, user, chat, call, args):
    png, days = actions.revenue_chart(rt, user["id"])
    photo = io.BytesIO(png)
    photo.name = "revenue-30d.png"
    revenue, sales = sum(d["revenue"] for d in days), sum(d["sales"] for d in days)
    bot.send_photo(chat, photo, caption=t(user["lang"], "adm_chart_caption", first=days[0]["day"].isoformat(),
                                          last=days[-1]["day"].isoformat(), revenue=money(revenue), sales=sales))


def on_servers(bot, rt, user, chat, call, args):
    show(bot, chat, screens.servers(user["lang"], *actions.server_status(rt, user["id"])), call)


def on_audit(bot, rt, user, chat, call, args):
    show(bot, chat, screens.audit(user["lang"], actions.audit_log(rt, user["id"], 12)), call)


ACTIONS = {"adms": on_stats, "admc": on_chart, "admsrv": on_servers, "admlog": on_audit}
