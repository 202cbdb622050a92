"""Sending a VPN config to its owner: a message, the config file and a QR photo."""
import io

from lib.texts import t
from lib.texts.formats import when
from lib.vpn.qr import qr_png

READY_TEXTS = {"created": "vpn_ready", "renewed": "vpn_renewed", "readdressed": "vpn_new_address"}


def send_config_file(bot, chat_id, lang, peer_id, config) -> None:
    document = io.BytesIO(config.text.encode())
    document.name = config.filename
    bot.send_document(chat_id, document, visible_file_name=config.filename,
                      caption=t(lang, "config_caption", peer_id=peer_id))


def send_config_qr(bot, chat_id, lang, peer_id, config) -> None:
    photo = io.BytesIO(qr_png(config.text))
    photo.name = f"vpn{peer_id}.png"
    bot.send_photo(chat_id, photo, caption=t(lang, "qr_caption"))


def deliver_config(bot, lang, chat_id, peer, config, reason: str) -> None:
    """Tell the owner their VPN is ready (or renewed) and hand over the file and the QR code."""
    bot.send_message(chat_id, t(lang, READY_TEXTS[reason], peer_id=peer["id"], address=peer["address"],
                                expires=when(peer["expires_at"])))
    if reason != "renewed":  # a new or changed config: hand over the file and the QR again
        send_config_file(bot, chat_id, lang, peer["id"], config)
        send_config_qr(bot, chat_id, lang, peer["id"], config)
