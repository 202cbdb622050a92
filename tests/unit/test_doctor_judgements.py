"""The doctor's judgements themselves (pure): a webhook Telegram cannot deliver to, and NAT rules that
do or do not cover the VPN clients' subnet."""
import ipaddress
from datetime import datetime, timezone

import pytest


def test_webhook_delivery_errors_are_reported_with_the_queue():
    from lib.doctor.telegram import webhook_sentence
    expected = "https://shop.example.test/telegram_webhook"
    now = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)
    failing = {"url": expected, "pending_update_count": 17, "last_error_date": int(now.timestamp()) - 300,
               "last_error_message": "Wrong response from the webhook: 401 Unauthorized"}
    ok, sentence = webhook_sentence(failing, expected, now)
    assert not ok and sentence.startswith(f"The webhook is {expected}, but Telegram cannot deliver to it; 17 updates "
                                          "waiting; last delivery error 5 min ago: 'Wrong response from the "
                                          "webhook: 401 Unauthorized'.")
    ok, sentence = webhook_sentence({"url": "https://old.example.test/telegram_webhook"}, expected)
    assert not ok and sentence.startswith("The webhook points at https://old.example.test/telegram_webhook, not at")
    ok, sentence = webhook_sentence({"url": ""}, expected)
    assert not ok and "No webhook is set" in sentence and "set-webhook" in sentence


@pytest.mark.parametrize("dump, found", [
    ("*nat\n-A POSTROUTING -s 10.8.0.0/24 -o eth0 -j MASQUERADE\nCOMMIT", True),
    ("*nat\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT", True),
    ("*nat\n-A POSTROUTING -s 10.0.0.0/8 -j SNAT --to-source 203.0.113.2\nCOMMIT", True),
    ("*nat\n-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\nCOMMIT", False),
    ("*nat\n-A POSTROUTING ! -s 10.8.0.0/24 -j MASQUERADE\nCOMMIT", False),
    ("*nat\n-A POSTROUTING -o wg0 -j MASQUERADE\nCOMMIT", False),
    ("*filter\n-A FORWARD -s 10.8.0.0/24 -j MASQUERADE\nCOMMIT", False),
])
def test_iptables_masquerade_must_cover_the_client_subnet(dump, found):
    from lib.doctor.firewall import iptables_rule
    assert (iptables_rule(dump, ipaddress.ip_network("10.8.0.0/24"), "wg0") is not None) is found


@pytest.mark.parametrize("rule, found", [
    ('ip saddr 10.8.0.0/24 oifname "eth0" masquerade', True),
    ('ip saddr 10.8.0.0/24 oifname "eth0" counter packets 3 bytes 180 masquerade', True),
    ('ip saddr { 10.7.0.0/24, 10.8.0.0/16 } snat to 203.0.113.2', True),
    ('oifname "eth0" masquerade', True),
    ('ip saddr 10.9.0.0/24 masquerade', False),
    ('ip saddr != 10.8.0.0/24 masquerade', False),
    ('oifname "wg0" masquerade', False),
])
def test_nft_masquerade_must_cover_the_client_subnet(rule, found):
    from lib.doctor.firewall import nft_rule
    ruleset = f"table ip nat {{\n\tchain postrouting {{\n\t\ttype nat hook postrouting priority srcnat; " \
              f"policy accept;\n\t\t{rule}\n\t}}\n}}\n"
    assert (nft_rule(ruleset, ipaddress.ip_network("10.8.0.0/24"), "wg0") is not None) is found


