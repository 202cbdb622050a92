"""The mini app's VPN key routes: the config as a file, its QR code, pause and resume."""
from flask import Response, request

from lib.miniapp.views import key_json
from lib.vpn import actions as vpn
from lib.vpn.qr import qr_png, qr_svg


def config_download(rt, customer, body, peer_id) -> Response:
    config = vpn.client_config(rt, customer["id"], peer_id)
    response = Response(config.text, mimetype=config.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{config.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def qr_response(rt, customer, body, peer_id) -> Response:
    config = vpn.client_config(rt, customer["id"], peer_id)
    if request.args.get("format") == "svg":
        response = Response(qr_svg(config.text), mimetype="image/svg+xml")
    else:
        response = Response(qr_png(config.text), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


def pause(rt, customer, body, peer_id, paused=True):
    key = vpn.set_paused(rt, customer["id"], peer_id, paused)
    return 200, {"peer": key_json(rt, key, customer["lang"])}
