"""The mini app page in a real browser: its texts, buying a VPN key with the sandbox, Russian, tampered initData."""
import json
import re
import time

import pytest

from lib.texts.miniapp import MINIAPP_TEXTS
from tests.support import wgnet
from tests.support.browser import EN, RU, api_me, init_data, money

pytestmark = pytest.mark.timeout(120)


def test_page_has_its_texts_injected(shop):
    response = shop.client.get("/miniapp_api/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "__TEXTS__" not in html
    texts = re.search(r'<script id="texts" type="application/json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(texts) == MINIAPP_TEXTS
    assert "connect-src 'self'" in response.headers["Content-Security-Policy"]
    assert set(EN) == set(RU)
    for language in (EN, RU):  # placeholders the page fills must match between languages
        for key in EN:
            assert set(re.findall(r"\{\w+\}", EN[key])) == set(re.findall(r"\{\w+\}", language[key])), key


def test_buy_vpn_through_the_page_with_sandbox(make_shop, open_page):
    wgnet.require_wireguard()
    with wgnet.WireGuardLab() as lab:
        shop = make_shop(wg=lab, SANDBOX_PAYMENTS="true")
        data, user = init_data(shop.settings.bot_token, 7100200)
        page = open_page(data, user, permissions=["clipboard-read", "clipboard-write"])

        page.get_by_role("heading", name=EN["hello"].format(name="Ann")).wait_for()
        assert page.locator("#sub").inner_text() == EN["sub_none"]
        assert page.locator("#balance").inner_text() == EN["balance"].format(amount="0")
        plans = shop.settings.catalog.for_product("vpn")
        assert page.locator(".plan h3").all_inner_texts() == [p.title_in("en") for p in plans]
        for plan in plans:
            text = page.locator(f'.plan[data-plan="{plan.id}"]').inner_text()
            assert EN["price_rub"].format(amount=money(plan.price_rub)) in text
            assert EN["price_usdt"].format(amount=money(plan.price_usdt)) in text
        first = page.locator(f'.plan[data-plan="{plans[0].id}"]')
        assert page.evaluate("window.__tg.calls") == ["ready", "expand"]

        page.screenshot(path="/tmp/miniapp-plans.png", full_page=True)
        first.get_by_role("button", name=EN["buy"]).click()
        sheet = page.locator("#sheet")
        page.screenshot(path="/tmp/miniapp-providers.png")
        assert sheet.locator("[data-provider]").evaluate_all("els => els.map(e => e.dataset.provider)") == \
            shop.settings.payment_providers()
        sheet.locator('[data-provider="sandbox"]').click()
        page.locator("#sandbox-pay").click()
        page.locator('#order [data-status="paid"]').wait_for()

        # Fulfilment runs in this thread (RQ's worker needs the main thread) while the page polls.
        deadline = time.monotonic() + 20
        while not page.locator('#keys .key .badge[data-status="active"]').count():
            assert time.monotonic() < deadline, "the bought key never appeared on the page"
            shop.run_jobs()
            page.wait_for_timeout(300)
        page.locator('#order [data-status="fulfilled"]').wait_for()
        assert page.locator("#keys").is_visible()  # the page switched to "My keys" by itself

        me = api_me(shop, data)
        [peer] = me["vpn"]
        assert peer["status"] == "active" and len(lab.peers()) == 1
        card = page.locator(f'#keys .key[data-peer="{peer["id"]}"]')
        assert card.locator(".address").inner_text() == EN["address"].format(address=peer["address"])
        qr = card.get_by_role("img", name=EN["qr_alt"].format(id=peer["id"]))
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
        assert qr.get_attribute("src").startswith("blob:")
        assert page.locator("#sub").inner_text().startswith(EN["sub_active"].split("{")[0])
        assert card.locator(".badge").inner_text() == EN["peer_active"]
        page.screenshot(path="/tmp/miniapp.png", full_page=True)

        config = shop.client.get(f"/miniapp_api/api/vpn/{peer['id']}/config",
                                 headers={"Authorization": f"tma {data}"}).get_data(as_text=True)
        with page.expect_download() as download:
            card.get_by_role("button", name=EN["download"]).click()
        assert download.value.suggested_filename == f"vpn{peer['id']}.conf"
        assert open(download.value.path()).read() == config
        card.get_by_role("button", name=EN["copy"]).click()
        page.get_by_role("status").filter(has_text=EN["copied"]).wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == config

        card.get_by_role("button", name=EN["pause"]).click()
        card.locator('.badge[data-status="paused"]').wait_for()
        shop.run_jobs()
        assert lab.peers() == []  # pausing really takes the peer off the server
        card.get_by_role("button", name=EN["resume"]).click()
        card.locator('.badge[data-status="active"]').wait_for()
        shop.run_jobs()
        assert len(lab.peers()) == 1
        assert page.blocked == [] and page.errors == []


def test_russian_page_and_api_error_toast(shop, open_page):
    data, user = init_data(shop.settings.bot_token, 7100300, first_name="Борис", language_code="ru")
    page = open_page(data, user)
    page.get_by_role("heading", name=RU["hello"].format(name="Борис")).wait_for()
    assert page.get_by_role("tab", name=RU["tab_plans"]).get_attribute("aria-selected") == "true"
    assert page.locator("#sub").inner_text() == RU["sub_none"]
    titles = [p.title_in("ru") for p in shop.settings.catalog.for_product("vpn")]
    assert page.locator(".plan h3").all_inner_texts() == titles
    # A zero balance cannot pay: the server's 402 message appears in the toast.
    page.locator(".plan button").first.click()
    page.locator('#sheet [data-provider="balance"]').click()
    toast = page.locator("#toast")
    toast.wait_for()
    from lib.texts import raw
    assert toast.inner_text() == raw("ru", "insufficient_balance")
    page.screenshot(path="/tmp/miniapp-ru.png")
    # The sheet stays open to pick another way to pay; Cancel closes it.
    page.locator("#sheet").get_by_role("button", name=RU["cancel"]).click()
    assert page.locator("#sheet").is_hidden()
    page.get_by_role("tab", name=RU["tab_keys"]).click()
    assert page.locator("#keys").inner_text() == RU["keys_empty"]
    assert page.locator("#order").is_hidden()
    assert page.blocked == [] and page.errors == []


def test_tampered_init_data_shows_the_error_and_no_data(shop, open_page):
    data, user = init_data(shop.settings.bot_token, 7100400)
    tampered = data.replace("Ann", "Eve")  # the signature no longer matches
    page = open_page(tampered, user)
    page.get_by_role("alert").filter(has_text=EN["auth_failed"]).wait_for()
    assert page.locator("#head").is_hidden() and page.locator(".tabs").is_hidden()
    assert page.locator(".plan").count() == 0 and page.locator(".key").count() == 0
    assert "Ann" not in page.locator("body").inner_text() and "Eve" not in page.locator("body").inner_text()
