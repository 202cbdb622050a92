"""What the fakes' own tests share: fixtures of recorded provider payloads, the fakes' frozen start."""
import json
import pathlib

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
TOKEN = "123456:TEST-fake-token"
START = 1_750_000_000  # 2025-06-15T15:06:40Z: where the fakes' frozen clocks stand


def fixture(name):
    return json.loads((FIXTURES / name).read_text("utf-8"))


def tg_error(call, *args, **kwargs):
    """The Bot API error a call to the fake Telegram raised."""
    import pytest
    from telebot import apihelper
    with pytest.raises(apihelper.ApiTelegramException) as info:
        call(*args, **kwargs)
    return info.value


def keyboard(*buttons):
    from telebot import types
    markup = types.InlineKeyboardMarkup()
    markup.add(*buttons)
    return markup


def png(width=300, height=200):
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()
