"""Pure logic with no I/O: keys, addresses, configs, callback data, texts, screens, initData, secrets."""
import string
import subprocess
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from lib.config.plans import load_catalog
from lib.miniapp.auth import InitDataError, sign, verify_init_data
from lib.models import order_states as states
from lib.secretbox import SecretBox
from lib.telegram.callbacks import pack, unpack
from lib.telegram.customer import keys_screens, menu, shop_screens
from lib.texts import LANGUAGES, t
from lib.vpn.wireguard.addressing import next_free_address
from lib.vpn.wireguard.client_config import render_client_config
from lib.vpn.wireguard.keys import generate_peer_keys, is_valid_key, public_key_of
from tests.fakes.tg_html import parse_html
from tests.support.initdata import make_init_data

TOKEN = "123456:TEST-fake-token-for-the-shop-tests"


@pytest.mark.skipif(subprocess.run(["which", "wg"], capture_output=True).returncode != 0, reason="wg missing")
def test_python_keys_match_wg_pubkey():
    keys = generate_peer_keys()
    by_wg = subprocess.run(["wg", "pubkey"], input=keys.private_key, capture_output=True, text=True).stdout.strip()
    assert by_wg == keys.public_key == public_key_of(keys.private_key)
    assert is_valid_key(keys.preshared_key) and keys.preshared_key != keys.private_key


def test_addresses_skip_the_server_and_taken_ones_and_run_out():
    assert next_free_address("10.8.0.0/24", []) == "10.8.0.2"
    assert next_free_address("10.8.0.0/24", ["10.8.0.2", "10.8.0.4"]) == "10.8.0.3"
    assert next_free_address("10.8.0.0/30", ["10.8.0.2"]) is None


def test_client_config_has_every_field_the_issue_names():
    config = render_client_config(private_key="PRIV", address="10.8.0.9", subnet="10.8.0.0/24", dns="1.1.1.1",
                                  server_public_key="SERVERPUB", preshared_key="PSK", endpoint="vpn.example:51820")
    assert config.splitlines() == [
        "[Interface]", "PrivateKey = PRIV", "Address = 10.8.0.9/32", "DNS = 1.1.1.1", "",
        "[Peer]", "PublicKey = SERVERPUB", "PresharedKey = PSK", "Endpoint = vpn.example:51820",
        "AllowedIPs = 0.0.0.0/0, ::/0", "PersistentKeepalive = 25"]


def test_secret_box_round_trips_and_a_wrong_key_says_so():
    box = SecretBox("a-secret-key-of-enough-length")
    sealed = box.seal("private-key")
    assert "private-key" not in sealed and box.open(sealed) == "private-key"
    with pytest.raises(ValueError, match="SECRET_KEY changed"):
        SecretBox("another-secret-key-entirely").open(sealed)


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
        built = [menu.main_menu(lang, "<Ann>", "https://shop.example/miniapp_api/"),
                 shop_screens.plans_screen(lang, plans), shop_screens.plans_screen(lang, plans, 2**40),
                 shop_screens.providers_screen(lang, plans[0], ["cryptobot", "yookassa", "sandbox", "balance"],
                                          Decimal("12.5"), 2**40),
                 shop_screens.payment_screen(lang, 2**40, plans[0], "https://pay.example/x"),
                 shop_screens.payment_screen(lang, 2**40, plans[0], None),
                 shop_screens.order_status_screen(lang, 2**40, "pending"),
                 keys_screens.my_vpn_screen(lang, [peer] * 20), keys_screens.my_vpn_screen(lang, []),
                 keys_screens.peer_screen(lang, peer, plans[0].title_in(lang), 0),
                 keys_screens.peer_screen(lang, peer, plans[0].title_in(lang), None),
                 menu.balance_screen(lang, Decimal("0"), entries), menu.help_screen(lang)]
        for text, markup in built:
            parse_html(text)
            for row in markup.keyboard:
                for button in row:
                    if button.callback_data:
                        assert len(button.callback_data.encode()) <= 64


def test_init_data_rule_and_age():
    now = datetime(2026, 1, 1).timestamp()
    good = make_init_data(TOKEN, 42, auth_date=now - 60)
    assert verify_init_data(good, TOKEN, timedelta(hours=24), now)["id"] == 42
    with pytest.raises(InitDataError, match="too old"):
        verify_init_data(make_init_data(TOKEN, 42, auth_date=now - 90000), TOKEN, timedelta(hours=24), now)
    with pytest.raises(InitDataError, match="signature"):
        verify_init_data(good.replace("Ann", "Bob"), TOKEN, timedelta(hours=24), now)
    assert len(sign({"a": "1"}, TOKEN)) == 64


def test_order_state_machine():
    assert states.accepts_payment("pending") and states.accepts_payment("expired")
    assert not states.accepts_payment("paid") and not states.accepts_payment("failed")
    with pytest.raises(states.TransitionError):
        states.check_move("fulfilled", "paid")


def test_providers_in_menu_order():
    settings = SimpleNamespace(cryptobot_enabled=True, yookassa_enabled=False, sandbox_payments=True)
    from lib.config import Settings
    assert Settings.payment_providers(settings) == ["cryptobot", "sandbox", "balance"]
