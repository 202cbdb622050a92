"""Bodies of the Bot API methods of FakeTelegram (called with its lock held)."""
import copy
import re
import time

from .tg_media import new_media
from .tg_rules import CAPTION_MAX, TEXT_MAX, TgError, bad, check_markup, formatted, is_true

NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


def _inline(markup):
    # Messages only carry inline keyboards; reply keyboards live on the client.
    markup = check_markup(markup)
    return markup if markup and "inline_keyboard" in markup else None


def _put(message, key, value):
    if value:
        message[key] = value
    else:
        message.pop(key, None)


class BotMethods:
    """Mixin: one `_m_<method>(params, files)` per supported Bot API method."""

    def _m_getMe(self, p, files):
        return dict(self.bot_user, can_join_groups=True, can_read_all_group_messages=False,
                    supports_inline_queries=False)

    def _m_sendMessage(self, p, files):
        chat_id = self._chat_id(p)
        text, entities = formatted(p.get("text", ""), p.get("parse_mode"), TEXT_MAX, "text")
        message = {"text": text}
        _put(message, "entities", entities)
        _put(message, "reply_markup", _inline(p.get("reply_markup")))
        return self._store(chat_id, message)

    def _m_editMessageText(self, p, files):
        message = self._message(p, "message to edit not found")
        if "text" not in message:
            raise bad("there is no text in the message to edit")
        text, entities = formatted(p.get("text", ""), p.get("parse_mode"), TEXT_MAX, "text")
        markup = _inline(p.get("reply_markup"))  # omitted markup removes the keyboard
        if (text, entities, markup) == (message["text"], message.get("entities", []),
                                        message.get("reply_markup")):
            raise bad(NOT_MODIFIED)
        message["text"], message["edit_date"] = text, int(self.clock())
        _put(message, "entities", entities)
        _put(message, "reply_markup", markup)
        return self._logged(message)

    def _m_editMessageReplyMarkup(self, p, files):
        message = self._message(p, "message to edit not found")
        markup = _inline(p.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise bad(NOT_MODIFIED)
        _put(message, "reply_markup", markup)
        message["edit_date"] = int(self.clock())
        return self._logged(message)

    def _m_deleteMessage(self, p, files):
        message = self._message(p, "message to delete not found")
        del self._chats[message["chat"]["id"]][message["message_id"]]
        self.deleted.append((message["chat"]["id"], message["message_id"]))
        return True

    def _m_answerCallbackQuery(self, p, files):
        query_id = p.get("callback_query_id")
        if not query_id or query_id in {a["callback_query_id"] for a in self.callback_answers}:
            # A query can be answered once; Telegram then calls it invalid.
            raise bad("query is too old and response timeout expired or query ID is invalid")
        if len(p.get("text") or "") > 200:
            raise bad("MESSAGE_TOO_LONG")
        self.callback_answers.append(dict(p))
        return True

    def _m_sendDocument(self, p, files):
        return self._send_file("document", p, files)

    def _m_sendPhoto(self, p, files):
        return self._send_file("photo", p, files)

    def _send_file(self, kind, p, files):
        chat_id = self._chat_id(p)
        caption, entities = formatted(p.get("caption") or "", p.get("parse_mode"),
                                      CAPTION_MAX, "caption")
        markup = _inline(p.get("reply_markup"))
        if kind in files:
            name, data = files[kind]
            if not data:
                raise bad("file must be non-empty")
            media = new_media(self._files, kind, name, data)
        elif isinstance(p.get(kind), str) and self._files.get(p[kind], (None,))[0] == kind:
            media = copy.deepcopy(self._files[p[kind]][1])  # re-send by file_id
        elif p.get(kind):
            raise bad("wrong file identifier/HTTP URL specified")
        else:
            raise bad("there is no %s in the request" % kind)
        message = {kind: media}
        _put(message, "caption", caption)
        _put(message, "caption_entities", entities)
        _put(message, "reply_markup", markup)
        return self._store(chat_id, message)

    def _m_setWebhook(self, p, files):
        url, secret = p.get("url", ""), p.get("secret_token")
        if url and not url.startswith("https://"):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not _SECRET.fullmatch(secret):
            raise bad("bad webhook: secret token contains unallowed characters")
        if is_true(p.get("drop_pending_updates")):
            self._updates.clear()
        self.webhook = {"url": url, "secret_token": secret,
                        "allowed_updates": p.get("allowed_updates"),
                        "max_connections": int(p.get("max_connections") or 40)}
        return True

    def _m_deleteWebhook(self, p, files):
        if is_true(p.get("drop_pending_updates")):
            self._updates.clear()
        self.webhook = {"url": "", "secret_token": None}
        return True

    def _m_getWebhookInfo(self, p, files):
        info = {"url": self.webhook["url"], "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}
        if info["url"]:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def _m_setMyCommands(self, p, files):
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("can't parse commands JSON object")
        for c in commands:
            if not _COMMAND.fullmatch(str(c.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", "")).strip()) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(p)] = commands
        return True

    def _m_getMyCommands(self, p, files):
        return copy.deepcopy(self.commands.get(self._commands_key(p), []))

    @staticmethod
    def _commands_key(p):
        return ((p.get("scope") or {}).get("type", "default"), p.get("language_code") or "")

    def _m_setChatMenuButton(self, p, files):
        button = p.get("menu_button") or {"type": "default"}
        if button.get("type") not in ("commands", "web_app", "default"):
            raise bad("can't parse menu button: unsupported type")
        if button["type"] == "web_app":
            url = (button.get("web_app") or {}).get("url", "")
            if not button.get("text") or not url.startswith("https://"):
                raise bad("can't parse menu button: Web App URL must be HTTPS and text non-empty")
        self.menu_buttons[p.get("chat_id")] = button
        return True

    def _m_getUpdates(self, p, files):
        if self.webhook["url"]:
            raise TgError(409, "Conflict: can't use getUpdates method while webhook is active; "
                               "use deleteWebhook to delete the webhook first")
        offset, limit = p.get("offset"), max(1, min(100, int(p.get("limit") or 100)))
        if isinstance(offset, int):  # confirms everything below the offset
            self._updates[:] = [u for u in self._updates if u["update_id"] >= offset]
        # Long polling, capped (max_long_poll) so a test never hangs on an empty queue. Real
        # time, not the fake's clock: the client's HTTP request is what waits.
        deadline = time.monotonic() + min(float(p.get("timeout") or 0), self.max_long_poll)
        while not self._updates and time.monotonic() < deadline:
            self._cond.wait(deadline - time.monotonic())
        return copy.deepcopy(self._updates[:limit])

    def _m_answerPreCheckoutQuery(self, p, files):
        if not p.get("pre_checkout_query_id"):
            raise bad("QUERY_ID_INVALID")
        if not is_true(p.get("ok")) and not p.get("error_message"):
            raise bad("error_message is empty")  # a refusal must say why
        self.pre_checkout_answers.append(dict(p, ok=is_true(p.get("ok"))))
        return True
