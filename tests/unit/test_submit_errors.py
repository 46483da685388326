"""Submitting to an unreachable Redis fails clearly, masks the password, and records nothing."""

from __future__ import annotations

import pytest

from orchestrator import ConfigError, Instance, OrchestratorError, submit_job
from orchestrator.local.processes import free_port


def test_unreachable_redis_at_submit_names_the_masked_url() -> None:
    from definitions.seed_op_job import do_stuff

    port = free_port()  # nothing listens there
    instance = Instance(redis_url=f"redis://user:hunter2-secret@127.0.0.1:{port}/0", secret="s")
    with pytest.raises(OrchestratorError) as err:
        submit_job(do_stuff, instance=instance)
    text = str(err.value)
    assert f"127.0.0.1:{port}" in text and "Cannot reach Redis" in text
    assert "hunter2-secret" not in text and "***" in text


def test_config_is_checked_before_redis_is_touched() -> None:
    from definitions.seed_hardcoded_config import do_it_all_with_default_config as job

    instance = Instance(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(ConfigError) as err:
        submit_job(job, run_config={"ops": {"do_something": {"config": {"config_param": 1}}}}, instance=instance)
    assert "ops.do_something.config.config_param" in str(err.value)


def test_no_redis_url_anywhere_is_a_clear_error(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("ORCH_HOME", str(tmp_path))
    with pytest.raises(OrchestratorError, match="REDIS_URL is not set"):
        Instance.from_env()
