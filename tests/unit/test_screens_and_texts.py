"""What Telegram would refuse never leaves the bot: callback data, HTML texts, every screen, in both languages."""
import string
from datetime import datetime
from decimal import Decimal

import pytest

from lib.config.plans import load_catalog
from lib.telegram.callbacks import pack, unpack
from lib.telegram.customer import keys_screens, menu, servers_screens, shop_screens
from lib.texts import LANGUAGES, t
from lib.texts.miniapp import MINIAPP_TEXTS
from tests.fakes.tg_html import parse_html


def assert_fits_telegram(built):
    """Each (text, markup) parses as Telegram's HTML and every button's callback data is ≤ 64 bytes."""
    for text, markup in built:
        parse_html(text)
        assert all(len(b.callback_data.encode()) <= 64 for row in markup.keyboard for b in row if b.callback_data)


def test_callback_data_never_exceeds_64_bytes():
    assert unpack(pack("pay", "vpn-12m", "cb", 2**62)) == ("pay", ["vpn-12m", "cb", str(2**62)])
    with pytest.raises(ValueError):
        pack("x" * 65)
    assert unpack("я" * 40) == ("", [])


def test_texts_are_valid_telegram_html_in_both_languages_with_hostile_params():
    assert set(LANGUAGES["en"]) == set(LANGUAGES["ru"])
    for language, texts in LANGUAGES.items():
        for key, template in texts.items():
            fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
            english = {name for _, name, _, _ in string.Formatter().parse(LANGUAGES["en"][key]) if name}
            assert fields == english, f"{language}.{key} takes other parameters than en.{key}"
            text = t(language, key, **{name: "<b>&x</i>" for name in fields})
            parse_html(text)  # raises like Telegram would
            assert 0 < len(text) <= 4096


def test_every_screen_fits_telegram_limits():
    catalog = load_catalog("plans.yaml")
    plans = catalog.for_product("vpn")
    peer = {"id": 2**40, "status": "active", "address": "10.8.0.2", "expires_at": datetime(2030, 1, 1)}
    entries = [{"created_at": datetime(2030, 1, 1), "amount": Decimal("-199.00"), "kind": "purchase"}] * 10
    for lang in LANGUAGES:
        assert_fits_telegram([
            menu.main_menu(lang, "<Ann>", "https://shop.example/miniapp_api/"),
            shop_screens.plans_screen(lang, plans), shop_screens.plans_screen(lang, plans, 2**40),
            shop_screens.providers_screen(lang, plans[0], ["cryptobot", "yookassa", "sandbox", "balance"],
                                          Decimal("12.5"), 2**40),
            shop_screens.payment_screen(lang, 2**40, plans[0], "https://pay.example/x"),
            shop_screens.payment_screen(lang, 2**40, plans[0], None),
            shop_screens.order_status_screen(lang, 2**40, "pending"),
            keys_screens.my_vpn_screen(lang, [peer] * 20), keys_screens.my_vpn_screen(lang, []),
            keys_screens.peer_screen(lang, peer, plans[0].title_in(lang), 0),
            keys_screens.peer_screen(lang, peer, plans[0].title_in(lang), None),
            menu.balance_screen(lang, Decimal("0"), entries), menu.help_screen(lang)])


def test_vps_screens_fit_telegram():
    plans = load_catalog("plans.yaml").for_product("vps")
    server = {"id": 2**40, "status": "running", "ip": "203.0.113.10", "plan_id": "vps-start",
              "expires_at": datetime(2030, 1, 1), "vmid": 100}
    for lang in LANGUAGES:
        for status in ("running", "stopped", "reserved", "reinstalling"):
            assert_fits_telegram([
                shop_screens.vps_plans_screen(lang, plans), shop_screens.vps_plans_screen(lang, plans, 2**40),
                servers_screens.my_servers_screen(lang, [server] * 20), servers_screens.my_servers_screen(lang, []),
                servers_screens.server_screen(lang, server, plans[0], status),
                servers_screens.reinstall_confirm_screen(lang, 2**40)])


def test_mini_app_texts_have_the_same_keys_and_parameters_in_both_languages_and_are_plain_text():
    en, ru = MINIAPP_TEXTS["en"], MINIAPP_TEXTS["ru"]
    assert set(en) == set(ru) and set(MINIAPP_TEXTS) == set(LANGUAGES)
    for key in en:
        fields = [{name for _, name, _, _ in string.Formatter().parse(texts[key]) if name} for texts in (en, ru)]
        assert fields[0] == fields[1], f"mini app text {key!r} takes other parameters in ru than in en"
        assert "<" not in en[key] + ru[key], f"mini app text {key!r} has markup the page would show as is"
