"""One send schedule shared by every broadcast sender, kept in Redis, under Telegram's limit.

Telegram allows about 30 messages a second per bot, counted over a sliding second on its side.
Each send reserves a moment that is:
  - on an even schedule of LIMIT per WINDOW seconds, allowed to make up to CATCH_UP seconds of
    slots lost to a stall (a slow database round trip), never closer than MIN_GAP to the last;
  - at least WINDOW after the LIMIT-th most recent send, where a send counts from the moment it
    was *answered* (the same sender's next reservation records it): Telegram stamped it no later
    than that. So however late a request reached Telegram, no second of Telegram's ever holds
    more than LIMIT of ours (exactly so for one sender; for several, in-flight sends count from
    their reservation). The margin over 1 s only covers clock granularity.
The schedule lives in Redis, so two broadcast jobs (or workers) share one budget.
"""
import itertools
import time
import uuid

LIMIT = 30  # sends per window
WINDOW = 1.01  # seconds; Telegram counts 30 per 1 s
CATCH_UP = 0.25  # seconds of lost slots a late sender may make up (about 7 sends)
MIN_GAP = 0.02  # seconds between two sends even when catching up (at most 50/s for a moment)
KEY = "shop:broadcast:{pace}"  # one hash slot for the three keys
# KEYS: recent sends (sorted set: token -> moment), the even schedule's next slot, hold-until.
# ARGV: limit, window, catch_up, min_gap, this sender's previous token ('' for none), new token.
# Returns how long the caller waits for its moment.
_RESERVE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local limit, window, catch_up, gap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[1], 'XX', 'GT', t, ARGV[5]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t - window - 60)
local slot = tonumber(redis.call('GET', KEYS[2]) or '0')
local at = math.max(t, slot, tonumber(redis.call('GET', KEYS[3]) or '0'))
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then at = math.max(at, tonumber(last[2]) + gap) end
if redis.call('ZCARD', KEYS[1]) >= limit then
  at = math.max(at, tonumber(redis.call('ZRANGE', KEYS[1], -limit, -limit, 'WITHSCORES')[2]) + window)
end
local ttl = math.floor((at - t + 120) * 1000)
redis.call('ZADD', KEYS[1], at, ARGV[6])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('SET', KEYS[2], string.format('%.6f', math.max(slot, at - catch_up) + window / limit), 'PX', ttl)
return string.format('%.6f', at - t)
"""
# After a 429: nobody sends before now + retry_after.
_HOLD = """
local now = redis.call('TIME')
local until_ = tonumber(now[1]) + tonumber(now[2]) / 1000000 + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.6f', until_), 'PX', math.floor((tonumber(ARGV[1]) + 60) * 1000))
end
return 1
"""


class Pacer:
    def __init__(self, redis, limit: int = LIMIT, window: float = WINDOW, catch_up: float = CATCH_UP,
                 min_gap: float = MIN_GAP, key: str = KEY):
        self.args, self.keys = [limit, window, catch_up, min_gap], [key, key + ":slot", key + ":hold"]
        self._tokens = (f"{uuid.uuid4().hex[:12]}:{n}" for n in itertools.count())
        self._previous = ""
        self._reserve = redis.register_script(_RESERVE)
        self._hold = redis.register_script(_HOLD)

    def wait_turn(self) -> float:
        """Block until this caller's send slot; return the seconds waited.

        One sender sends one message at a time: calling this again means the last one was answered.
        """
        token = next(self._tokens)
        wait = float(self._reserve(keys=self.keys, args=[*self.args, self._previous, token]))
        self._previous = token
        if wait > 0:
            time.sleep(wait)
        return wait

    def hold(self, seconds: float) -> None:
        """Telegram said retry_after: move every sender's next slot to at least now + seconds."""
        self._hold(keys=self.keys[2:], args=[seconds])
