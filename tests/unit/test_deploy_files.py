"""Static checks of deploy/: every file parses, and names only images, commands and modules that exist here."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
PROJECT_IMAGE = "orchestrator:latest"
EXECUTABLES = {"redis-server", "celery", "orch"}
PROBE_EXECUTABLES = {"redis-cli"}  # health checks inside the redis:7 image
CELERY_SUBCOMMANDS = {"worker", "flower", "inspect", "status"}
YAML_FILES = sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")])


# -- helpers ------------------------------------------------------------------------------------


def load_all(path: Path) -> list[Any]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def module_exists(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def console_scripts() -> dict[str, str]:
    text = (ROOT / "pyproject.toml").read_text()
    try:
        import tomllib
    except ImportError:  # Python 3.10
        section = re.search(r"^\[project\.scripts\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S)
        assert section, "pyproject.toml has no [project.scripts]"
        return dict(re.findall(r'^(\S+)\s*=\s*"([^"]+)"', section.group(1), re.M))
    return dict(tomllib.loads(text)["project"]["scripts"])


def check_command(argv: list[str], where: str, extra_executables: set[str] = frozenset()) -> None:
    """The executable is ours (celery/orch/redis-server) and every module it names exists."""
    assert argv, f"{where}: empty command"
    exe = Path(argv[0]).name
    assert exe in EXECUTABLES | set(extra_executables), f"{where}: unexpected executable {argv[0]!r}"
    if exe == "celery":
        assert "-A" in argv, f"{where}: celery without -A"
        app = argv[argv.index("-A") + 1]
        assert app == "worker.app", f"{where}: celery app {app!r}"
        assert module_exists(app.split(":")[0]), f"{where}: module {app} does not exist"
        sub = argv[argv.index("-A") + 2]
        assert sub in CELERY_SUBCOMMANDS, f"{where}: celery subcommand {sub!r}"
        if sub == "worker" and "-Q" in argv:
            assert argv[argv.index("-Q") + 1], f"{where}: empty -Q"
    elif exe == "orch":
        scripts = console_scripts()
        assert "orch" in scripts, "pyproject.toml declares no `orch` console script"
        module = scripts["orch"].split(":")[0]
        assert module_exists(module), f"`orch` points at {scripts['orch']}, whose module does not exist"
    elif exe == "redis-server":
        assert "--appendonly" in argv and argv[argv.index("--appendonly") + 1] == "yes", f"{where}: no AOF"


def split_shell(command: str) -> list[str]:
    """A Procfile/supervisord command line as argv (shell expansions kept as words)."""
    return shlex.split(command, comments=False, posix=True)


def k8s_docs() -> list[tuple[Path, dict[str, Any]]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs += [(path, d) for d in load_all(path)]
    return docs


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [d for _, d in k8s_docs() if d["kind"] == kind]


def containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["spec"]["template"]["spec"]["containers"]


def env_names_in(text: str) -> set[str]:
    return set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))


# -- every YAML file ------------------------------------------------------------------------------


def test_yaml_files_exist():
    names = {p.relative_to(DEPLOY).as_posix() for p in YAML_FILES}
    assert {"docker-compose.yml", "config.example.yaml", "k8s/kustomization.yaml", "k8s/worker.yaml",
            "k8s/worker-hpa.yaml", "k8s/redis.yaml", "k8s/flower.yaml", "k8s/storage.yaml",
            "k8s/scheduler.yaml"} <= names


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.relative_to(DEPLOY).as_posix())
def test_yaml_parses(path: Path):
    docs = load_all(path)
    assert docs, f"{path} has no documents"
    assert all(isinstance(d, dict) for d in docs)


def test_every_module_or_code_pointer_named_anywhere_exists():
    for path in DEPLOY.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text()
        for app in re.findall(r"-A[ =\"',]+\s*\"?([\w.]+)", text):
            assert module_exists(app), f"{path}: -A {app} does not exist"
        for module in re.findall(r"python3? -m ([\w.]+)", text):
            assert module in {"venv", "pip"} or module_exists(module), f"{path}: python -m {module}"
        for module, attr in re.findall(r"\b((?:definitions|orchestrator|worker)(?:\.\w+)+):(\w+)", text):
            assert module_exists(module), f"{path}: {module} does not exist"
            assert re.search(rf"^{attr}\b|^def {attr}\b|^\s*{attr} = ", (ROOT / (module.replace('.', '/') + '.py'))
                             .read_text(), re.M), f"{path}: {module}:{attr} not defined"
        for module in re.findall(r"from ((?:definitions|orchestrator|worker)[\w.]*) import", text):
            assert module_exists(module), f"{path}: {module} does not exist"


# -- Dockerfile and docker compose ----------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            op, _, rest = line.partition(" ")
            out.append((op.upper(), rest.strip()))
    return out


def test_dockerfile():
    ins = dockerfile_instructions()
    assert ins[0] == ("FROM", "python:3.11-slim")
    runs = " ".join(rest for op, rest in ins if op == "RUN")
    assert 'pip install ".[flower]"' in runs or "pip install '.[flower]'" in runs or "pip install .[flower]" in runs
    cmd = [rest for op, rest in ins if op == "CMD"]
    assert len(cmd) == 1
    import json

    argv = json.loads(cmd[0])
    assert argv == ["celery", "-A", "worker.app", "worker", "-Q", "orch", "-c", "2"]
    check_command(argv, "Dockerfile CMD")
    for op, rest in ins:
        if op == "COPY":
            *sources, _dest = rest.split()
            for src in sources:
                assert (ROOT / src).exists(), f"Dockerfile copies {src}, which is not in the project"
    assert dict(ins).get("USER") not in (None, "root"), "the image should not run as root"


def compose() -> dict[str, Any]:
    return load_all(DEPLOY / "docker-compose.yml")[0]


def test_compose_images_are_redis7_or_our_image():
    services = compose()["services"]
    assert {"redis", "worker", "flower", "scheduler"} <= set(services)
    for name, svc in services.items():
        image = svc.get("image", "")
        if "build" in svc:
            build = svc["build"]
            context = (DEPLOY / build["context"]).resolve()
            assert context == ROOT, f"{name}: build context {context}"
            assert (context / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
            assert image == PROJECT_IMAGE, f"{name}: built image should be tagged {PROJECT_IMAGE}"
        else:
            assert re.fullmatch(r"redis:7(\.\d+)*(-[\w.]+)?", image), f"{name}: image {image!r}"


def test_compose_redis_has_aof_and_password():
    redis = compose()["services"]["redis"]
    argv = redis["command"]
    check_command(argv, "compose redis")
    assert argv[argv.index("--requirepass") + 1].startswith("${REDIS_PASSWORD")
    assert any(v.endswith(":/data") for v in redis["volumes"])
    check_command(redis["healthcheck"]["test"][1:], "compose redis healthcheck", PROBE_EXECUTABLES)


def test_compose_workers_and_flower():
    services = compose()["services"]
    worker, flower = services["worker"], services["flower"]
    check_command(worker["command"], "compose worker")
    check_command(flower["command"], "compose flower")
    assert worker["command"][3] == "worker" and flower["command"][3] == "flower"
    assert worker["deploy"]["replicas"] >= 2
    for svc in (worker, flower):
        env = svc["environment"]
        assert env["REDIS_URL"].startswith("redis://:${REDIS_PASSWORD") and env["REDIS_URL"].endswith("@redis:6379/0")
        assert env["ORCH_SECRET"].startswith("${ORCH_SECRET")
        assert env["ORCH_HOME"] == "/var/lib/orch"
        assert svc["depends_on"]["redis"]["condition"] == "service_healthy"
    mounts = {v.split(":")[0] for v in worker["volumes"] if v.endswith(":/var/lib/orch")}
    assert mounts and mounts <= set(compose()["volumes"]), "workers share a named ORCH_HOME volume"
    assert all(p.startswith("127.0.0.1:") for p in flower["ports"]), "Flower is published on loopback only"


def test_compose_scheduler_runs_the_code_module_with_the_shared_environment():
    services = compose()["services"]
    scheduler = services["scheduler"]
    argv = scheduler["command"]
    check_command(argv, "compose scheduler")
    assert argv[:3] == ["orch", "scheduler", "start"] and argv[3] == "-m" and "ORCH_CODE_MODULE" in argv[4]
    assert scheduler["environment"] == services["worker"]["environment"]
    assert scheduler["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "ports" not in scheduler


# -- Kubernetes -------------------------------------------------------------------------------------


def test_k8s_manifests_have_identity():
    docs = k8s_docs()
    assert docs
    for path, doc in docs:
        assert doc.get("apiVersion"), path
        assert doc.get("kind"), path
        assert doc.get("metadata", {}).get("name"), f"{path}: {doc.get('kind')} without metadata.name"
    kinds = {d["kind"] for _, d in docs}
    assert {"StatefulSet", "Service", "Deployment", "HorizontalPodAutoscaler", "PersistentVolumeClaim",
            "ConfigMap", "Secret", "Namespace"} <= kinds


def test_kustomization_lists_every_manifest_but_the_example_secret():
    kust = load_all(K8S / "kustomization.yaml")[0]
    assert kust["kind"] == "Kustomization"
    listed = set(kust["resources"])
    for name in listed:
        assert (K8S / name).is_file(), name
    others = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert listed == others
    assert [i["name"] for i in kust["images"]] == ["orchestrator"]


def test_k8s_images_are_redis7_or_our_image():
    for _path, doc in k8s_docs():
        if doc["kind"] in ("Deployment", "StatefulSet"):
            for c in containers(doc):
                assert c["image"] in ("redis:7", PROJECT_IMAGE), f"{doc['metadata']['name']}: {c['image']}"
                argv = [*c.get("command", []), *c.get("args", [])]
                check_command(argv, f"k8s {doc['metadata']['name']}")
                for probe in ("readinessProbe", "livenessProbe"):
                    exec_ = c.get(probe, {}).get("exec")
                    if exec_:
                        check_command(exec_["command"], f"{doc['metadata']['name']} {probe}", PROBE_EXECUTABLES)


def test_hpa_targets_the_worker_deployment():
    (hpa,) = by_kind("HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    workers = [d for d in by_kind("Deployment")
               if any(c.get("command", [None, None, None, None])[3:4] == ["worker"] for c in containers(d))]
    assert len(workers) == 1
    assert target == {"apiVersion": "apps/v1", "kind": "Deployment", "name": workers[0]["metadata"]["name"]}
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    # The CPU target needs a CPU request on the worker container.
    assert all(c["resources"]["requests"]["cpu"] for c in containers(workers[0]))


def test_k8s_redis_aof_and_password_from_secret():
    (redis,) = by_kind("StatefulSet")
    (c,) = containers(redis)
    argv = [*c["command"], *c["args"]]
    assert argv[argv.index("--requirepass") + 1] == "$(REDIS_PASSWORD)"
    env = {e["name"]: e for e in c["env"]}
    (secret,) = by_kind("Secret")
    assert env["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == secret["metadata"]["name"]
    assert env["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] in secret["stringData"]
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    assert redis["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] in mounts
    services = {s["metadata"]["name"]: s for s in by_kind("Service")}
    assert redis["spec"]["serviceName"] in services


def test_k8s_workloads_wire_to_existing_objects():
    (secret,) = by_kind("Secret")
    (config,) = by_kind("ConfigMap")
    (pvc,) = by_kind("PersistentVolumeClaim")
    services = by_kind("Service")
    for doc in [*by_kind("Deployment"), *by_kind("StatefulSet")]:
        name = doc["metadata"]["name"]
        labels = doc["spec"]["template"]["metadata"]["labels"]
        assert doc["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
        for c in containers(doc):
            for src in c.get("envFrom", []):
                assert src["configMapRef"]["name"] == config["metadata"]["name"]
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == secret["metadata"]["name"] and ref["key"] in secret["stringData"], name
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            if c["image"] == PROJECT_IMAGE:
                assert env["REDIS_URL"] == "redis://:$(REDIS_PASSWORD)@orch-redis:6379/0"
                assert "ORCH_SECRET" in env
                assert any(s["metadata"]["name"] == "orch-redis" for s in services)
    worker = next(d for d in by_kind("Deployment") if d["metadata"]["name"] == "orch-worker")
    volumes = {v["name"]: v for v in worker["spec"]["template"]["spec"]["volumes"]}
    (c,) = containers(worker)
    mount = next(m for m in c["volumeMounts"] if volumes[m["name"]].get("persistentVolumeClaim"))
    assert volumes[mount["name"]]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
    assert mount["mountPath"] == config["data"]["ORCH_HOME"]
    for svc in services:
        sel = svc["spec"]["selector"].items()
        assert any(sel <= d["spec"]["template"]["metadata"]["labels"].items()
                   for d in [*by_kind("Deployment"), *by_kind("StatefulSet")]), svc["metadata"]["name"]


def test_k8s_scheduler_runs_the_code_module_of_the_config_map():
    (config,) = by_kind("ConfigMap")
    (scheduler,) = [d for d in by_kind("Deployment") if d["metadata"]["name"] == "orch-scheduler"]
    (c,) = containers(scheduler)
    assert c["command"] == ["orch", "scheduler", "start"] and c["args"] == ["-m", "$(ORCH_CODE_MODULE)"]
    assert config["data"]["ORCH_CODE_MODULE"] == "definitions" and module_exists(config["data"]["ORCH_CODE_MODULE"])
    assert scheduler["spec"]["replicas"] >= 2, "several schedulers are safe; two keep schedules running through a loss"


def test_shared_pvc_is_read_write_many_with_object_storage_alternative():
    (pvc,) = by_kind("PersistentVolumeClaim")
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    text = (K8S / "storage.yaml").read_text()
    assert "upath_io_manager" in text and "s3://" in text


# -- Procfile, supervisord, systemd -------------------------------------------------------------------


def procfile() -> dict[str, str]:
    entries = {}
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)  # honcho's own Procfile syntax
        if m:
            entries[m.group(1)] = m.group(2)
    return entries


def test_procfile_process_types_and_executables():
    procs = procfile()
    assert set(procs) == {"redis", "worker", "flower", "scheduler"}
    for name, command in procs.items():
        check_command(split_shell(command), f"Procfile {name}")
    redis = split_shell(procs["redis"])
    assert redis[:5] == ["redis-server", "--port", "${REDIS_PORT:-6379}", "--bind", "127.0.0.1"]
    worker = split_shell(procs["worker"])
    assert worker[:4] == ["celery", "-A", "worker.app", "worker"]
    assert worker[worker.index("-Q") + 1] == "${ORCH_QUEUES:-orch}"
    flower = split_shell(procs["flower"])
    assert "--port=${FLOWER_PORT:-5555}" in flower and "--address=127.0.0.1" in flower
    scheduler = split_shell(procs["scheduler"])
    assert scheduler == ["orch", "scheduler", "start", "-m", "${ORCH_CODE_MODULE:-definitions}"]


def test_supervisord_conf():
    cp = configparser.RawConfigParser()
    cp.read(DEPLOY / "supervisord.conf")
    programs = {s.split(":", 1)[1]: cp[s] for s in cp.sections() if s.startswith("program:")}
    assert set(programs) == {"orch-redis", "orch-worker", "orch-flower", "orch-scheduler"}
    for name, sec in programs.items():
        check_command(split_shell(sec["command"]), f"supervisord {name}")
    assert programs["orch-worker"]["numprocs"] == "2"
    assert "%(process_num)" in programs["orch-worker"]["process_name"]
    assert programs["orch-worker"]["stopasgroup"] == "true" and int(programs["orch-worker"]["stopwaitsecs"]) >= 60
    assert split_shell(programs["orch-scheduler"]["command"]) == ["orch", "scheduler", "start", "-m", "definitions"]
    env = cp["supervisord"]["environment"]
    for var in ("REDIS_URL", "ORCH_HOME", "ORCH_SECRET", "ORCH_VISIBILITY_TIMEOUT"):
        assert f"{var}=" in env, var
    assert 'ORCH_SECRET="%(ENV_ORCH_SECRET)s"' in env, "the secret comes from the environment, not the file"


def unit(path: Path) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        else:
            key, _, value = line.partition("=")
            assert current is not None, f"{path}: {line} outside a section"
            current[key.strip()] = value.strip()
    return sections


@pytest.mark.parametrize("name", ["orch-worker@.service", "orch-flower.service", "orch-scheduler.service"])
def test_systemd_units(name: str):
    path = DEPLOY / "systemd" / name
    u = unit(path)
    assert {"Unit", "Service", "Install"} <= set(u)
    svc = u["Service"]
    argv = split_shell(svc["ExecStart"])
    assert argv[0].startswith("/"), "systemd needs an absolute ExecStart"
    check_command(argv, name)
    assert svc["EnvironmentFile"] == "/etc/orch/orch.env"
    assert svc["Restart"] in ("always", "on-failure")
    env_example = (DEPLOY / "systemd" / "orch.env.example").read_text()
    for var in env_names_in(svc["ExecStart"]):
        assert re.search(rf"^#?{var}=", env_example, re.M), f"{var} is not in systemd/orch.env.example"
    if name.startswith("orch-worker@"):
        assert argv[argv.index("-Q") + 1] == "%i", "the template instance names the queue"
        assert "%%h" in svc["ExecStart"] and "%h" not in svc["ExecStart"].replace("%%h", "")
        assert svc["KillSignal"] == "SIGTERM" and int(svc["TimeoutStopSec"]) >= 60
    if name == "orch-scheduler.service":
        assert argv[1:] == ["scheduler", "start", "-m", "${ORCH_CODE_MODULE}"]


def test_env_examples_cover_every_variable_the_files_use():
    example = (DEPLOY / "orch.env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z_][A-Z0-9_]*)=", example, re.M))
    used = env_names_in((DEPLOY / "Procfile").read_text()) | env_names_in((DEPLOY / "docker-compose.yml").read_text())
    used -= {"HONCHO_PROCESS_NAME"}  # set by honcho itself
    assert used <= documented, f"not in deploy/orch.env.example: {sorted(used - documented)}"
    for var in ("REDIS_URL", "ORCH_HOME", "ORCH_SECRET", "ORCH_VISIBILITY_TIMEOUT"):
        assert var in documented


# -- run config and README ------------------------------------------------------------------------------


def test_config_example_is_valid_run_config_for_the_demo():
    from definitions.demo.pipeline import demo_pipeline
    from orchestrator.definitions.config.run_config import resolve_run_config

    config = load_all(DEPLOY / "config.example.yaml")[0]
    resolved = resolve_run_config(demo_pipeline, config)
    assert resolved.execution == {"executor": "celery", "config": {"queue": "orch", "stall_timeout": 600.0}}
    assert config["ops"]["split_sales"]["config"]["num_chunks"] == 10


def test_readme_covers_scaling_storage_redis_and_flower():
    text = (DEPLOY / "README.md").read_text()
    for needle in ("REDIS_URL", "ORCH_SECRET", "celery/queue", "-Q", "celery/priority", "fs_io_manager",
                   "ReadWriteMany", "upath_io_manager", "s3://", "--appendonly yes", "--requirepass",
                   "ACL SETUSER", "rediss://", "ssl_cert_reqs=required&ssl_ca_certs=/path/ca.pem",
                   "ORCH_VISIBILITY_TIMEOUT", "longest step", "port-forward svc/orch-flower", "FLOWER_BASIC_AUTH"):
        assert needle in text, needle
    for path in DEPLOY.rglob("*"):
        rel = path.relative_to(DEPLOY).as_posix()
        if path.is_file() and rel not in ("README.md", "Dockerfile.dockerignore") and not rel.startswith("k8s/"):
            assert f"`{rel}" in text, f"deploy/README.md does not describe {rel}"


# -- Redis Sentinel: sentinel/docker-compose.yml and the k8s/sentinel component ------------------------

SENTINEL_COMPOSE = DEPLOY / "sentinel" / "docker-compose.yml"
SENTINEL_K8S = K8S / "sentinel"


def _compose_vars(text: str) -> str:
    """A compose value with its ``${VAR...}`` interpolations replaced by a sample value."""
    return re.sub(r"\$\{[A-Z_]+[^}]*\}", "pw", text)


def _sentinel_script_lines(script: str) -> dict[str, str]:
    """``sentinel <directive> ...`` lines of a generated sentinel.conf, by directive."""
    lines = re.findall(r'"(sentinel [^"]+)"|echo "(sentinel [^"]+)"', script)
    return {text.split()[1]: text for text in (a or b for a, b in lines)}


def test_sentinel_compose_services_images_and_redis_nodes():
    services = load_all(SENTINEL_COMPOSE)[0]["services"]
    nodes = {n: s for n, s in services.items() if n.startswith("redis-")}
    sentinels = {n: s for n, s in services.items() if n.startswith("sentinel-")}
    assert len(nodes) == 3 and len(sentinels) == 3
    assert {"worker", "scheduler", "flower"} <= set(services)
    for name, svc in services.items():
        if "build" in svc:
            assert (SENTINEL_COMPOSE.parent / svc["build"]["context"]).resolve() == ROOT, name
            assert (ROOT / svc["build"]["dockerfile"]).resolve() == DEPLOY / "Dockerfile", name
            assert svc["image"] == PROJECT_IMAGE, name
        else:
            assert svc["image"] == "redis:7", name
    replicas_of = []
    for name, svc in nodes.items():
        argv = svc["command"]
        check_command(argv, f"sentinel compose {name}")
        assert argv[argv.index("--appendfsync") + 1] == "everysec"
        assert argv[argv.index("--min-replicas-to-write") + 1] == "1" and "--min-replicas-max-lag" in argv
        assert argv[argv.index("--requirepass") + 1] == argv[argv.index("--masterauth") + 1]
        assert argv[argv.index("--replica-announce-ip") + 1] == name
        if "--replicaof" in argv:
            replicas_of.append(argv[argv.index("--replicaof") + 1])
        assert any(v.endswith(":/data") for v in svc["volumes"]), name
        check_command(svc["healthcheck"]["test"][1:], f"{name} healthcheck", PROBE_EXECUTABLES)
    (master,) = set(nodes) - {n for n in nodes if "--replicaof" in nodes[n]["command"]}
    assert replicas_of == [master, master], "the two replicas replicate the first node"
    for name, svc in sentinels.items():
        shell, flag, script = svc["command"]
        assert (shell, flag) == ("sh", "-c")
        assert "exec redis-server /data/sentinel.conf --sentinel" in script
        assert "[ -f /data/sentinel.conf ] ||" in script, f"{name}: the learned config must survive a restart"
        lines = _sentinel_script_lines(script)
        assert lines["monitor"] == f"sentinel monitor orchmaster {master} 6379 2"
        assert lines["down-after-milliseconds"] == "sentinel down-after-milliseconds orchmaster 5000"
        assert lines["failover-timeout"] == "sentinel failover-timeout orchmaster 60000"
        assert lines["announce-ip"] == f"sentinel announce-ip {name}"
        assert "sentinel resolve-hostnames yes" in script
        assert any(v.endswith(":/data") for v in svc["volumes"]), name
        assert svc["healthcheck"]["test"][1:] == ["redis-cli", "-p", "26379", "ping"]


def test_sentinel_compose_processes_reach_the_master_through_every_sentinel():
    from orchestrator.redis_urls import parse_redis_url

    services = load_all(SENTINEL_COMPOSE)[0]["services"]
    sentinels = sorted(n for n in services if n.startswith("sentinel-"))
    for name in ("worker", "scheduler", "flower"):
        svc = services[name]
        check_command(svc["command"], f"sentinel compose {name}")
        target = parse_redis_url(_compose_vars(svc["environment"]["REDIS_URL"]))
        assert target.hosts == tuple((s, 26379) for s in sentinels), name
        assert target.master_name == "orchmaster" and target.password and target.sentinel_password, name
        assert set(svc["depends_on"]) == set(sentinels), name
        assert all(d["condition"] == "service_healthy" for d in svc["depends_on"].values()), name
    assert services["worker"]["command"][3] == "worker" and services["worker"]["deploy"]["replicas"] >= 2
    assert all(p.startswith("127.0.0.1:") for p in services["flower"]["ports"])
    text = SENTINEL_COMPOSE.read_text()
    example = (DEPLOY / "orch.env.example").read_text()
    for var in env_names_in(text):
        assert re.search(rf"^#?\s*{var}=", example, re.M), f"{var} is not in deploy/orch.env.example"


def _k8s_base_objects() -> set[tuple[str, str]]:
    return {(d["kind"], d["metadata"]["name"]) for _, d in k8s_docs()}


def test_k8s_sentinel_component_patches_existing_objects():
    from orchestrator.redis_urls import parse_redis_url

    comp = load_all(SENTINEL_K8S / "kustomization.yaml")[0]
    assert comp["kind"] == "Component" and comp["apiVersion"] == "kustomize.config.k8s.io/v1alpha1"
    assert comp["resources"] == ["redis-ha.yaml"]
    listed = {p["path"] for p in comp["patches"]} | set(comp["resources"]) | {"kustomization.yaml"}
    assert listed == {p.name for p in SENTINEL_K8S.glob("*.yaml")}, "every file is used, every used file exists"
    base = _k8s_base_objects()
    ha = {d["kind"]: d for d in load_all(SENTINEL_K8S / "redis-ha.yaml")}
    (statefulset, service) = ha["StatefulSet"], ha["Service"]
    pods = [f"{statefulset['metadata']['name']}-{n}.{service['metadata']['name']}"
            for n in range(statefulset["spec"]["replicas"])]
    patched = set()
    for entry in comp["patches"]:
        (patch,) = load_all(SENTINEL_K8S / entry["path"])
        key = (patch["kind"], patch["metadata"]["name"])
        assert key in base, f"{entry['path']} patches {key}, which deploy/k8s does not have"
        if patch.get("$patch") == "delete":
            assert key in {("StatefulSet", "orch-redis"), ("Service", "orch-redis")}
            continue
        base_doc = next(d for _, d in k8s_docs() if (d["kind"], d["metadata"]["name"]) == key)
        (container,) = patch["spec"]["template"]["spec"]["containers"]
        assert container["name"] in {c["name"] for c in containers(base_doc)}, entry["path"]
        (env,) = container["env"]
        assert env["name"] == "REDIS_URL"
        target = parse_redis_url(env["value"].replace("$(REDIS_PASSWORD)", "pw"))
        assert target.hosts == tuple((p, 26379) for p in pods) and target.master_name == "orchmaster"
        assert "REDIS_PASSWORD" in {e["name"] for e in containers(base_doc)[0]["env"]}, "$(REDIS_PASSWORD) resolves"
        patched.add(key[1])
    assert patched == {"orch-worker", "orch-scheduler", "orch-flower"}


def test_k8s_sentinel_redis_pods():
    import subprocess

    ha = {d["kind"]: d for d in load_all(SENTINEL_K8S / "redis-ha.yaml")}
    assert set(ha) == {"ConfigMap", "StatefulSet", "Service", "PodDisruptionBudget"}
    statefulset, service, config = ha["StatefulSet"], ha["Service"], ha["ConfigMap"]
    assert statefulset["spec"]["replicas"] == 3 and statefulset["spec"]["serviceName"] == service["metadata"]["name"]
    assert service["spec"]["clusterIP"] == "None" and service["spec"]["publishNotReadyAddresses"] is True
    assert {p["port"] for p in service["spec"]["ports"]} == {6379, 26379}
    pod = statefulset["spec"]["template"]["spec"]
    by_name = {c["name"]: c for c in [*pod["initContainers"], *pod["containers"]]}
    assert set(by_name) == {"config", "redis", "sentinel"}
    assert all(c["image"] == "redis:7" for c in by_name.values())
    redis_argv = [*by_name["redis"]["command"], *by_name["redis"]["args"]]
    check_command(redis_argv, "k8s redis-ha redis")
    assert "--min-replicas-to-write" in redis_argv
    assert [*by_name["sentinel"]["command"], *by_name["sentinel"]["args"]] == [
        "redis-server", "/data/conf/sentinel.conf", "--sentinel"]
    (secret,) = by_kind("Secret")
    for c in by_name.values():
        for e in c["env"]:
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["name"] == secret["metadata"]["name"] and ref["key"] in secret["stringData"]
        for probe in ("readinessProbe", "livenessProbe"):
            exec_ = c.get(probe, {}).get("exec")
            if exec_:
                check_command(exec_["command"], f"redis-ha {c['name']} {probe}", PROBE_EXECUTABLES)
    script = config["data"]["init.sh"]
    assert pod["volumes"][0]["configMap"]["name"] == config["metadata"]["name"]
    lines = _sentinel_script_lines(script)
    assert lines["monitor"] == "sentinel monitor orchmaster ${master} 6379 2"
    assert lines["down-after-milliseconds"].endswith(" 5000") and lines["failover-timeout"].endswith(" 60000")
    for setting in ("appendonly yes", "appendfsync everysec", "min-replicas-to-write 1", "min-replicas-max-lag 10"):
        assert f'echo "{setting}"' in script, setting
    assert subprocess.run(["sh", "-n"], input=script, text=True).returncode == 0, "init.sh is valid sh"
    pdb = ha["PodDisruptionBudget"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= statefulset["spec"]["template"]["metadata"]["labels"].items()


def test_k8s_sentinel_component_builds_with_kustomize(tmp_path: Path):
    import shutil
    import subprocess

    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    shutil.copytree(K8S, tmp_path / "k8s")
    with open(tmp_path / "k8s" / "kustomization.yaml", "a") as f:
        f.write("components:\n  - sentinel\n")
    built = subprocess.run([kubectl, "kustomize", str(tmp_path / "k8s")], capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    objects = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(built.stdout) if d}
    assert ("StatefulSet", "orch-redis") not in objects and ("Service", "orch-redis") not in objects
    assert ("StatefulSet", "orch-redis-ha") in objects
    for name in ("orch-worker", "orch-scheduler", "orch-flower"):
        env = {e["name"]: e.get("value") for e in containers(objects[("Deployment", name)])[0]["env"]}
        assert env["REDIS_URL"].startswith("sentinel://:$(REDIS_PASSWORD)@orch-redis-ha-0.orch-redis-ha:26379;")
        assert "ORCH_SECRET" in env


def test_readme_covers_redis_sentinel():
    text = (DEPLOY / "README.md").read_text()
    for needle in ("sentinel://:PASSWORD@s1:26379;sentinel://s2:26379;sentinel://s3:26379/0?master_name=orchmaster",
                   "sentinel_password", "appendonly yes", "appendfsync everysec", "min-replicas-to-write 1",
                   "min-replicas-max-lag", "down-after-milliseconds", "failover-timeout", "asynchronously",
                   "`sentinel/docker-compose.yml`", "`k8s/sentinel/`", "components: [sentinel]"):
        assert needle in text, needle
