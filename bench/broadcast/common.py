"""The bench's fixed values, its log line and its loopback check."""
import benchlib

BOT_TOKEN = "424242:BENCH-broadcast-token"
ADMIN = 10_000_000  # not one of the recipients
TEXT = "<b>Bench</b> broadcast: hello &amp; thanks"
PLAIN = "Bench broadcast: hello & thanks"
TARGET = 0.95


def log(msg):
    benchlib.log(msg, "broadcast-bench")


def loopback_only(url):
    if not benchlib.on_loopback(url):
        raise SystemExit(f"bench: {url} is not on loopback")
