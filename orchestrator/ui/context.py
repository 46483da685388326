"""What every page and API answer of the UI reads from: the code location, the instance, and how
to reach Flower."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator.cli.loading import LoadedCode
    from orchestrator.definitions.jobs import JobDefinition
    from orchestrator.distributed.instance import Instance

__all__ = ["UiContext", "UnknownJob"]


class UnknownJob(LookupError):
    """A job name the loaded code location does not define (a 404 of the UI)."""


@dataclass
class UiContext:
    """The UI's view of the world.

    :param instance: the instance whose Redis holds the runs (its URL is only ever shown masked).
    :param code: the loaded code location (jobs, assets, schedules, sensors); None shows runs only.
    :param flower_url: Flower's base URL, to link each step to its Celery task; None: no links.
    :param token: the access token every request must carry; None (loopback only): no check.
    """

    instance: Instance
    code: LoadedCode | None = None
    flower_url: str | None = None
    token: str | None = None

    @property
    def source(self) -> str:
        """Where the code came from, for headings (``module 'x'``, a file path)."""
        return self.code.source if self.code is not None else "no code location"

    def job_names(self) -> list[str]:
        if self.code is None:
            return []
        return sorted(n for n in self.code.repository.job_names if not n.startswith("__"))

    def get_job(self, name: str) -> JobDefinition:
        """The job ``name``; ``UnknownJob`` naming the jobs that exist otherwise."""
        if self.code is None or not self.code.repository.has_job(name):
            names = ", ".join(self.job_names()) or "none"
            raise UnknownJob(f"No job named '{name}' in {self.source}. Jobs defined: {names}.")
        return self.code.repository.get_job(name)
