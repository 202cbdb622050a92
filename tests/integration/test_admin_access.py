"""The admin panel's door: only ADMIN_IDS reach it, forged or stale buttons and pending questions are answered plainly."""
import json
from decimal import Decimal

from pony.orm import db_session

from lib import clock
from lib.models import AuditLog, LedgerEntry, Order, User, VpnPeer
from tests.support.admin import ADMIN, USER, admin_shop, audit_rows, make_order, make_peer, open_panel, press

ADMIN_CALLBACKS = ["adm", "adms", "admc", "admf", "admo", "admsrv", "admlog", "admx", "admb", f"admu:{USER}",
                   f"admban:{USER}", f"admunb:{USER}", f"admcr:{USER}", f"admdb:{USER}", "admext:vpn:1",
                   "admext:vps:1", "admord:1", "admrt:1", "admrf:1", "admrfy:1", "admrt:2"]


def test_a_customer_reaches_no_admin_action(make_shop, fake_wg):
    from lib.telegram.admin import orders, status, users
    ours = {"adm", "admx", *orders.ACTIONS, *status.ACTIONS, *users.ACTIONS}
    assert ours <= {data.split(":")[0] for data in ADMIN_CALLBACKS}, "a new admin action is untested"
    shop = admin_shop(make_shop, wg=fake_wg)
    peer_id, expires = make_peer(USER)
    make_order(USER, "fulfilled")
    make_order(USER, "paid")
    with db_session:
        User[USER].balance = Decimal("30")
        LedgerEntry(user=User[USER], amount=30, kind="adjustment", ref="seed", created_at=clock.now())
    shop.send(USER, "/admin", username="Ann_Smith")
    assert shop.last_text(USER).startswith("Hi, Ann!")
    for data in ADMIN_CALLBACKS:
        press(shop, USER, data)
    # Even a pending question forged into Redis is not answered for someone outside ADMIN_IDS.
    shop.redis.set(f"shop:admin:await:{USER}", json.dumps({"what": "credit", "target": USER}))
    shop.send(USER, "1000 free money", username="Ann_Smith")
    assert len(shop.telegram.callback_answers) == len(ADMIN_CALLBACKS)  # each press was handled
    assert all(text.startswith("Hi, Ann!") for text in shop.texts(USER)), shop.texts(USER)
    assert shop.telegram.photos(USER) == []
    with db_session:
        assert User[USER].balance == 30 and not User[USER].banned
        assert VpnPeer[peer_id].expires_at == expires
        assert [o.status for o in Order.select().order_by(Order.id)] == ["fulfilled", "paid"]
        assert AuditLog.select().count() == 0


def test_pending_input_is_kept_in_redis_with_a_ttl_and_can_be_cancelled(make_shop):
    shop = admin_shop(make_shop)
    open_panel(shop, lang="ru")
    assert shop.last_text(ADMIN).startswith("🛠 Админ-панель")
    shop.click(ADMIN, "Найти пользователя")
    assert 0 < shop.redis.ttl(f"shop:admin:await:{ADMIN}") <= 900
    shop.click(ADMIN, "Отмена")
    assert shop.redis.get(f"shop:admin:await:{ADMIN}") is None
    shop.send(ADMIN, str(USER), language_code="ru")
    assert not shop.last_text(ADMIN).startswith("👤")  # no longer a search: the normal menu
    shop.click(ADMIN, "Найти пользователя")
    shop.send(ADMIN, "/start", language_code="ru")  # another command abandons the question
    shop.send(ADMIN, str(USER), language_code="ru")
    assert not shop.last_text(ADMIN).startswith("👤")
    shop.send(ADMIN, "/admin", language_code="ru")
    shop.click(ADMIN, "Журнал действий")
    assert "Журнал действий" in shop.last_text(ADMIN) and "— нет" in shop.last_text(ADMIN)


def test_forged_or_stale_admin_buttons_get_a_plain_answer(make_shop):
    shop = admin_shop(make_shop)
    open_panel(shop)
    for data in ("admu:abc", "admu:999", "admban:999", "admcr:0", "admext:xyz:1", "admext:vpn:zz", "admext:vpn:77",
                 "admord:999", "admrt:999", "admrf:999", "admrfy:abc", "admnope"):
        press(shop, ADMIN, data)
    shop.send(ADMIN, "ignored: no question is pending", first_name="Boss")
    texts = shop.texts(ADMIN)
    assert not any("Something went wrong" in text for text in texts), texts
    assert texts.count("There is no such user.") == 2 and texts.count("There is no such order.") == 3
    assert texts.count("Not found.") == 5 and texts.count("There is no such service.") == 1
    assert texts[-1].startswith("Hi, Boss!")  # no question was pending: the normal menu
    assert audit_rows() == []
