"""The bench's fixed values: defaults and the issue's targets."""
REDIS_URL = "redis://127.0.0.1:6379/15"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

TARGET_FULFILLED_S = 10.0  # every order fulfilled within this many seconds of the first webhook…
TARGET_ORDERS_PER_S = 12.0  # …which is at least this many orders a second for 120 orders
TARGET_EVENTS_AFTER_S = 5.0  # the last business event out at most this long after the last fulfilment
NOISY_REST_S = 0.15  # CPU seconds per wall second used outside the storm's processes: the machine was busy

# What the team measured on the previous main (forking RQ worker), for the table.
BEFORE = {"latency_p50_ms": "36-47", "latency_p99_ms": "122-126", "all_fulfilled_s": "21-24",
          "orders_per_s": "5.0-5.6", "last_event_s": "73"}
