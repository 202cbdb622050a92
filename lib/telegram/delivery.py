"""Sending a VPN config to its owner: a message, the .conf file and a QR photo."""
import io

from lib.models.database import run_transaction
from lib.models import VpnPeer
from lib.telegram.screens import when
from lib.texts import t
from lib.vpn.peers import client_config
from lib.vpn.wireguard.client_config import config_filename, config_qr_png


def _peer_config(rt, peer_id):
    peer = VpnPeer[peer_id]
    return {"id": peer.id, "user_id": peer.user.id, "lang": peer.user.language, "address": peer.address,
            "expires_at": peer.expires_at, "config": client_config(rt, peer)}


def load_peer_config(rt, peer_id: int) -> dict:
    return run_transaction(_peer_config, rt, peer_id)


def send_config_file(bot, chat_id, lang, peer) -> None:
    document = io.BytesIO(peer["config"].encode())
    document.name = config_filename(peer["id"])
    bot.send_document(chat_id, document, visible_file_name=config_filename(peer["id"]),
                      caption=t(lang, "config_caption", peer_id=peer["id"]))


def send_config_qr(bot, chat_id, lang, peer) -> None:
    photo = io.BytesIO(config_qr_png(peer["config"]))
    photo.name = f"vpn{peer['id']}.png"
    bot.send_photo(chat_id, photo, caption=t(lang, "qr_caption"))


def deliver_config(bot, rt, peer_id: int, reason: str) -> None:
    """Tell the owner their VPN is ready (or renewed) and hand over the file and the QR code."""
    peer = load_peer_config(rt, peer_id)
    lang, chat_id = peer["lang"], peer["user_id"]
    key = {"created": "vpn_ready", "renewed": "vpn_renewed", "readdressed": "vpn_new_address"}[reason]
    bot.send_message(chat_id, t(lang, key, peer_id=peer["id"], address=peer["address"],
                                expires=when(peer["expires_at"])))
    if reason != "renewed":  # a new or changed config: hand over the file and the QR again
        send_config_file(bot, chat_id, lang, peer)
        send_config_qr(bot, chat_id, lang, peer)
