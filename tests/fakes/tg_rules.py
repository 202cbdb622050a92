"""Bot API input rules shared by the FakeTelegram methods."""
import json
from collections import deque

from .tg_html import HtmlError, parse_html

TEXT_MAX, CAPTION_MAX, CALLBACK_DATA_MAX = 4096, 1024, 64
# Parameters that arrive as JSON strings (telebot json.dumps them).
JSON_PARAMS = {"reply_markup", "commands", "scope", "menu_button", "allowed_updates",
               "entities", "caption_entities", "prices", "reply_parameters", "link_preview_options"}
INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id"}
ACTIONS = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
           "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
           "copy_text", "callback_game", "pay")


class TgError(Exception):
    """An error answer: {"ok": false, "error_code", "description"[, "parameters"]}."""

    def __init__(self, code, description, parameters=None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def body(self):
        out = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            out["parameters"] = self.parameters
        return out


def bad(description):
    return TgError(400, "Bad Request: " + description)


def too_many(retry_after):
    return TgError(429, "Too Many Requests: retry after %d" % retry_after,
                   {"retry_after": retry_after})


GLOBAL = ("all chats",)  # the global window's key: no chat id equals it


class Gate:
    """What Telegram refuses before reading a request: injected 429s, flood limits, blocks.

    Flood limits are sliding 1 s windows, global and per chat, on the fake's clock (so a test
    advances it rather than sleeping). The owner calls check() with its lock held.
    """

    def __init__(self):
        self.fail, self.limits, self.stamps, self.blocked = deque(), (None, None), {}, set()

    def check(self, chat_id, now):
        if self.fail:
            raise too_many(self.fail.popleft())
        # A request without a chat (getMe, setWebhook) counts against the global window only.
        windows = [(key, limit) for key, limit in ((GLOBAL, self.limits[0]),
                                                   (chat_id, self.limits[1]))
                   if limit and key is not None]
        for key, limit in windows:
            stamps = self.stamps.setdefault(key, deque())
            while stamps and now - stamps[0] >= 1:
                stamps.popleft()
            if len(stamps) >= limit:
                raise too_many(1)
        for key, limit in windows:
            self.stamps[key].append(now)
        if chat_id in self.blocked:
            raise TgError(403, "Forbidden: bot was blocked by the user")


def decode_params(raw):
    """Decode a flat {name: str} dict the way the Bot API reads it."""
    out = {}
    for key, value in raw.items():
        if key in JSON_PARAMS and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise bad("can't parse %s JSON object" % key)
        elif key in INT_PARAMS and isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        out[key] = value
    return out


def is_true(value):
    return value is True or str(value).lower() in ("true", "1")


def formatted(text, parse_mode, limit, what):
    """Apply parse_mode and the length limit; return (text, entities)."""
    entities = []
    if parse_mode in (None, ""):
        plain = text
    elif str(parse_mode).upper() == "HTML":
        try:
            plain, entities = parse_html(text)
        except HtmlError as exc:
            raise bad("can't parse entities: %s" % exc)
    else:
        # Fake limitation: only HTML is modelled; fail loudly instead of
        # pretending a Markdown text would be accepted.
        raise bad("unsupported parse_mode %r (FakeTelegram models HTML only)" % parse_mode)
    if what == "text" and not plain.strip():
        raise bad("message text is empty")
    if len(plain) > limit:
        raise bad("message is too long" if what == "text" else "message caption is too long")
    return plain, entities


def check_markup(markup):
    """Validate reply_markup; inline keyboards get Telegram's checks."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup  # reply keyboards / remove / force_reply: not modelled
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
    for row in rows:
        for button in row:
            _check_button(button)
    return markup


def _check_button(button):
    if not isinstance(button, dict) or not str(button.get("text", "")).strip():
        raise bad("can't parse inline keyboard button: Text must be non-empty")
    actions = [a for a in ACTIONS if a in button]
    if len(actions) != 1:
        raise bad("can't parse inline keyboard button: exactly one of the optional fields "
                  "must be used, found %s" % (actions or "none"))
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX:
            raise bad("BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
        raise bad("BUTTON_URL_INVALID")
    if "web_app" in button:
        url = (button["web_app"] or {}).get("url", "")
        if not url.startswith("https://"):
            raise bad("inline keyboard button Web App URL '%s' is invalid: Only HTTPS links "
                      "are allowed" % url)


def buttons(message):
    """Flat list of the inline buttons of a Message dict."""
    rows = ((message or {}).get("reply_markup") or {}).get("inline_keyboard") or []
    return [b for row in rows for b in row]
