"""A client config as a QR code, for a phone's camera (PNG for the bot, PNG or SVG for the mini app)."""
import io

import qrcode
from qrcode.image.svg import SvgPathImage


def qr_png(config_text: str) -> bytes:
    """The config as a PNG QR code, sized for a phone camera."""
    image = qrcode.make(config_text, box_size=8, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(config_text: str) -> bytes:
    image = qrcode.make(config_text, image_factory=SvgPathImage, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
