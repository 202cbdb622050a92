"""The mini app page in headless Chromium (fixtures `serve`, `browser`, `open_page`): the app served on
loopback, Telegram's script replaced by a stub carrying signed initData, nothing but loopback reachable."""
import json
import re
import threading
import time

import pytest
from werkzeug.serving import make_server

from lib.texts.miniapp import MINIAPP_TEXTS
from tests.support.initdata import make_init_data

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
    sync_api = pytest.importorskip("playwright.sync_api")
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


def run_jobs_until(shop, page, selector, what, seconds=30):
    """Run the shop's jobs in this thread while the page polls, until `selector` shows up."""
    deadline = time.monotonic() + seconds
    while not page.locator(selector).count():
        assert time.monotonic() < deadline, what
        shop.run_jobs()
        page.wait_for_timeout(300)
