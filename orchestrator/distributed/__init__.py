"""Distributed runs: every step a Celery task over Redis, the run state in Redis, no coordinator."""
