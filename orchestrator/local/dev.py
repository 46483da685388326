"""The ``orch dev`` supervisor: a private Redis (unless ``REDIS_URL`` is set), workers and Flower.

Usable from Python too (``make demo``, notebooks, tests)::

    with DevEnvironment(workers=2) as dev:
        submit_job(my_job, instance=dev.instance).wait()

``start()`` writes ``$ORCH_HOME/dev.json`` (``redis_url``, ``secret``, ``flower_url``, ``pid``;
mode 0600) so that ``Instance.from_env()`` in another terminal finds this environment with no
variables set. ``stop()`` stops exactly the processes it started, by process group, and removes
the file. Every process listens on 127.0.0.1 only; logs and Redis state live in ``$ORCH_HOME/dev/``.

With ``watch=`` paths (``orch dev -m``/``-f`` watches its code location), ``wait()`` polls their
``.py`` files and, when one changes, restarts the workers as ``dagster dev`` reloads its code:
a new set of workers starts with the code as it is now, then the previous set is stopped with a
warm shutdown (a step already running finishes, on the code its run was submitted with).

With ``scheduler=`` code location options (``["-m", "my_defs"]``; ``orch dev -m/-f`` passes its
own), an ``orch scheduler start`` process evaluates the location's schedules and sensors, and is
replaced too when the code changes (schedulers may overlap: each tick is taken once).
With ``ui=`` code location options, an ``orch ui`` process serves the web UI on loopback
(``ui_url``, linking steps to Flower), restarted on the same port when the code changes.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator.definitions.io_managers.redis import mask_url
from orchestrator.distributed.task_events import TASK_EVENTS_SETTING
from orchestrator.errors import OrchestratorError
from orchestrator.home import orch_home
from orchestrator.local.code_watch import CodeWatcher
from orchestrator.local.processes import CeleryWorker, ManagedProcess, RedisServer, free_port

if TYPE_CHECKING:
    from orchestrator.distributed.instance import Instance

__all__ = ["DevEnvironment", "DevProcessDied", "flower_available", "read_dev_file", "module_root"]

DEV_FILE = "dev.json"


class DevProcessDied(OrchestratorError):
    """A process of the dev environment exited while it should have been running."""

    def __init__(self, process: ManagedProcess, message: str) -> None:
        super().__init__(message)
        self.process = process


def flower_available() -> bool:
    """Whether Flower is installed (the ``flower`` extra)."""
    return importlib.util.find_spec("flower") is not None


def read_dev_file(home: Path) -> dict[str, Any] | None:
    """The contents of ``home/dev.json``, or None when missing or unreadable."""
    try:
        data = json.loads((home / DEV_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def module_root(module: str, cwd: Path | None = None) -> Path | None:
    """The directory from which dotted ``module`` is importable (without importing it), if found."""
    cwd = (cwd or Path.cwd()).resolve()
    parts = module.split(".")
    candidate = cwd.joinpath(*parts)
    if candidate.with_suffix(".py").is_file() or candidate.is_dir():
        return cwd
    top = parts[0]
    added = str(cwd) not in sys.path
    if added:
        sys.path.insert(0, str(cwd))
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        spec = None
    finally:
        if added:
            with contextlib.suppress(ValueError):
                sys.path.remove(str(cwd))
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0]).resolve().parent
    if spec.origin and spec.origin not in ("built-in", "frozen"):
        return Path(spec.origin).resolve().parent
    return None


#: The web UI's port when none is given and it is free (``orch ui``'s default too).
DEFAULT_UI_PORT = 3000


def _port_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:``port`` (so ``orch ui`` can bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_http(url: str, proc: ManagedProcess, timeout: float) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise OrchestratorError(f"{proc.name} exited at start:\n{proc.log_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as reply:  # noqa: S310 - loopback URL we built
                if reply.status < 500:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise OrchestratorError(f"{proc.name} did not answer at {url} within {timeout}s:\n{proc.log_text()[-3000:]}")


class DevEnvironment:
    """Redis + Celery workers (+ Flower) on loopback for development, stopped together.

    ``redis_url``/``secret`` default to ``REDIS_URL``/``ORCH_SECRET`` from the environment; with no
    Redis URL a private ``redis-server`` is started under ``$ORCH_HOME/dev/redis``, and with no
    secret a random one is generated. ``flower=None`` starts Flower when it is installed.
    """

    def __init__(self, home: str | Path | None = None, workers: int = 2, concurrency: int = 1,
                 flower: bool | None = None, flower_port: int | None = None, redis_url: str | None = None,
                 secret: str | None = None, redis_port: int | None = None, cwd: str | Path | None = None,
                 pythonpath: Sequence[str | Path] = (), queues: Sequence[str] = ("orch",), loglevel: str = "INFO",
                 env: Mapping[str, str] | None = None, write_dev_file: bool = True,
                 worker_timeout: float = 60.0, watch: Sequence[str | Path] = (),
                 on_code_change: Callable[[list[Path]], None] | None = None,
                 retire_timeout: float = 60.0, scheduler: Sequence[str] | None = None,
                 on_warning: Callable[[str], None] | None = None, ui: Sequence[str] | None = None,
                 ui_port: int | None = None) -> None:
        if workers < 0:
            raise ValueError("workers must be >= 0")
        if concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        self.home = Path(home).expanduser().resolve() if home is not None else orch_home().resolve()
        self.state_dir = self.home / "dev"
        self.n_workers = workers
        self.concurrency = concurrency
        self.want_flower = flower
        self.flower_port = flower_port
        self.external_redis_url = redis_url if redis_url is not None else (os.environ.get("REDIS_URL") or None)
        self.secret = secret or os.environ.get("ORCH_SECRET") or secrets.token_hex(32)
        self.secret_generated = not (secret or os.environ.get("ORCH_SECRET"))
        self.redis_port = redis_port
        self.cwd = Path(cwd).resolve() if cwd is not None else Path.cwd()
        self.pythonpath = [str(Path(p).resolve()) for p in pythonpath]
        self.queues = tuple(queues)
        self.loglevel = loglevel
        self.extra_env = dict(env or {})
        self.write_dev_file = write_dev_file
        self.worker_timeout = worker_timeout
        #: Paths whose ``.py`` files ``wait()`` polls; a change restarts the workers.
        self.watch = [Path(p).resolve() for p in watch]
        #: Called with the changed files before the workers restart (``orch dev`` prints them).
        self.on_code_change = on_code_change
        #: How long a replaced worker may take to finish its running steps before it is killed.
        self.retire_timeout = retire_timeout
        self.restarts = 0
        #: Code location options of ``orch scheduler start`` (None: no scheduler process).
        self.scheduler_args = list(scheduler) if scheduler is not None else None
        #: Told what went wrong when a restart could not replace the scheduler (the old one goes on).
        self.on_warning = on_warning
        self.scheduler: ManagedProcess | None = None
        #: Code location options of ``orch ui`` (None: no web UI), and its port (None: a free one).
        self.ui_args = list(ui) if ui is not None else None
        self.ui_port = ui_port
        self.ui: ManagedProcess | None = None
        self.ui_url: str | None = None
        self.ui_error: str | None = None

        self.redis: RedisServer | None = None
        self.workers: list[CeleryWorker] = []
        self.retiring: list[ManagedProcess] = []
        self._watcher: CodeWatcher | None = None
        self.flower: ManagedProcess | None = None
        self.flower_url: str | None = None
        self.flower_error: str | None = None
        self.stopped: list[ManagedProcess] = []
        self._redis_url: str | None = None
        self._started = False
        self._stopping = False
        self._lock = threading.Lock()

    # -- what others need -----------------------------------------------------------------------
    @property
    def redis_url(self) -> str:
        if self._redis_url is None:
            raise OrchestratorError("The dev environment is not started.")
        return self._redis_url

    @property
    def masked_redis_url(self) -> str:
        return mask_url(self.redis_url)

    @property
    def dev_file(self) -> Path:
        return self.home / DEV_FILE

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def instance(self) -> Instance:
        from orchestrator.distributed.instance import Instance

        return Instance(redis_url=self.redis_url, home=self.home, secret=self.secret)

    @property
    def env(self) -> dict[str, str]:
        """The environment of the children (and of anything that should talk to this environment)."""
        paths = [str(self.cwd), *self.pythonpath]
        existing = os.environ.get("PYTHONPATH")
        if existing:
            paths.append(existing)
        return {**self.extra_env, "REDIS_URL": self.redis_url, "ORCH_SECRET": self.secret, "ORCH_HOME": str(self.home),
                "PYTHONPATH": os.pathsep.join(dict.fromkeys(p for p in paths if p))}

    @property
    def processes(self) -> list[ManagedProcess]:
        procs: list[ManagedProcess] = []
        if self.redis is not None:
            procs.append(self.redis)
        procs.extend(self.workers)
        if self.scheduler is not None:
            procs.append(self.scheduler)
        if self.flower is not None:
            procs.append(self.flower)
        if self.ui is not None:
            procs.append(self.ui)
        return procs

    # -- lifecycle --------------------------------------------------------------------------------
    def __enter__(self) -> DevEnvironment:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> DevEnvironment:
        """Start Redis (unless external), the workers and Flower; write dev.json. Stops all on failure."""
        if self._started:
            return self
        self._check_not_running()
        self._started = True
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            self._start_redis()
            # Watch from before the workers import anything: an edit made while they start counts.
            self._watcher = CodeWatcher(self.watch) if self.watch else None
            self._start_workers()
            if self.scheduler_args is not None:
                self.scheduler = self._start_scheduler()
            self._start_flower()
            if self.ui_args is not None:
                self.ui = self._start_ui()
            if self.write_dev_file:
                self._write_dev_file()
        except BaseException:
            self.stop()
            raise
        return self

    def _check_not_running(self) -> None:
        if not self.write_dev_file:
            return
        info = read_dev_file(self.home)
        if info and info.get("pid") != os.getpid() and _pid_alive(info.get("pid")):
            raise OrchestratorError(
                f"`orch dev` is already running for ORCH_HOME={self.home} (pid {info.get('pid')}, Redis at "
                f"{mask_url(str(info.get('redis_url', '?')))}). Stop it first, or use another ORCH_HOME."
            )

    def _start_redis(self) -> None:
        if self.external_redis_url:
            self._redis_url = self.external_redis_url
            self.instance.ping()
            return
        self.redis = RedisServer(self.state_dir / "redis", port=self.redis_port or free_port())
        self.redis.start()
        self._redis_url = self.redis.url

    def _start_workers(self) -> None:
        tag = f"{os.getpid()}" + (f"-r{self.restarts}" if self.restarts else "")
        env = dict(self.env)
        if self.want_flower is not False and flower_available():
            env.setdefault(TASK_EVENTS_SETTING, "1")  # Flower watches from the start (task_events.py)
        for i in range(1, self.n_workers + 1):
            worker = CeleryWorker(f"dev{i}-{tag}", self.log_dir, env, concurrency=self.concurrency,
                                  queues=self.queues, loglevel=self.loglevel, cwd=self.cwd)
            self.workers.append(worker)
            worker.start(wait=False)
        for worker in self.workers:
            worker.wait_ready(self.worker_timeout)

    def _start_scheduler(self, timeout: float = 60.0) -> ManagedProcess:
        """Start ``orch scheduler start`` for the code location and wait until it runs."""
        assert self.scheduler_args is not None
        tag = f"{os.getpid()}" + (f"-r{self.restarts}" if self.restarts else "")
        args = [sys.executable, "-m", "orchestrator.cli", "scheduler", "start", *self.scheduler_args]
        proc = ManagedProcess(f"scheduler-{tag}", args, self.log_dir / f"scheduler-{tag}.log",
                              {**os.environ, **self.env}, self.cwd)
        proc.start()
        deadline = time.monotonic() + timeout
        # It prints "Scheduler <id> for <code> on Redis at <url>:" once the code is loaded.
        while " on Redis at " not in proc.log_text():
            if not proc.alive() or time.monotonic() > deadline:
                proc.stop()
                raise OrchestratorError(f"The scheduler ({' '.join(args[2:])}) did not start:\n{proc.log_text()[-3000:]}")
            time.sleep(0.1)
        return proc

    def restart_scheduler(self) -> None:
        """Replace the scheduler by one with the code as it is now; the old one stops after its
        ticks in flight. If the new one cannot start (the edit broke the code), the old one stays."""
        if self.scheduler_args is None or self._stopping or not self._started:
            return
        try:
            new = self._start_scheduler()
        except OrchestratorError as exc:
            if self.on_warning is not None:
                self.on_warning(f"{exc}\nThe previous scheduler keeps running with the previous code.")
            return
        old, self.scheduler = self.scheduler, new
        if old is not None:
            self.retiring.append(old)
            threading.Thread(target=old.stop, args=(self.retire_timeout,), daemon=True).start()

    def restart_workers(self) -> None:
        """Start a new set of workers (the code as it is now), then retire the previous set.

        The new workers are ready before the old ones stop taking steps, so the queues are never
        left without a consumer. The old ones get a warm shutdown (SIGTERM): a running step
        finishes, then they exit; one still running after ``retire_timeout`` seconds is killed.
        """
        with self._lock:
            if self._stopping or not self._started:
                return
            self.restarts += 1
            old, self.workers = self.workers, []
        self._start_workers()
        self.retiring.extend(old)
        for worker in old:
            threading.Thread(target=worker.stop, args=(self.retire_timeout,), daemon=True).start()
        if self.write_dev_file:
            self._write_dev_file()

    def check_code(self) -> list[Path]:
        """Restart the workers when a watched file changed since the last look; the changed files."""
        if self._watcher is None:
            return []
        changed = self._watcher.changed()
        if changed:
            if self.on_code_change is not None:
                self.on_code_change(changed)
            self.restart_workers()
            self.restart_scheduler()
            self.restart_ui()
        return changed

    def _start_flower(self) -> None:
        explicit = self.want_flower is True
        if self.want_flower is False:
            return
        if not flower_available():
            if explicit:
                raise OrchestratorError("Flower is not installed. Install it with: pip install 'orchestrator[flower]'")
            self.flower_error = "Flower is not installed (pip install 'orchestrator[flower]')"
            return
        port = self.flower_port or free_port()
        args = [sys.executable, "-m", "celery", "-A", "worker.app", "flower", "--address=127.0.0.1", f"--port={port}"]
        proc = ManagedProcess("flower", args, self.log_dir / "flower.log", {**os.environ, **self.env}, self.cwd)
        self.flower = proc
        proc.start()
        url = f"http://127.0.0.1:{port}/"
        try:
            _wait_http(url + "healthcheck", proc, 30.0)
        except OrchestratorError as exc:
            if explicit:
                raise
            proc.stop()
            self.flower = None
            self.flower_error = f"Flower did not start: {str(exc).splitlines()[0]}"
            return
        self.flower_url = url

    def _start_ui(self, timeout: float = 60.0) -> ManagedProcess:
        """Start ``orch ui`` for the code location on loopback (linking to Flower) and wait until it answers."""
        assert self.ui_args is not None
        self.ui_port = self.ui_port or (DEFAULT_UI_PORT if _port_free(DEFAULT_UI_PORT) else free_port())
        args = [sys.executable, "-m", "orchestrator.cli", "ui", *self.ui_args, "--host", "127.0.0.1",
                "--port", str(self.ui_port)]
        env = {**os.environ, **self.env, **({"ORCH_FLOWER_URL": self.flower_url} if self.flower_url else {})}
        proc = ManagedProcess(f"ui-{os.getpid()}-r{self.restarts}", args,
                              self.log_dir / f"ui-r{self.restarts}.log", env, self.cwd)
        proc.start()
        url = f"http://127.0.0.1:{self.ui_port}/"
        try:
            _wait_http(url + "healthz", proc, timeout)
        except OrchestratorError:
            proc.stop()
            raise
        self.ui_url = url
        return proc

    def restart_ui(self) -> None:
        """Replace the UI by one showing the code as it is now, on the same port. If the new one
        cannot start (the edit broke the code), the UI stays down until the next change."""
        if self.ui_args is None or self._stopping or not self._started:
            return
        old, self.ui = self.ui, None
        if old is not None:
            old.stop()
        try:
            self.ui = self._start_ui()
            self.ui_error = None
        except OrchestratorError as exc:
            self.ui_url = None
            self.ui_error = str(exc).splitlines()[0]
            if self.on_warning is not None:
                self.on_warning(f"{exc}\nThe web UI is down until the code loads again.")

    def _write_dev_file(self) -> None:
        data = {"redis_url": self.redis_url, "secret": self.secret, "flower_url": self.flower_url, "ui_url": self.ui_url,
                "pid": os.getpid(),
                "home": str(self.home), "started_at": time.time(),
                "workers": [w.name for w in self.workers],
                "processes": {p.name: p.pid for p in self.processes}}
        self.home.mkdir(parents=True, exist_ok=True)
        tmp = self.home / f".{DEV_FILE}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, json.dumps(data, indent=2).encode())
        finally:
            os.close(fd)
        os.replace(tmp, self.dev_file)

    def _remove_dev_file(self) -> None:
        info = read_dev_file(self.home)
        if info is not None and info.get("pid") == os.getpid():
            with contextlib.suppress(OSError):
                self.dev_file.unlink()

    def stop(self, timeout: float = 10.0) -> None:
        """Remove dev.json and stop Flower, the workers and then Redis (each by its process group)."""
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
        try:
            if self.write_dev_file:
                self._remove_dev_file()
            others = [p for p in (self.ui, self.flower, self.scheduler, *self.workers, *self.retiring) if p is not None]
            threads = [threading.Thread(target=p.stop, args=(timeout,), daemon=True) for p in others]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout + 10)
            if self.redis is not None:
                self.redis.stop(timeout)
        finally:
            # Forget what was stopped, so a second stop() never signals a process group again.
            self.stopped = [p for p in (self.redis, *self.workers, *self.retiring, self.scheduler, self.flower, self.ui)
                            if p is not None]
            self.redis, self.workers, self.retiring, self.flower, self.scheduler = None, [], [], None, None
            self.ui = None
            self._started = False
            with self._lock:
                self._stopping = False

    # -- supervision ------------------------------------------------------------------------------
    def dead_process(self) -> ManagedProcess | None:
        """The first started process that is no longer running, if any."""
        for proc in self.processes:
            if proc.proc is not None and not proc.alive():
                return proc
        return None

    def check(self) -> None:
        """Raise ``DevProcessDied`` when a process exited unexpectedly."""
        proc = self.dead_process()
        if proc is None:
            return
        code = proc.proc.returncode if proc.proc is not None else None
        tail = "\n".join(proc.log_text().splitlines()[-20:])
        raise DevProcessDied(proc, f"{proc.name} (pid {proc.pid}) exited unexpectedly with code {code}. "
                                   f"Its log ({proc.log_path}) ends with:\n{tail}")

    def wait(self, stop_event: threading.Event | None = None, poll_seconds: float = 0.5) -> None:
        """Block until ``stop_event`` is set (returns) or a process dies (raises ``DevProcessDied``);
        meanwhile restart the workers whenever a watched file changes."""
        event = stop_event or threading.Event()
        while not event.wait(poll_seconds):
            self.check()
            self.check_code()

    def describe(self) -> list[str]:
        """Human lines: where everything is."""
        lines = [f"Redis:   {self.masked_redis_url}" + ("" if self.redis is None else " (private, started here)")]
        lines.append(f"Workers: {len(self.workers)} x concurrency {self.concurrency} "
                     f"({', '.join(w.name for w in self.workers) or 'none'}), queues {','.join(self.queues)}")
        if self.scheduler is not None and self.scheduler_args is not None:
            lines.append(f"Scheduler: orch scheduler start {' '.join(self.scheduler_args)} (pid {self.scheduler.pid})")
        if self.flower_url:
            lines.append(f"Flower:  {self.flower_url}")
        elif self.flower_error:
            lines.append(f"Flower:  not started: {self.flower_error}")
        if self.ui_url:
            lines.append(f"Web UI:  {self.ui_url}")
        elif self.ui_error:
            lines.append(f"Web UI:  not running: {self.ui_error}")
        if self.watch:
            lines.append(f"Watching: {', '.join(str(p) for p in self.watch)} (a change to a .py file restarts the workers)")
        lines.append(f"Logs:    {self.log_dir}")
        if self.write_dev_file:
            lines.append(f"Connection written to {self.dev_file}")
        return lines
