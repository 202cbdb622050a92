"""What the admin sees of a running broadcast: one progress message, edited as it goes, then the report."""
import time

from lib.accounts.actions import languages
from lib.broadcast import deliveries
from lib.broadcast.send import SENT, send_paced
from lib.telegram.callbacks import pack
from lib.telegram.ui import one_button
from lib.texts import t

PROGRESS_SECONDS = 2.0  # edit the progress message at most this often…
PROGRESS_MESSAGES = 100  # …or after this many recipients, whichever comes first


def done_count(state: dict) -> int:
    return state["sent"] + state["blocked"] + state["failed"]


def progress_text(lang: str, state: dict) -> str:
    return t(lang, "bc_progress", id=state["id"], done=done_count(state), total=state["total"],
             sent=state["sent"], blocked=state["blocked"], failed=state["failed"])


def final_text(lang: str, state: dict) -> str:
    seconds = int(((state["finished_at"] or state["started_at"]) - state["started_at"]).total_seconds()) \
        if state["started_at"] else 0
    key = "bc_report_cancelled" if state["status"] == "cancelled" else "bc_report_done"
    return t(lang, key, id=state["id"], done=done_count(state), total=state["total"], sent=state["sent"],
             blocked=state["blocked"], failed=state["failed"],
             took=t(lang, "bc_duration", minutes=seconds // 60, seconds=seconds % 60))


class Progress:
    """The admin's progress message for one run of the job (the message itself outlives the run)."""

    def __init__(self, bot, pacer, redis, state: dict):
        self.bot, self.pacer, self.id, self.chat = bot, pacer, state["id"], state["admin_id"]
        # Held around "still running? then edit" and "close, then report": a run that is late with
        # its progress edit can never overwrite the final report another run has just put there.
        self.lock = redis.lock(f"shop:broadcast:report:{self.id}", timeout=120, blocking_timeout=150)
        self.lang = languages([self.chat])[self.chat]
        self.message_id, self.shown = state["progress_message_id"], None
        self.last, self.since = time.monotonic(), 0

    def _stop_button(self):
        return one_button(self.lang, "bc_btn_stop", pack("admbx", self.id))

    def open(self, state: dict) -> None:
        """Send the progress message unless an earlier run did."""
        if self.message_id is not None:
            return
        text = progress_text(self.lang, state)
        outcome, message = send_paced(self.bot, self.pacer,
                                      lambda: self.bot.send_message(self.chat, text, reply_markup=self._stop_button()))
        if outcome == SENT:
            self.message_id, self.shown = deliveries.set_progress_message(self.id, message.message_id), text

    def tick(self) -> None:
        """After each recipient: edit the progress message when it is due."""
        self.since += 1
        if self.since < PROGRESS_MESSAGES and time.monotonic() - self.last < PROGRESS_SECONDS:
            return
        self.last, self.since = time.monotonic(), 0
        with self.lock:
            state = deliveries.refresh_counts(self.id)
            if state["finished_at"] is None:  # else another run has put the final report there
                self._edit(progress_text(self.lang, state), self._stop_button())

    def _edit(self, text, markup) -> None:
        if self.message_id is None or text == self.shown:
            return
        # An edit that fails (the admin deleted the message) is not worth a retry: the report follows.
        send_paced(self.bot, self.pacer,
                   lambda: self.bot.edit_message_text(text, self.chat, self.message_id, reply_markup=markup))
        self.shown = text

    def notify(self, key: str, **params) -> None:
        """A message to the admin about this broadcast (e.g. Telegram refused its text)."""
        text = t(self.lang, key, **params)
        send_paced(self.bot, self.pacer, lambda: self.bot.send_message(self.chat, text))

    def close(self) -> dict | None:
        """Close the broadcast and report it: the progress message shows the end (no Stop button) and a
        new message tells the admin. None when another run closed it already (and reported)."""
        with self.lock:
            state = deliveries.finish(self.id)
            if state is not None:
                self.message_id = state["progress_message_id"] or self.message_id  # made by another run
                text = final_text(self.lang, state)
                self._edit(text, None)
                send_paced(self.bot, self.pacer, lambda: self.bot.send_message(self.chat, text))
        return state
