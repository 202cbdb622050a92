"""Per-user limit on the mini app API, counted in Redis so every web worker shares it.

Fixed windows of one minute of the shop's clock (lib.clock): the key names the minute, so a user's
window ends at the same moment on every worker, and Retry-After is simply what is left of it. One
Redis round trip per request, like the bot's flood guard (lib/telegram/throttle.py).
"""
import math

WINDOW_SECONDS = 60
_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""
_script = None


def retry_after(redis, user_id: int, limit: int, now_epoch: float) -> int:
    """0 when this request is within the user's `limit` a minute (0: no limit); else the seconds until
    their window ends (1..60)."""
    global _script
    if not limit:
        return 0
    if _script is None:
        _script = redis.register_script(_COUNT)
    window = int(now_epoch // WINDOW_SECONDS)
    # The key outlives its minute a little: workers' clocks differ by a few seconds.
    seen = int(_script(keys=[f"shop:miniapp:rate:{user_id}:{window}"], args=[2 * WINDOW_SECONDS], client=redis))
    if seen <= limit:
        return 0
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now_epoch))
