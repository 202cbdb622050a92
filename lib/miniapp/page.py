"""The mini app's page: one HTML file with its texts injected, served with a strict CSP."""
import json
from pathlib import Path

from flask import Response

from lib.texts.miniapp import MINIAPP_TEXTS

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
