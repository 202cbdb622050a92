"""The reconciler: finds what the database and the outside world disagree on, and repairs it."""
