"""A test driver for the whole shop: the real WSGI app, real RQ jobs, and the fakes around it.

Both doors are driven as a user would: the bot through Telegram updates posted to the real
webhook (and the jobs they queue), the mini app through its HTTP API with signed initData.
"""
import itertools
import json

from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from lib.tasks import QUEUES, queue
from tests.fakes.telegram import make_callback_update, make_message_update
from tests.support.initdata import auth

FIRST_UPDATE_ID = 5000


class Shop:
    def __init__(self, rt, telegram, cryptopay, yookassa, update_ids=None):
        from functions.main import app
        self.rt, self.settings, self.redis = rt, rt.settings, rt.redis
        self.telegram, self.cryptopay, self.yookassa = telegram, cryptopay, yookassa
        self.client = app.test_client()
        # The same ids in every run; shops built in one test share the count (one Telegram).
        self._update_ids = update_ids if update_ids is not None else itertools.count(FIRST_UPDATE_ID)

    def next_update_id(self) -> int:
        return next(self._update_ids)

    # ---- jobs ------------------------------------------------------------
    def run_jobs(self, rounds: int = 20, scheduled: bool = True) -> int:
        """Run queued jobs with a real RQ worker until none are left; scheduled retries are due now."""
        queues = [queue(self.redis, name) for name in QUEUES]
        ran = 0
        for _ in range(rounds):
            if scheduled:
                for q in queues:
                    registry = ScheduledJobRegistry(queue=q)
                    for job_id in registry.get_job_ids():
                        registry.remove(job_id)
                        q.enqueue_job(q.fetch_job(job_id))
            if not any(q.count for q in queues):
                return ran
            worker = SimpleWorker(queues, connection=self.redis)
            worker.work(burst=True, logging_level="WARNING")
            ran += 1
        return ran

    # ---- the bot ---------------------------------------------------------
    def post_update(self, update, secret=None):
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret or self.settings.telegram_webhook_secret}
        return self.client.post("/telegram_webhook", json=update, headers=headers)

    def send(self, user_id, text, **user):
        response = self.post_update(make_message_update(self.next_update_id(), user_id, text, **user))
        assert response.status_code == 200, response.get_data(as_text=True)
        self.run_jobs()

    def press(self, user_id, data, message=None, **user):
        """Press a button with this callback data (even one no screen shows: a forged press)."""
        message = message or self.telegram.last_message(user_id)
        response = self.post_update(make_callback_update(self.next_update_id(), user_id, data, message, **user))
        assert response.status_code == 200
        self.run_jobs()

    def click(self, user_id, text_contains, **user):
        """Press the newest button whose label contains the text, as the user would."""
        button = self.telegram.find_button(user_id, text_contains)
        assert button is not None, f"no button {text_contains!r} in {self.last_text(user_id)!r}"
        assert "callback_data" in button, f"button {text_contains!r} is a link, not a callback"
        self.press(user_id, button["callback_data"], self.message_with(user_id, button), **user)

    def message_with(self, user_id, button):
        """The newest message of this user's chat that carries the button."""
        for message in reversed(self.telegram.messages(user_id)):
            if button in self.telegram.buttons(message):
                return message
        raise AssertionError("button not on any message")

    def last_text(self, user_id):
        message = self.telegram.last_message(user_id)
        return (message or {}).get("text") or (message or {}).get("caption")

    def texts(self, user_id):
        return [m.get("text") or m.get("caption") or "" for m in self.telegram.messages(user_id)]

    def link_button(self, user_id, text_contains):
        button = self.telegram.find_button(user_id, text_contains)
        assert button is not None and "url" in button, f"no link button {text_contains!r}"
        return button["url"]

    # ---- the mini app ----------------------------------------------------
    def api(self, user_id, method, path, **kw):
        """Call the mini app's API as this Telegram user (signed initData), as the page does."""
        headers = {**auth(self.settings.bot_token, user_id), **kw.pop("headers", {})}
        return getattr(self.client, method)(f"/miniapp_api/api/{path}", headers=headers, **kw)

    # ---- payments and the scheduler --------------------------------------
    def cryptopay_webhook(self, raw_body: bytes, headers: dict):
        return self.client.post("/cryptobot_webhook", data=raw_body, headers=headers)

    def yookassa_notify(self, body: dict):
        return self.client.post("/yukassa_webhook", data=json.dumps(body), content_type="application/json")

    def cron_tick(self):
        return self.client.post("/cron_tick", headers={"Authorization": f"Bearer {self.settings.cron_secret}"})
