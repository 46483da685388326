"""The Celery side: ``worker.app:app`` and the one step task every step runs as."""
