"""POST one outbox event to N8N_WEBHOOK_URL; on failure back off and let cron_tick retry."""
from datetime import timedelta

import requests

from lib import clock
from lib.events import event_body
from lib.models import Event
from lib.models.database import run_transaction
from lib.runtime import current

MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at an hour."""
    return min(timedelta(seconds=30 * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


def _pending_body(event_id):
    event = Event.get(id=event_id)
    return None if event is None or event.delivered_at else event_body(event)


def _record(event_id, error):
    event = Event[event_id]
    if error is None:
        event.delivered_at, event.last_error = clock.now(), None
    else:
        event.attempts += 1
        event.last_error = error[:500]
        event.next_attempt_at = clock.now() + backoff(event.attempts)


def run(event_id: str) -> str:
    rt = current()
    url = rt.settings.n8n_webhook_url
    if not url:
        return "kept: N8N_WEBHOOK_URL is not set"
    body = run_transaction(_pending_body, event_id)
    if body is None:
        return "nothing to do"
    headers = {"X-Api-Key": rt.settings.n8n_api_key} if rt.settings.n8n_api_key else {}
    try:
        response = requests.post(url, json=body, headers=headers, timeout=10)
        error = None if response.ok else f"HTTP {response.status_code}"
    except requests.RequestException as exc:
        error = type(exc).__name__
    run_transaction(_record, event_id, error)
    if error:
        raise RuntimeError(f"event {event_id} not delivered: {error}")
    return "delivered"
