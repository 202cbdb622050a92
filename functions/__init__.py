"""HTTP entry points: verify the caller, record what must not be lost, enqueue, answer fast."""
