"""Non-JSON answers of the mini app: the page itself, a config download, a QR image."""
from pathlib import Path

from flask import Response

from lib.miniapp.api import owned_peer
from lib.wireguard.client_config import config_filename, config_qr_png, config_qr_svg

PAGE = Path(__file__).with_name("page.html")


def page_response() -> Response:
    response = Response(PAGE.read_bytes(), mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


def config_download(rt, tg_user, body, peer_id) -> Response:
    _, config = owned_peer(rt, peer_id, tg_user["id"])
    response = Response(config, mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="{config_filename(peer_id)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def qr_response(rt, tg_user, body, peer_id) -> Response:
    _, config = owned_peer(rt, peer_id, tg_user["id"])
    from flask import request
    if request.args.get("format") == "svg":
        response = Response(config_qr_svg(config), mimetype="image/svg+xml")
    else:
        response = Response(config_qr_png(config), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response
