"""RQ jobs: each takes ids, reads the current state, does what is still missing, and returns."""
