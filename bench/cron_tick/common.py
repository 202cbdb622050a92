"""The bench's fixed values, its log line and the shop's clock (naive UTC)."""
from datetime import datetime, timezone

import benchlib

CRON_SECRET = "bench-cron-secret-0123456789"
TARGET_MS = 100.0
BIG_TABLE_ROWS = 10_000  # a Seq Scan on a table larger than this is flagged
MANY_FILTERED = 1_000  # and so is an index scan that reads and drops more rows than this
MIX = {"vpn_reminders": 0.35, "vps_reminders": 0.10, "vpn_expiries": 0.35, "vps_suspensions": 0.15,
       "vps_deletions": 0.05}
U0 = 10**8  # first user id


def log(msg):
    benchlib.log(msg, "cron-bench")

def utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)

