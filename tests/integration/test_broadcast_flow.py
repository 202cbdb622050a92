"""The admin's broadcast flow: segments, preview before anything is sent, admins only, the panel's button."""
from datetime import timedelta
from decimal import Decimal

import pytest
from pony.orm import db_session

from lib import clock
from lib.broadcast import segments
from lib.broadcast.actions import start as start_broadcast
from lib.broadcast.drafts import create_draft
from lib.errors import UserError
from lib.models import Broadcast, BroadcastDelivery, Order, User, VpnPeer, VpsServer
from lib.models.database import run_transaction
from lib.telegram.admin import broadcast as screens
from lib.telegram.admin.broadcast import AWAIT_KEY
from lib.telegram.bot import get_bot
from lib.telegram.callbacks import unpack
from tests.fakes.telegram import make_callback_update
from tests.support.broadcasts import ADMIN, TEXT, add_users, admin_user, got, open_flow, press, report, say


def test_segments_pick_the_right_users(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    now, soon, past = clock.now(), clock.now() + timedelta(days=20), clock.now() - timedelta(days=1)
    add_users(range(1, 12))
    with db_session:
        User[9].banned = True
        User[10].blocked_bot = True

        def order(user_id, fulfilled=True):
            Order(user=User[user_id], product="vpn", plan_id="m1", provider="balance", amount=Decimal("100"),
                  status="fulfilled" if fulfilled else "pending", created_at=now,
                  fulfilled_at=now if fulfilled else None)

        def peer(user_id, status, n=[0]):
            n[0] += 1
            VpnPeer(user=User[user_id], plan_id="m1", interface="wg0", address=f"10.8.0.{n[0]}/32",
                    public_key=f"pub{n[0]}", private_key_enc="x", preshared_key_enc="x", server_public_key="s",
                    status=status, expires_at=soon if status != "expired" else past, created_at=now)

        def server(user_id, status):
            VpsServer(user=User[user_id], plan_id="v1", node="pve", name=f"vps-{user_id}", ip=f"203.0.113.{user_id}",
                      prefix=24, status=status, expires_at=soon, created_at=now)

        for user_id in (1, 2, 3, 4, 5, 6, 11):
            order(user_id)
        peer(1, "active"), peer(2, "paused"), server(3, "running"), peer(4, "expired"), server(5, "suspended")
        peer(11, "expired"), peer(11, "active")
        order(7, fulfilled=False)
        order(9), peer(9, "active")  # banned: never a recipient
    expected = {"all": [1, 2, 3, 4, 5, 6, 7, 8, 11], "active": [1, 2, 3, 11], "expired": [4, 5, 6],
                "never_paid": [7, 8]}
    for segment, ids in expected.items():
        assert run_transaction(segments.user_ids, segment) == ids, segment
    assert run_transaction(segments.counts) == {k: len(v) for k, v in expected.items()}

    start_broadcast(shop.rt, ADMIN, TEXT, None, None, "expired")
    shop.run_jobs()
    assert [u for u in range(1, 12) if got(shop.telegram, u)] == [4, 5, 6]
    assert report(shop.telegram)[1] == {"sent": 3, "blocked": 0, "failed": 0}


def test_the_admin_flow_previews_then_sends_only_when_confirmed(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    fake = shop.telegram
    add_users([ADMIN, 1, 2, 3])
    with db_session:
        Order(user=User[3], product="vpn", plan_id="m1", provider="balance", amount=Decimal("100"),
              status="fulfilled", created_at=clock.now(), fulfilled_at=clock.now())
    assert not say(shop, "hello")  # no flow going: not for the broadcast
    open_flow(shop)
    assert "New broadcast" in shop.last_text(ADMIN)
    assert say(shop, "News <b> & more")  # typed text is kept as typed, safe for HTML
    assert "Who should get it?" in shop.last_text(ADMIN)
    press(shop, "Never paid (3)")  # ADMIN, 1, 2
    press(shop, "Add a button")
    assert say(shop, "no link here")
    assert "does not fit" in shop.last_text(ADMIN)
    assert say(shop, "Visit | https://example.com/x")
    preview = fake.messages(ADMIN)[-2]
    assert preview["text"] == "News <b> & more"
    assert fake.buttons(preview) == [{"text": "Visit", "url": "https://example.com/x"}]
    assert "3 now" in shop.last_text(ADMIN)
    assert not any(got(fake, u, "News <b> & more") for u in (1, 2, 3))  # nothing before the confirmation
    press(shop, "Send to 3")
    for user_id, count in ((ADMIN, 2), (1, 1), (2, 1), (3, 0)):  # the admin: preview + the broadcast
        assert len(got(fake, user_id, "News <b> & more")) == count, user_id
    assert report(fake)[1] == {"sent": 3, "blocked": 0, "failed": 0}
    with db_session:
        first = Broadcast.select().first().id
    screens.on_callback(get_bot(shop.settings), shop.rt, admin_user(), ADMIN, None, "admbc", [str(first)])
    assert "can no longer be changed" in shop.last_text(ADMIN)  # a repeated confirmation sends nothing more
    shop.run_jobs()
    assert len(got(fake, 1, "News <b> & more")) == 1
    # a new flow, cancelled from the preview: nothing is sent, and a command leaves a flow
    open_flow(shop)
    say(shop, "Second")
    press(shop, "Everyone")
    press(shop, "No button")
    press(shop, "Cancel")
    assert "Nothing was sent" in shop.last_text(ADMIN) and not got(fake, 1, "Second")
    with db_session:
        assert Broadcast.select(lambda b: b.text == "Second").first().status == "cancelled"
    open_flow(shop)
    assert not say(shop, "/start") and not say(shop, "text after the command")


def test_non_admins_change_nothing(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    add_users([ADMIN, 555, 1])
    draft = create_draft(ADMIN, TEXT)
    bot, intruder = get_bot(shop.settings), admin_user(555)
    before = len(shop.telegram.calls)
    screens.on_callback(bot, shop.rt, intruder, 555, None, "admb", [])
    for data in ("admb", f"admbs:{draft}:active", f"admbb:{draft}", f"admbn:{draft}", f"admbc:{draft}",
                 f"admbx:{draft}"):
        action, args = unpack(data)
        screens.on_callback(bot, shop.rt, intruder, 555, None, action, args)
    assert not say(shop, "intruder text", user_id=555)
    assert shop.redis.get(AWAIT_KEY.format(555)) is None
    assert len(shop.telegram.calls) == before
    with pytest.raises(UserError):
        start_broadcast(shop.rt, 555, TEXT, None, None, "all")
    # the same callbacks through the real webhook: the intruder only gets the main menu
    shop.send(555, "/start")
    message = shop.telegram.last_message(555)
    for data in (f"admbc:{draft}", f"admbx:{draft}", "admb"):
        assert shop.post_update(make_callback_update(shop.next_update_id(), 555, data, message)).status_code == 200
    shop.run_jobs()
    with db_session:
        assert Broadcast[draft].status == "draft" and Broadcast.select().count() == 1
        assert BroadcastDelivery.select().count() == 0
    assert not got(shop.telegram, 1)


def test_the_admin_panel_button_starts_a_broadcast(make_shop):
    shop = make_shop(ADMIN_IDS="111")
    shop.send(111, "/admin")
    shop.click(111, "Broadcast")
    assert shop.last_text(111).startswith("📣 New broadcast")
    shop.send(111, "Hello everyone")
    assert shop.last_text(111) == "📣 Who should get it?", "the panel hands the typed text to the broadcast flow"
