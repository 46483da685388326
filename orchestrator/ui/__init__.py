"""The web UI and HTTP API (``orch ui``): runs, jobs, assets and schedules over the instance's Redis.

A Starlette app (:func:`orchestrator.ui.app.create_app`) of server-rendered pages, a little
JavaScript, server-sent events for live run logs, and a JSON API documented at
``/api/openapi.json``. It binds 127.0.0.1 unless an access token (``ORCH_UI_TOKEN``) is set.
"""
