"""How long finished runs are kept: ``ORCH_RUN_RETENTION`` and the durations of ``orch run prune``."""

from __future__ import annotations

import pytest

from orchestrator.distributed.retention import (
    DEFAULT_RUN_RETENTION,
    code_blob_ttl,
    parse_duration,
    run_retention,
    trim_spacing,
)
from orchestrator.errors import ConfigError


@pytest.mark.parametrize("text, seconds", [
    ("3600", 3600.0), ("0", 0.0), ("2.5", 2.5), ("90s", 90.0), ("30m", 1800.0), ("12h", 43200.0),
    ("7d", 604800.0), ("2w", 1209600.0), ("1d12h", 129600.0), (" 1H30M ", 5400.0),
])
def test_durations_are_seconds_or_amounts_with_units(text: str, seconds: float) -> None:
    assert parse_duration(text, "--older-than") == seconds


@pytest.mark.parametrize("text", ["", "soon", "7 days", "12x", "-5", "1d-2h", "inf", "nan", "d7"])
def test_a_bad_duration_names_where_it_was_written(text: str) -> None:
    with pytest.raises(ConfigError, match=r"^ORCH_RUN_RETENTION="):
        parse_duration(text, "ORCH_RUN_RETENTION")


def test_the_default_retention_is_seven_days(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORCH_RUN_RETENTION", raising=False)
    assert run_retention() == DEFAULT_RUN_RETENTION == 7 * 86400
    monkeypatch.setenv("ORCH_RUN_RETENTION", "36h")
    assert run_retention() == 36 * 3600
    monkeypatch.setenv("ORCH_RUN_RETENTION", "0.5")
    with pytest.raises(ConfigError, match="shorter than a second.*orch run prune"):
        run_retention()
    monkeypatch.setenv("ORCH_RUN_RETENTION", "a week")
    with pytest.raises(ConfigError, match="ORCH_RUN_RETENTION='a week' is not a duration"):
        run_retention()


def test_the_trim_cadence_and_the_blob_lifetime_follow_the_retention() -> None:
    assert trim_spacing(DEFAULT_RUN_RETENTION) == 60.0
    assert trim_spacing(30) == 3.0 and trim_spacing(3) == 1.0
    assert code_blob_ttl(DEFAULT_RUN_RETENTION) == 14 * 86400
    assert code_blob_ttl(0.2) == 1


def test_an_instance_checks_the_retention_when_it_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker with a bad ORCH_RUN_RETENTION stops at start (its Instance), not at its first close."""
    from orchestrator.distributed.instance import Instance

    monkeypatch.setenv("ORCH_RUN_RETENTION", "12h")
    assert Instance(redis_url="redis://127.0.0.1:6379/0").retention == 43200
    monkeypatch.setenv("ORCH_RUN_RETENTION", "forever")
    with pytest.raises(ConfigError, match="ORCH_RUN_RETENTION='forever' is not a duration"):
        Instance(redis_url="redis://127.0.0.1:6379/0")
