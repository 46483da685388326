"""``python -m orchestrator.cli ...``: the ``orch`` command, for processes started with this interpreter
(``orch dev`` starts its scheduler this way)."""

from orchestrator.cli import main

if __name__ == "__main__":
    main()
