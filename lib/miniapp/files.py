"""Non-JSON answers of the mini app: the page itself, a config download, a QR image."""
import json
from pathlib import Path

from flask import Response

from lib.miniapp.api import owned_peer
from lib.texts.miniapp import MINIAPP_TEXTS
from lib.vpn.wireguard.client_config import config_filename, config_qr_png, config_qr_svg

PAGE = Path(__file__).with_name("page.html")
# Inline scripts and styles are the page's own; Telegram's script is the only outside code,
# images are the server's QR codes shown through blob: URLs, and API calls stay on this origin.
PAGE_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline' https://telegram.org; "
            "style-src 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; "
            "base-uri 'none'; form-action 'none'")
_page_bytes = None  # the page with its texts, built once per process


def _page() -> bytes:
    global _page_bytes
    if _page_bytes is None:
        # "</" would end the <script> element the JSON sits in.
        texts = json.dumps(MINIAPP_TEXTS, ensure_ascii=False).replace("</", "<\\/")
        _page_bytes = PAGE.read_text(encoding="utf-8").replace("__TEXTS__", texts, 1).encode("utf-8")
    return _page_bytes


def page_response() -> Response:
    response = Response(_page(), mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def config_download(rt, customer, body, peer_id) -> Response:
    _, config = owned_peer(rt, peer_id, customer["id"])
    response = Response(config, mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="{config_filename(peer_id)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def qr_response(rt, customer, body, peer_id) -> Response:
    _, config = owned_peer(rt, peer_id, customer["id"])
    from flask import request
    if request.args.get("format") == "svg":
        response = Response(config_qr_svg(config), mimetype="image/svg+xml")
    else:
        response = Response(config_qr_png(config), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response
