"""Idempotency keys: a retried POST is answered from the store instead of running twice."""
