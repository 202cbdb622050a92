"""Per-user flood protection for Telegram updates, counted in Redis so every process shares it.

A user's window opens with their first message or button press and lasts WINDOW_SECONDS; the
first `limit` updates in it are handled, the next one earns one polite warning, the rest are
dropped. One Redis round trip per update (a tiny Lua script).
"""
WINDOW_SECONDS = 60
HANDLE, WARN, DROP = "handle", "warn", "drop"
_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""
_script = None


def sender_of(update: dict):
    """(user id, chat id, Telegram language code) of a message or button press, else None.

    A payment's service message is never counted nor gated: money must always be recorded."""
    message, call = update.get("message"), update.get("callback_query")
    source = message or call
    if not isinstance(source, dict) or not isinstance(source.get("from"), dict):
        return None
    if message and "successful_payment" in message:
        return None
    sender = source["from"]
    if not isinstance(sender.get("id"), int):
        return None
    if message:
        chat = (message.get("chat") or {}).get("id", sender.get("id"))
    else:
        chat = ((call.get("message") or {}).get("chat") or {}).get("id", sender.get("id"))
    return sender.get("id"), chat, sender.get("language_code")


def count_update(redis, user_id: int, limit: int) -> str:
    """HANDLE, WARN (the first update over the limit in this window) or DROP."""
    global _script
    if not limit:
        return HANDLE
    if _script is None:
        _script = redis.register_script(_COUNT)
    seen = int(_script(keys=[f"shop:rate:{user_id}"], args=[WINDOW_SECONDS], client=redis))
    if seen <= limit:
        return HANDLE
    return WARN if seen == limit + 1 else DROP


def first_ban_notice(redis, user_id: int) -> bool:
    """True once per window: a banned user is told once, then ignored until the window ends."""
    return bool(redis.set(f"shop:banned-told:{user_id}", "1", nx=True, ex=WINDOW_SECONDS))
