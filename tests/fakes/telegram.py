"""FakeTelegram: the Bot API methods the shop calls, with Telegram's rules.

Point telebot at it with `telebot.apihelper.API_URL = fake.api_url`.
"""
import copy
import threading

from flask import jsonify, request

from .http import FakeService
from .tg_methods import BotMethods
from .tg_rules import Gate, TgError, bad, buttons, decode_params
from .tg_updates import (
    make_callback_update,
    make_message_update,
    make_pre_checkout_update,
    make_successful_payment_update,
)

__all__ = ["FakeTelegram", "make_message_update", "make_callback_update",
           "make_pre_checkout_update", "make_successful_payment_update"]


class FakeTelegram(BotMethods, FakeService):
    """In-memory Bot API server for one bot token.

    `clock` (see clock.py) dates messages and edits and runs the flood-limit windows.
    """

    api_path = "/bot{0}/{1}"  # the format of telebot.apihelper.API_URL
    # Real seconds getUpdates may hold an empty poll open: the client's request really waits.
    max_long_poll = 1.0

    def __init__(self, token="123456:TEST-fake-token", clock=None):
        super().__init__(clock=clock)
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("a bot token looks like 123456:ABC-secret")
        self.token = token
        self.bot_user = {"id": int(bot_id), "is_bot": True, "first_name": "Fake Shop",
                         "username": "fake_shop_bot"}
        self.calls, self.failed, self.deleted = [], [], []
        self.callback_answers, self.pre_checkout_answers = [], []
        self.webhook = {"url": "", "secret_token": None}
        self.commands, self.menu_buttons = {}, {}
        self._chats, self._next_id, self._log = {}, {}, []
        self._files, self._updates, self._gate = {}, [], Gate()
        self._cond = threading.Condition(self._lock)
        self.app.add_url_rule("/bot<token>/<method>", view_func=self._route,
                              methods=["GET", "POST"])
        self.app.register_error_handler(404, lambda e: (jsonify(
            ok=False, error_code=404, description="Not Found"), 404))
        names = ("getMe sendMessage editMessageText editMessageReplyMarkup deleteMessage "
                 "answerCallbackQuery sendDocument sendPhoto setWebhook deleteWebhook "
                 "getWebhookInfo setMyCommands getMyCommands setChatMenuButton getUpdates "
                 "answerPreCheckoutQuery").split()
        # Bot API method names are case-insensitive.
        self._methods = {n.lower(): getattr(self, "_m_" + n) for n in names}

    # ---- test controls -------------------------------------------------
    def block(self, chat_id):
        with self._lock:
            self._gate.blocked.add(chat_id)

    def unblock(self, chat_id):
        with self._lock:
            self._gate.blocked.discard(chat_id)

    def set_rate_limit(self, per_second=30, per_chat_per_second=None):
        """Sliding 1 s windows on the fake's clock: global and per chat; None switches one off."""
        with self._lock:
            self._gate.limits, self._gate.stamps = (per_second, per_chat_per_second), {}

    def fail_next(self, n, retry_after=1):
        """The next `n` requests answer 429 with `retry_after`, whatever the limits."""
        with self._lock:
            self._gate.fail.extend([retry_after] * n)

    def queue_update(self, update):
        """Queue an Update for getUpdates; a missing update_id is assigned."""
        with self._cond:
            update = copy.deepcopy(update)
            if "update_id" not in update:
                update["update_id"] = max([u["update_id"] for u in self._updates] or [0]) + 1
            self._updates.append(update)
            self._cond.notify_all()
            return update

    # ---- inspection ----------------------------------------------------
    def messages(self, chat_id=None):
        """Sent and edited messages in order, as Message dicts at that moment."""
        with self._lock:
            return [copy.deepcopy(m) for m in self._log
                    if chat_id is None or m["chat"]["id"] == chat_id]

    def last_message(self, chat_id):
        """Current state of the latest sent or edited message still present."""
        with self._lock:
            for snap in reversed(self._log):
                live = self._chats.get(chat_id, {}).get(snap["message_id"])
                if snap["chat"]["id"] == chat_id and live:
                    return copy.deepcopy(live)
        return None

    def documents(self, chat_id):
        return self._with_files(chat_id, "document")

    def photos(self, chat_id):
        return self._with_files(chat_id, "photo")

    buttons = staticmethod(buttons)

    def find_button(self, chat_id, text_contains):
        """The newest live inline button whose text contains the string, or None."""
        with self._lock:
            live = sorted(self._chats.get(chat_id, {}).values(), key=lambda m: -m["message_id"])
        for message in live:
            for button in buttons(message):
                if text_contains in button.get("text", ""):
                    return copy.deepcopy(button)
        return None

    def _with_files(self, chat_id, kind):
        out = []
        for m in self.messages(chat_id):
            if kind in m:
                meta = m[kind][-1] if kind == "photo" else m[kind]
                out.append(dict(meta, message_id=m["message_id"], caption=m.get("caption"),
                                data=self._files[meta["file_id"]][2]))
        return out

    # ---- HTTP plumbing -------------------------------------------------
    def _route(self, token, method):
        if token != self.token:
            return self._error(TgError(401, "Unauthorized"))
        handler = self._methods.get(method.lower())
        if handler is None:
            return self._error(TgError(404, "Not Found"))
        raw = dict(request.args.to_dict(), **request.form.to_dict())
        body = request.get_json(silent=True)
        raw.update(body if isinstance(body, dict) else {})
        files = {k: (f.filename, f.read()) for k, f in request.files.items()}
        try:
            params = decode_params(raw)
            with self._lock:
                if handler != self._m_getUpdates:
                    self._gate.check(params.get("chat_id"), self.clock())
                result = handler(params, files)
                self.calls.append({"method": method, "params": params, "files": files})
        except TgError as exc:
            with self._lock:
                self.failed.append({"method": method, "params": raw, "error": exc.body()})
            return self._error(exc)
        return jsonify(ok=True, result=result)

    @staticmethod
    def _error(exc):
        return jsonify(exc.body()), exc.code

    def _chat_id(self, p):
        chat_id = p.get("chat_id")
        if chat_id in (None, ""):
            raise bad("chat_id is empty")
        if not isinstance(chat_id, int):
            raise bad("chat not found")
        return chat_id

    def _message(self, p, missing):
        message = self._chats.get(self._chat_id(p), {}).get(p.get("message_id"))
        if message is None:
            raise bad(missing)
        return message

    def _store(self, chat_id, content):
        self._next_id[chat_id] = message_id = self._next_id.get(chat_id, 0) + 1
        chat = ({"id": chat_id, "type": "private"} if chat_id > 0
                else {"id": chat_id, "type": "supergroup", "title": "Fake group"})
        message = dict({"message_id": message_id, "from": self.bot_user, "chat": chat,
                        "date": int(self.clock())}, **content)
        self._chats.setdefault(chat_id, {})[message_id] = message
        return self._logged(message)

    def _logged(self, message):
        self._log.append(copy.deepcopy(message))
        return copy.deepcopy(message)
