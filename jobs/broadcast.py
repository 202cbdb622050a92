"""Send a broadcast to its segment: each user claimed once, paced under Telegram's limit, progress to the admin.

One run works for at most CHUNK_SECONDS and then queues the next run, so a worker is never held
for long (other queues get their turn between chunks) and a run killed midway costs little: the
next one skips every user already claimed. The admin gets one report, from whichever run closes
the broadcast. A run notes when it last sent (active_at): if Redis loses the next run's job, cron_tick
queues it again once the broadcast has been quiet for STUCK_ORDER_AFTER.
"""
import logging
import time

import requests

from lib.broadcast import deliveries, segments
from lib.broadcast.broadcasts import cancel_broadcast, mark_active, queue_run, snapshot
from lib.broadcast.pacer import Pacer
from lib.broadcast.send import LATER, REFUSED, markup_for, send_message
from lib.exclusive import exclusive
from lib.models.database import run_transaction
from lib.runtime import current
from lib.telegram.admin.broadcast_progress import Progress
from lib.telegram.bot import get_bot

log = logging.getLogger(__name__)
CHUNK_SECONDS = 120
PAGE = 200  # recipients read per query
FINISHED, STOPPED, CONTINUE = "finished", "stopped", "continue"


def _send_all(rt, bot, pacer, state, progress, deadline) -> str:
    text, markup = state["text"], markup_for(state["button_text"], state["button_url"])
    after, previous = 0, None  # previous: the last outcome, written with the next claim
    try:
        while True:
            page = run_transaction(segments.pending_page, state["id"], state["segment"], after, PAGE)
            if not page:
                return FINISHED
            mark_active(state["id"])
            for user_id in page:
                if time.monotonic() > deadline:
                    return CONTINUE
                claim, previous = deliveries.claim(state["id"], user_id, previous), None
                if claim == "stopped":  # cancelled by an admin
                    return STOPPED
                if claim == "taken":  # another run got there first
                    continue
                try:
                    outcome, detail = send_message(bot, pacer, user_id, text, markup)
                except requests.exceptions.ConnectionError:
                    deliveries.release(state["id"], user_id)  # it never left; RQ retries the job later
                    raise
                if outcome in (LATER, REFUSED):  # the user is handed back: never sent
                    deliveries.release(state["id"], user_id)
                if outcome == LATER:  # rate limited for long: go on in the next run
                    return CONTINUE
                if outcome == REFUSED:  # a bad text or button: every recipient would get the same answer
                    progress.notify("bc_refused", error=detail)
                    cancel_broadcast(rt, state["id"])
                    return STOPPED
                previous = (user_id, outcome, detail)
                progress.tick()
            after = page[-1]
    finally:
        if previous is not None:
            deliveries.record(state["id"], *previous)


def run(broadcast_id: int, chunk_seconds: float = CHUNK_SECONDS) -> str:
    """Send for up to chunk_seconds, then queue the rest; close and report the broadcast at its end."""
    rt = current()
    if not rt.settings.telegram_enabled:
        return "telegram off"
    state = snapshot(broadcast_id)
    if state is None or state["status"] not in ("sending", "cancelled") or state["finished_at"] is not None:
        return "nothing to do"
    with exclusive(f"broadcast:{broadcast_id}") as alone:
        if not alone:  # a run is sending it now (cron_tick resumes only a quiet broadcast)
            return "busy"
        return _run(rt, state, chunk_seconds)


def _run(rt, state, chunk_seconds) -> str:
    broadcast_id = state["id"]
    bot, pacer = get_bot(rt.settings), Pacer(rt.redis)
    progress = Progress(bot, pacer, rt.redis, state)
    if state["status"] == "sending":
        progress.open(state)
        outcome = _send_all(rt, bot, pacer, state, progress, time.monotonic() + chunk_seconds)
        if outcome == CONTINUE:
            queue_run(rt, broadcast_id, chunk_seconds)
            return CONTINUE
    final = progress.close()
    if final is None:  # another run closed it and reported
        return "already finished"
    log.info("broadcast %s %s: %s sent, %s blocked, %s failed", broadcast_id, final["status"], final["sent"],
             final["blocked"], final["failed"])
    return final["status"]
