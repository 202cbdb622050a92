"""Everything in one process for development: web, worker, a once-a-minute cron ticker.

    python local_runner.py              # run the shop (no configuration needed)
    python local_runner.py set-webhook  # register PUBLIC_URL/telegram_webhook with Telegram
    python local_runner.py doctor       # check the live setup and say in plain words what is wrong

With no DATABASE_URL it keeps an SQLite file under ./data/, with no REDIS_URL it uses an
in-process Redis, and with BOT_TOKEN but no PUBLIC_URL it long-polls Telegram instead of
waiting for a webhook.
"""
import logging
import sys
import threading
import time

from rq import SimpleWorker
from rq.timeouts import TimerDeathPenalty
from werkzeug.serving import make_server

from lib.config import ConfigError, feature_report, load_settings, logging_settings
from lib.observability.logs import setup_logging
from lib.runtime import init_runtime
from lib.tasks import QUEUES, queue

log = logging.getLogger("local_runner")
CRON_EVERY_SECONDS = 60


class ThreadSafeWorker(SimpleWorker):
    """Runs jobs in this process; SIGALRM timeouts only work in the main thread, timers anywhere."""
    death_penalty_class = TimerDeathPenalty


def in_process_redis():
    import fakeredis
    return fakeredis.FakeRedis(server=fakeredis.FakeServer())


def start_scheduler(rt):
    """RQ's scheduler (retries with back-off) in a thread: its usual forked process could not
    see an in-process Redis."""
    from rq.scheduler import RQScheduler
    scheduler = RQScheduler(list(QUEUES), connection=rt.redis)

    def move_due_jobs_forever():
        while True:
            try:
                if not scheduler.acquired_locks:
                    scheduler.acquire_locks()
                scheduler.enqueue_scheduled_jobs()
            except Exception:
                log.exception("scheduler pass failed")
            time.sleep(1)
    threading.Thread(target=move_due_jobs_forever, name="scheduler", daemon=True).start()


def start_web(rt):
    from functions.main import app
    server = make_server("0.0.0.0", rt.settings.port, app, threaded=True)
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    log.info("web: serving every function on http://localhost:%s (PUBLIC_URL %s)",
             rt.settings.port, rt.settings.public_url)


def start_cron(rt):
    from functions.cron_tick import tick

    def tick_forever():
        while True:
            time.sleep(CRON_EVERY_SECONDS)
            try:
                log.info("cron_tick: %s", tick(rt))
            except Exception:
                log.exception("cron_tick failed; trying again in a minute")
    threading.Thread(target=tick_forever, name="cron", daemon=True).start()


def start_polling(rt):
    from telebot import apihelper

    from lib.telegram.bot import get_bot
    from lib.telegram.intake import accept_update
    bot = get_bot(rt.settings)

    def poll_forever():
        offset, webhook_removed = None, False
        while True:
            try:
                if not webhook_removed:  # Telegram refuses getUpdates while a webhook is set
                    webhook_removed = bool(bot.remove_webhook())
                # Raw dicts, exactly what a webhook would have received.
                for update in apihelper.get_updates(bot.token, offset=offset, timeout=25, long_polling_timeout=20):
                    accept_update(rt.redis, update["update_id"], update)
                    offset = update["update_id"] + 1
            except Exception as exc:
                log.warning("polling Telegram failed (%s); retrying in 5 s", type(exc).__name__)
                time.sleep(5)
    threading.Thread(target=poll_forever, name="polling", daemon=True).start()
    log.info("telegram: long polling (no PUBLIC_URL); set PUBLIC_URL to an https address to use a webhook")


def run(settings) -> int:
    redis = None
    if not settings.redis_url:
        redis = in_process_redis()
        log.info("redis: in-process (set REDIS_URL to use a real Redis)")
    rt = init_runtime(settings, redis=redis)
    log.info("database: %s", settings.database_url.split("@")[-1])
    for line in feature_report(settings):
        log.info(line)
    start_web(rt)
    start_cron(rt)
    start_scheduler(rt)
    if settings.polling:
        start_polling(rt)
    worker = ThreadSafeWorker([queue(rt.redis, name) for name in QUEUES], connection=rt.redis)
    worker.work()
    return 0


def set_webhook(settings) -> int:
    from lib.telegram.setup import SetupError, register_webhook
    if not settings.telegram_enabled:
        print("BOT_TOKEN is not set: there is no bot to register.", file=sys.stderr)
        return 2
    try:
        url = register_webhook(init_runtime(settings, redis=in_process_redis() if not settings.redis_url else None))
    except SetupError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"Webhook set to {url}, with the secret token, commands and the mini app menu button.")
    return 0


def doctor(settings) -> int:
    """Check every part that is on (nothing is started, nothing is changed); 1 when one is broken."""
    from lib.doctor import run_doctor
    sys.stdout.reconfigure(errors="replace")
    return run_doctor(settings)


def main(argv) -> int:
    try:
        setup_logging(*logging_settings()[:2])
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    command = argv[1] if len(argv) > 1 else "run"
    if command not in ("run", "set-webhook", "doctor"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        settings = load_settings(local=True)
    except ConfigError as exc:
        if command == "doctor":
            print(f"✗ Configuration  {exc}")
            return 1
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    return {"run": run, "set-webhook": set_webhook, "doctor": doctor}[command](settings)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
