"""The mini app page in a real browser against the real app: buy a VPN through the page, see the key.

Chromium (Debian's) loads the page from a real HTTP server of the WSGI app; Telegram's script is
replaced by a stub that carries signed initData, and nothing but loopback is reachable.
"""
import json
import re
import threading
import time

import pytest
from werkzeug.serving import make_server

from lib.texts.miniapp import MINIAPP_TEXTS
from tests.support import wgnet
from tests.support.initdata import make_init_data

pytestmark = pytest.mark.timeout(120)
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TELEGRAM_JS = "https://telegram.org/js/telegram-web-app.js"
EN, RU = MINIAPP_TEXTS["en"], MINIAPP_TEXTS["ru"]


def init_data(bot_token, user_id, first_name="Ann", language_code="en"):
    """Signed initData, and the user as initDataUnsafe shows it."""
    user = {"id": user_id, "first_name": first_name, "language_code": language_code}
    return make_init_data(bot_token, user_id, language=language_code, first_name=first_name), user


def telegram_stub(data, user):
    """What the page needs of telegram-web-app.js; records opened links and calls in window.__tg."""
    return """
window.__tg = {opened: [], calls: [], confirms: [], confirmAnswer: false};
window.Telegram = {WebApp: {
  initData: %s, initDataUnsafe: {user: %s}, themeParams: {}, colorScheme: "light", platform: "ios",
  ready() { __tg.calls.push("ready"); }, expand() { __tg.calls.push("expand"); },
  openLink(u) { __tg.opened.push(u); }, openTelegramLink(u) { __tg.opened.push(u); },
  showAlert(m) {}, HapticFeedback: {impactOccurred() {}},
  showConfirm(m, cb) { __tg.confirms.push(m); setTimeout(() => cb(__tg.confirmAnswer), 0); },
  MainButton: {show() {}, hide() {}, setText() {}, onClick() {}, offClick() {}},
}};""" % (json.dumps(data), json.dumps(user))


@pytest.fixture
def serve():
    """Serve functions.main.app over real HTTP on loopback; yields the page URL."""
    from functions.main import app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/miniapp_api/"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, serve):
    contexts = []

    def open_(data, user, **context_args):
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                      **context_args)
        contexts.append(context)
        blocked = []

        def route(r):
            url = r.request.url
            if url.startswith(TELEGRAM_JS):
                r.fulfill(status=200, content_type="application/javascript", body=telegram_stub(data, user))
            elif re.match(r"^http://127\.0\.0\.1:\d+/", url):
                r.continue_()
            else:  # no internet: anything else would be a bug (CDN, font, tracker)
                blocked.append(url)
                r.abort()
        context.route("**/*", route)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(serve)
        page.blocked, page.errors = blocked, errors
        return page

    yield open_
    for context in contexts:
        context.close()


def money(amount):
    """A Decimal as the page shows it: 199, 2.5, 1790."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def api_me(shop, data):
    response = shop.client.get("/miniapp_api/api/me", headers={"Authorization": f"tma {data}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


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


def run_jobs_until(shop, page, selector, what, seconds=30):
    """Run the shop's jobs in this thread while the page polls, until `selector` shows up."""
    deadline = time.monotonic() + seconds
    while not page.locator(selector).count():
        assert time.monotonic() < deadline, what
        shop.run_jobs()
        page.wait_for_timeout(300)


def test_buy_and_run_a_vps_through_the_page(make_shop, fake_proxmox, open_page):
    from pony.orm import db_session

    from lib.models import User, VpsServer
    from tests.support.buying import SSH_KEY
    shop = make_shop(proxmox=fake_proxmox, SANDBOX_PAYMENTS="true")
    data, user = init_data(shop.settings.bot_token, 7100500)
    page = open_page(data, user, permissions=["clipboard-read", "clipboard-write"])
    page.get_by_role("heading", name=EN["hello"].format(name="Ann")).wait_for()

    # Plans: VPN and servers, each server with its size and prices.
    assert page.locator("#plans .section").all_text_contents() == [EN["plans_vpn"], EN["plans_vps"]]
    vps_plans = shop.settings.catalog.for_product("vps")
    assert page.locator('.plan[data-product="vps"] h3').all_inner_texts() == [p.title_in("en") for p in vps_plans]
    start = vps_plans[0]
    card = page.locator(f'.plan[data-plan="{start.id}"]')
    assert card.locator(".size").inner_text() == EN["vps_size"].format(cores=1, memory=1, disk=20)
    assert EN["price_rub"].format(amount=money(start.price_rub)) in card.inner_text()
    assert EN["price_usdt"].format(amount=money(start.price_usdt)) in card.inner_text()
    page.get_by_role("tab", name=EN["tab_servers"]).click()  # shown: VPS sales are on
    assert page.locator("#server-list").inner_text() == EN["servers_empty"]
    page.get_by_role("tab", name=EN["tab_plans"]).click()
    page.screenshot(path="/tmp/miniapp-vps-plans.png", full_page=True)

    # Buy: the same payment sheet and order polling as VPN; the page goes to the servers by itself.
    card.get_by_role("button", name=EN["buy"]).click()
    page.locator('#sheet [data-provider="sandbox"]').click()
    page.locator("#sandbox-pay").click()
    page.locator('#order [data-status="paid"]').wait_for()
    run_jobs_until(shop, page, '#server-list .badge[data-status="running"]', "the server never showed as running")
    page.locator('#order [data-status="fulfilled"]').wait_for()
    assert page.locator("#order .status").inner_text() == EN["status_fulfilled_vps"]
    assert page.locator("#servers").is_visible()
    me = api_me(shop, data)
    [server] = me["vps"]
    assert server["status"] == "running" and server["ip"] == "203.0.113.10"
    box = page.locator(f'.server[data-server="{server["id"]}"]')
    assert box.locator(".ip").inner_text() == "203.0.113.10"
    assert box.locator(".size").inner_text() == EN["vps_size"].format(cores=1, memory=1, disk=20)
    assert box.locator("h3").inner_text() == EN["server_title"].format(id=server["id"], plan=start.title_in("en"))
    box.get_by_role("button", name=EN["copy_ip"]).click()
    page.get_by_role("status").filter(has_text=EN["ip_copied"]).wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == "203.0.113.10"

    # The password only on a tap, and the very one the server was set up with.
    assert box.locator(".password").count() == 0
    box.get_by_role("button", name=EN["show_password"]).click()
    with db_session:
        server_row = VpsServer[server["id"]]
        password, vmid = shop.rt.box.open(server_row.password_enc), server_row.vmid
    assert box.locator(".password").inner_text() == password
    box.get_by_role("button", name=EN["copy_password"]).click()
    page.get_by_role("status").filter(has_text=EN["password_copied"]).wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == password
    page.screenshot(path="/tmp/miniapp-vps-servers.png", full_page=True)
    box.get_by_role("button", name=EN["hide_password"]).click()
    assert box.locator(".password").count() == 0

    # Stop: "working" until the job has run, then stopped here and on the node; and start again.
    box.get_by_role("button", name=EN["stop"]).click()
    page.get_by_role("status").filter(has_text=EN["vps_working"]).wait_for()
    box.locator('.badge[data-status="working"]').wait_for()
    assert box.get_by_role("button", name=EN["reinstall"]).is_disabled()  # no second action meanwhile
    run_jobs_until(shop, page, '.server .badge[data-status="stopped"]', "the server never showed as stopped")
    assert fake_proxmox.vm(vmid)["status"] == "stopped"
    assert box.locator(".badge").inner_text() == EN["srv_stopped"]
    box.get_by_role("button", name=EN["start"]).click()
    box.locator('.badge[data-status="working"]').wait_for()
    run_jobs_until(shop, page, '.server .badge[data-status="running"]', "the server never started again")
    assert fake_proxmox.vm(vmid)["status"] == "running"

    # SSH key: the server's message on a bad key, stored when good.
    key_field = page.get_by_label(EN["ssh_title"])
    key_field.fill("not a key")
    page.get_by_role("button", name=EN["ssh_save"]).click()
    from lib.texts import raw
    page.locator("#ssh-error").filter(has_text=raw("en", "ssh_key_invalid")).wait_for()
    key_field.fill("  " + SSH_KEY + "\n")
    page.get_by_role("button", name=EN["ssh_save"]).click()
    page.get_by_role("status").filter(has_text=EN["ssh_saved"]).wait_for()
    assert page.locator("#ssh-error").is_hidden() and key_field.input_value() == SSH_KEY
    with db_session:
        assert User[7100500].ssh_key == SSH_KEY
    page.screenshot(path="/tmp/miniapp-vps-ssh.png", full_page=True)

    # Renew: only plans of the server's own size, then the payment methods.
    box.get_by_role("button", name=EN["renew"]).click()
    sheet = page.locator("#sheet")
    assert sheet.locator(".title").inner_text() == EN["renew_server_title"].format(id=server["id"])
    assert sheet.get_by_role("button").all_inner_texts()[:-1] == [EN["plan_option"].format(
        title=f'{start.title_in("en")} · {EN["plan_days"].format(days=30)}', amount=money(start.price_rub))]
    sheet.get_by_role("button").first.click()
    assert sheet.locator("[data-provider]").count() == len(shop.settings.payment_providers())
    sheet.get_by_role("button", name=EN["cancel"]).click()
    assert page.blocked == [] and page.errors == []


def test_reinstall_and_renewal_of_a_suspended_server_in_russian_and_dark_theme(make_shop, fake_proxmox, open_page):
    from pony.orm import db_session

    from lib.models import User, VpsServer
    from tests.support.buying import VPS_USER as USER
    from tests.support.buying import bought_server
    shop, server_id, vmid = bought_server(make_shop, fake_proxmox, SANDBOX_PAYMENTS="true")
    with db_session:
        User[USER].language = "ru"  # the bot keeps the language a user chose; the page follows it
    data, user = init_data(shop.settings.bot_token, USER, first_name="Анна", language_code="ru")
    page = open_page(data, user, color_scheme="dark")
    page.get_by_role("heading", name=RU["hello"].format(name="Анна")).wait_for()
    page.get_by_role("tab", name=RU["tab_servers"]).click()
    box = page.locator(f'.server[data-server="{server_id}"]')
    assert box.locator(".badge").inner_text() == RU["srv_running"]
    assert box.locator(".size").inner_text() == RU["vps_size"].format(cores=1, memory=1, disk=20)
    box.get_by_role("button", name=RU["show_password"]).click()
    old = box.locator(".password").inner_text()
    page.screenshot(path="/tmp/miniapp-vps-dark-ru.png", full_page=True)

    # Declined: nothing is sent. Confirmed: the disk is wiped, the password changes.
    box.get_by_role("button", name=RU["reinstall"]).click()
    page.wait_for_function("window.__tg.confirms.length === 1")
    assert page.evaluate("window.__tg.confirms") == [RU["reinstall_confirm"].format(id=server_id)]
    page.wait_for_timeout(300)
    assert box.locator('.badge[data-status="running"]').count() == 1
    assert len(fake_proxmox.calls_to("POST", "/clone")) == 1
    page.evaluate("window.__tg.confirmAnswer = true")
    box.get_by_role("button", name=RU["reinstall"]).click()
    page.get_by_role("status").filter(has_text=RU["vps_working"]).wait_for()
    box.locator('.badge[data-status="working"]').wait_for()
    assert box.locator(".password").count() == 0  # the old password is gone from the page
    page.screenshot(path="/tmp/miniapp-vps-dark-working.png", full_page=True)
    run_jobs_until(shop, page, '.server .badge[data-status="running"]', "the reinstall never finished")
    assert len(fake_proxmox.calls_to("POST", "/clone")) == 2
    box.get_by_role("button", name=RU["show_password"]).click()
    with db_session:
        new = shop.rt.box.open(VpsServer[server_id].password_enc)
    assert box.locator(".password").inner_text() == new != old
    assert fake_proxmox.vm(vmid)["config"]["cipassword"] == new

    # Suspended at expiry (stopped): no power buttons; renewing it through the page starts it again.
    box.get_by_role("button", name=RU["stop"]).click()
    run_jobs_until(shop, page, '.server .badge[data-status="stopped"]', "the server never stopped")
    with db_session:
        VpsServer[server_id].status = "suspended"
        expired = VpsServer[server_id].expires_at
    page.reload()
    page.get_by_role("tab", name=RU["tab_servers"]).click()
    assert box.locator(".badge").inner_text() == RU["srv_suspended"]
    assert RU["srv_suspended_hint"] in box.inner_text()
    assert box.get_by_role("button", name=RU["start"]).count() == 0
    assert box.get_by_role("button", name=RU["reinstall"]).count() == 0
    page.screenshot(path="/tmp/miniapp-vps-dark-suspended.png", full_page=True)
    box.get_by_role("button", name=RU["renew"]).click()
    page.locator("#sheet").get_by_role("button").first.click()
    page.locator('#sheet [data-provider="sandbox"]').click()
    page.locator("#sandbox-pay").click()
    run_jobs_until(shop, page, '#order [data-status="fulfilled"]', "the renewal never went through")
    run_jobs_until(shop, page, '.server .badge[data-status="running"]', "the renewed server never started")
    assert fake_proxmox.vm(vmid)["status"] == "running"
    with db_session:
        assert VpsServer[server_id].expires_at > expired
    assert page.blocked == [] and page.errors == []
