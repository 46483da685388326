"""References to environment variables in config: ``EnvVar("NAME")`` and ``EnvVar.int("NAME")``.

An ``EnvVar`` stands for the variable, not its value: config and resources built with one keep
the reference (``{"env": "NAME"}`` in run config and in run records) and the value is read only
where the config is used, by the process that runs the step. So a secret set only in the
workers' environment never passes through the submitting process or Redis.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

__all__ = ["EnvVar", "IntEnvVar", "env_var_name_of", "env_ref", "is_env_ref"]


def _direct_access_error(kind: str, name: str) -> RuntimeError:
    return RuntimeError(
        f'Attempted to directly retrieve environment variable {kind}("{name}"). {kind} defers resolution of '
        "the environment variable value until run time, and should only be used as input to Dagster config "
        "or resources.\n\nTo access the environment variable value, call `get_value` on the "
        f"{kind}, or use os.getenv directly."
    )


class EnvVar(str):
    """A reference to an environment variable, read where the config or resource using it is built.

    ``EnvVar("NAME")`` goes in a ``str`` field of a ``Config`` class or ``ConfigurableResource``
    (``EnvVar.int("NAME")`` in an ``int`` field). The object keeps the reference: run config and
    run records hold ``{"env": "NAME"}``, and the value is read by the process that runs the step
    (a worker, for a submitted run), so a secret set only in the workers' environment never passes
    through the submitting process or Redis. ``get_value()`` reads it in this process.

    Raises:
        RuntimeError: from ``str(env_var)``, so a reference is never mistaken for the value (its
            name is ``env_var.env_var_name``).

    Examples:
        >>> import os
        >>> from orchestrator import ConfigurableResource, EnvVar, build_resources
        >>> class Database(ConfigurableResource):
        ...     password: str
        >>> os.environ["DOCS_DB_PASSWORD"] = "s3cret"
        >>> database = Database(password=EnvVar("DOCS_DB_PASSWORD"))
        >>> database.password
        EnvVar("DOCS_DB_PASSWORD")
        >>> with build_resources({"database": database}) as resources:
        ...     print(resources.database.password)
        s3cret
        >>> del os.environ["DOCS_DB_PASSWORD"]
    """

    @classmethod
    def int(cls, name: str) -> IntEnvVar:
        """A reference to an environment variable holding an integer."""
        return IntEnvVar.create(name)

    def __str__(self) -> str:
        raise _direct_access_error("EnvVar", self.env_var_name)

    def __repr__(self) -> str:
        return f'EnvVar("{self.env_var_name}")'

    @property
    def env_var_name(self) -> str:
        """The name of the environment variable."""
        return str.__str__(self)

    def get_value(self, default: str | None = None) -> str | None:
        """The variable's value in this process's environment, else ``default``."""
        return os.getenv(self.env_var_name, default)


class IntEnvVar(int):
    """An environment variable holding an integer (``EnvVar.int("NAME")``), for ``int`` fields."""

    name: str

    @classmethod
    def create(cls, name: str) -> IntEnvVar:
        """The reference to ``name`` (its int value, 0, is a placeholder and never used)."""
        var = cls(0)
        var.name = name
        return var

    def __int__(self) -> int:
        raise _direct_access_error("IntEnvVar", self.name)

    def __str__(self) -> str:
        raise _direct_access_error("IntEnvVar", self.name)

    def __repr__(self) -> str:
        return f'IntEnvVar("{self.name}")'

    @property
    def env_var_name(self) -> str:
        """The name of the environment variable."""
        return self.name

    def get_value(self, default: int | None = None) -> int | None:
        """The variable's value as an int in this process's environment, else ``default``."""
        value = os.getenv(self.name)
        return int(value) if value else default

    def __reduce__(self) -> tuple[Any, ...]:
        return (IntEnvVar.create, (self.name,))


def env_var_name_of(value: object) -> str | None:
    """The variable ``value`` refers to (an ``EnvVar``, ``IntEnvVar`` or ``{"env": NAME}``), else None."""
    if isinstance(value, (EnvVar, IntEnvVar)):
        return value.env_var_name
    if isinstance(value, Mapping) and len(value) == 1 and isinstance(value.get("env"), str):
        return str(value["env"])
    return None


def is_env_ref(value: object) -> bool:
    """Whether ``value`` is a reference to an environment variable."""
    return env_var_name_of(value) is not None


def env_ref(name: str) -> dict[str, str]:
    """The run-config form of a reference: ``{"env": name}`` (plain JSON, safe to store)."""
    return {"env": name}
