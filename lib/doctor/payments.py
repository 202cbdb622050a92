"""Crypto Pay (getMe) and YooKassa (a GET that needs the shop's credentials)."""
import uuid

import requests

TIMEOUT = 10
TESTNET = "testnet-pay.crypt.bot"


def check_cryptopay(settings) -> tuple:
    api = settings.cryptobot_api_url.rstrip("/")
    network = "testnet" if TESTNET in api else "mainnet"
    try:
        answer = requests.get(f"{api}/getMe", headers={"Crypto-Pay-API-Token": settings.cryptobot_token},
                              timeout=TIMEOUT)
        body = answer.json()
    except requests.RequestException as exc:
        return False, f"Crypto Pay at {api} does not answer ({type(exc).__name__}): check CRYPTOBOT_API_URL."
    except ValueError:
        return False, f"{api} answered {answer.status_code} without JSON: is CRYPTOBOT_API_URL the Crypto Pay API?"
    if body.get("ok"):
        app = body.get("result") or {}
        return True, (f"CRYPTOBOT_TOKEN works on {network} (app {app.get('name')!r}). Its webhook URL is "
                      f"{settings.public_url}/cryptobot_webhook.")
    error = (body.get("error") or {}).get("name") or answer.status_code
    if answer.status_code == 401 or error in ("UNAUTHORIZED", "EXPIRED_TOKEN"):
        other = "https://testnet-pay.crypt.bot/api" if network == "mainnet" else "https://pay.crypt.bot/api"
        return False, (f"Crypto Pay refused CRYPTOBOT_TOKEN ({error}) on {network}: copy it again from @CryptoBot "
                       f"→ Crypto Pay → My Apps; a {'testnet' if network == 'mainnet' else 'mainnet'} token only "
                       f"works with CRYPTOBOT_API_URL={other}.")
    return False, f"Crypto Pay refused getMe ({error})."


def check_yookassa(settings) -> tuple:
    api = settings.yookassa_api_url.rstrip("/")
    # A payment that cannot exist: 404 proves the credentials were accepted, 401 that they were not.
    probe = f"{api}/payments/{uuid.uuid4()}"
    try:
        answer = requests.get(probe, auth=(settings.yookassa_shop_id, settings.yookassa_secret_key),
                              timeout=TIMEOUT)
    except requests.RequestException as exc:
        return False, f"YooKassa at {api} does not answer ({type(exc).__name__}): check YOOKASSA_API_URL."
    if answer.status_code in (404, 200):
        return True, (f"YooKassa accepts shop {settings.yookassa_shop_id}'s secret key. Its notification URL is "
                      f"{settings.public_url}/yukassa_webhook.")
    if answer.status_code in (401, 403):
        return False, (f"YooKassa refused shop {settings.yookassa_shop_id} with this secret key "
                       f"({answer.status_code}): check YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY (Integration → "
                       "API keys in the YooKassa account; test shops have their own id and key).")
    return False, f"YooKassa answered {answer.status_code} to a simple lookup: check YOOKASSA_API_URL."


def checks(settings) -> list:
    from lib.doctor.checks import guarded, off_sentence
    return [
        guarded("Crypto Pay", check_cryptopay, settings) if settings.cryptobot_enabled
        else ("Crypto Pay", None, off_sentence(settings, "Crypto Pay")),
        guarded("YooKassa", check_yookassa, settings) if settings.yookassa_enabled
        else ("YooKassa", None, off_sentence(settings, "YooKassa")),
    ]
