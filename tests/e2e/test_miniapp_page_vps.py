"""The mini app page in a real browser: buying and running a VPS, reinstall and renewal of a suspended server in
Russian and the dark theme."""
import pytest

from tests.support.browser import EN, RU, api_me, init_data, money, run_jobs_until

pytestmark = pytest.mark.timeout(120)


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
