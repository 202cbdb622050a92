"""Ways into a sale that many tests share: a pending order at a provider, a paid VPN or VPS order."""
from pony.orm import db_session

from lib.accounts.registration import register_user
from lib.billing.checkout import start_checkout
from lib.models import VpsServer
from lib.models.database import run_transaction

VPN_USER, VPS_USER = 810001, 730001
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb0KmS1oXbhYk1hP0Vn6m+vM2o0yWcCrH8y1yH7bq7k ann@laptop"


def pending_order(shop, provider, user_id=VPN_USER, plan_id="vpn-1m"):
    """A pending order with its invoice or payment at the provider, as the bot makes it."""
    run_transaction(register_user, shop.redis, user_id, first_name="Ann")
    plan = shop.settings.catalog.get(plan_id)
    return start_checkout(shop.rt, user_id=user_id, plan=plan, provider=provider, description=plan.product.upper(),
                          return_url="https://shop.example.test/miniapp_api/")


def pay_by_crypto(shop, user_id=VPN_USER, plan_id="vpn-1m") -> int:
    """An order paid through Crypto Pay's webhook (its fulfilment job queued, not run); its id."""
    checkout = pending_order(shop, "cryptobot", user_id, plan_id)
    body, headers = shop.cryptopay.pay(shop.cryptopay.invoices[-1]["invoice_id"])
    assert shop.cryptopay_webhook(body, headers).status_code == 200
    return checkout.order_id


def pay_vps(shop, plan_id="vps-start") -> int:
    """A paid VPS order through Crypto Pay's webhook; its id."""
    return pay_by_crypto(shop, VPS_USER, plan_id)


def buy_vps_in_the_bot(shop, provider_label="Crypto"):
    shop.send(VPS_USER, "/start")
    shop.click(VPS_USER, "Buy VPS")
    shop.click(VPS_USER, "Start · 1 CPU · 1 GB · 20 GB")
    shop.click(VPS_USER, provider_label)


def bought_server(make_shop, fake_proxmox, **env):
    """(shop, server id, vmid) of a running server the VPS user bought."""
    shop = make_shop(proxmox=fake_proxmox, **env)
    pay_vps(shop)
    shop.run_jobs()
    with db_session:
        server = VpsServer.select().first()
        return shop, server.id, server.vmid


def rsa_public_key(comment="me") -> str:
    """A fresh, whole OpenSSH RSA public key line, as a customer would paste it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return f"{line} {comment}"
