"""The scheduler process (``orch scheduler start``): evaluates a code location's schedules on their
cron strings and its sensors every ``minimum_interval_seconds``, and submits the runs they request
through ``submit_job``. Its state lives in Redis (``schedule_storage.py``); several schedulers may
run at once, each tick and each run key being taken exactly once.

Modules: ``cron`` (when a schedule ticks, DST included), ``ticks`` (tick records, fixed run ids),
``leases`` (tick leases and their renewal), ``run_requests`` (checking and submitting requests),
``run_feed`` (finished runs and materializations for asset and run status sensors),
``schedules`` / ``sensors`` (one tick of each), ``evaluation`` (what both share), ``daemon`` (the loop).
"""
