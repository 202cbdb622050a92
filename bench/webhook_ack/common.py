"""The bench's fixed values: paths, secrets, targets and the update bodies that wrk and the open loop send."""
import sys
from pathlib import Path

from benchlib import BENCH

LUA = BENCH / "webhook_update.lua"
VENV_BIN = Path(sys.executable).parent

SECRET = "bench-webhook-secret-0123456789"
BOT_TOKEN = "123456:BENCH-token-aaaaaaaaaaaaaaaaaaaa"
PATH = "/telegram_webhook"
UNBALANCED_SHARE = 0.75  # a worker's share of the server CPU above which a ceiling round is lopsided
NOISY_OTHER_PERCENT = 10.0  # CPU of other processes during a phase, % of the machine
TARGET_RATIO = 60.0  # shop throughput as % of the bare ceiling, at least
TARGET_P99_MS = 50.0  # shop p99 at the offered rate, at most
# update_id ranges: each phase of each app gets its own block; wrk threads stride 1e8 inside it.
PHASE_BASES = {("bare", "warmup"): 10**10, ("bare", "ceiling"): 2 * 10**10, ("bare", "latency"): 3 * 10**10,
               ("shop", "warmup"): 4 * 10**10, ("shop", "ceiling"): 5 * 10**10, ("shop", "latency"): 6 * 10**10}
BODY_PREFIX = '{"update_id": '
BODY_SUFFIX = (', "message": {"message_id": 4242, "from": {"id": 500001, "is_bot": false, "first_name": "Ann", '
               '"username": "ann_bench", "language_code": "en"}, "chat": {"id": 500001, "first_name": "Ann", '
               '"username": "ann_bench", "type": "private"}, "date": 1767225600, "text": "/start", '
               '"entities": [{"offset": 0, "length": 6, "type": "bot_command"}]}}')
