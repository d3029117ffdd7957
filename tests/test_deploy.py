"""What can be checked of the image and the compose file without a container runtime: the build context holds what
the Dockerfile copies, the image's properties, the compose file's wiring against the settings casework reads, the
entry point from a plain runtime venv, and several processes migrating one fresh database at once."""

import fnmatch
import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
import yaml

from casework.app import create_app
from casework.settings import Settings
from tests.servers import SERVER_START_TIMEOUT, clean_env, empty_database, free_port, running_server, stop

ROOT = Path(__file__).parent.parent
DOCKERFILE = ROOT / "Dockerfile"
MIGRATIONS_AT_ONCE = 4
SERVERS_AT_ONCE = 2


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    lines = [line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def env_of(steps: list[tuple[str, str]]) -> dict[str, str]:
    env = {}
    for keyword, rest in steps:
        if keyword == "ENV":
            env.update(dict(re.findall(r"(\w+)=(\S+)", rest)))
    return env


def copied_sources() -> set[str]:
    """What the Dockerfile copies from the build context (not from another stage)."""
    sources = set()
    for keyword, rest in instructions():
        if keyword == "COPY" and "--from=" not in rest:
            sources.update(rest.split()[:-1])
    return sources


def allowed_by_dockerignore() -> set[str]:
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "*", "the build context is an allow-list: everything excluded, then each need allowed"
    return {rule[1:] for rule in rules[1:] if rule.startswith("!")}


def in_build_context(path: str) -> bool:
    """Docker's reading of the allow-list: the last rule matching the path or one of its parents decides."""
    included = True
    for rule in (ROOT / ".dockerignore").read_text().splitlines():
        rule = rule.strip()
        if not rule or rule.startswith("#"):
            continue
        negated = rule.startswith("!")
        pattern = rule.lstrip("!").rstrip("/")
        parts = path.split("/")
        if any(fnmatch.fnmatch("/".join(parts[: i + 1]), pattern) for i in range(len(parts))):
            included = negated
    return included


def test_the_build_context_allows_exactly_what_the_dockerfile_copies():
    assert allowed_by_dockerignore() == copied_sources() == {"pyproject.toml", "uv.lock", "README.md", "src/"}
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    context = {path for path in tracked if in_build_context(path)}
    assert "src/casework/app.py" in context and "uv.lock" in context
    assert not {path for path in context if path.startswith(("tests/", "bench/", ".ci/", ".git"))}
    assert "Dockerfile" not in context and "compose.yaml" not in context


def test_the_image_installs_the_locked_runtime_dependencies_without_the_dev_group():
    steps = instructions()
    assert [rest for keyword, rest in steps if keyword == "FROM"][0].startswith("python:3.11-slim")
    assert final_stage()[0][1] == "python:3.11-slim"
    syncs = [rest for keyword, rest in steps if keyword == "RUN" and "uv sync" in rest]
    assert syncs and all("--frozen" in sync and "--no-dev" in sync for sync in syncs)
    assert "--no-editable" in syncs[-1]
    assert any(keyword == "RUN" and "uv==0.13.9" in rest for keyword, rest in steps)
    assert "uv==0.13.9" in (ROOT / "Makefile").read_text(), "the image and make install the same uv"
    assert env_of(steps)["UV_PROJECT_ENVIRONMENT"] == "/opt/casework"
    assert any(keyword == "COPY" and "--from=build /opt/casework /opt/casework" in rest for keyword, rest in final_stage())


def test_the_image_runs_casework_serve_as_an_unprivileged_user_with_its_data_on_a_volume():
    steps = final_stage()
    users = [rest for keyword, rest in steps if keyword == "USER"]
    assert users == ["casework"]
    assert any(keyword == "RUN" and "useradd --uid 10001" in rest and " casework" in rest for keyword, rest in steps)
    env = env_of(steps)
    volumes = [rest for keyword, rest in steps if keyword == "VOLUME"]
    assert volumes == [env["CASEWORK_DATA_DIR"]] == ["/var/lib/casework/data"]
    assert env["CASEWORK_HOST"] == "0.0.0.0"
    fields = Settings.model_fields
    assert all(name.removeprefix("CASEWORK_").lower() in fields for name in env if name.startswith("CASEWORK_"))
    entry = [json.loads(rest) for keyword, rest in steps if keyword == "ENTRYPOINT"]
    command = [json.loads(rest) for keyword, rest in steps if keyword == "CMD"]
    assert (entry, command) == ([["casework"]], [["serve"]])
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "casework" in scripts


def test_the_image_healthcheck_asks_a_path_the_app_serves(tmp_path: Path):
    checks = [rest for keyword, rest in final_stage() if keyword == "HEALTHCHECK"]
    assert len(checks) == 1 and "urllib.request" in checks[0]
    path = re.search(r"http://127\.0\.0\.1:%s(/\w+)", checks[0])
    assert path is not None and path.group(1) == "/readyz"
    app = create_app(Settings(data_dir=tmp_path, sla_worker=False))
    paths = {getattr(route, "path", None) for route in app.routes}
    assert path.group(1) in paths


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "compose.yaml").read_text())  # type: ignore[no-any-return]


def interpolated(value: str) -> str:
    """Compose's ${NAME:-default} with nothing set in the environment."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_compose_starts_casework_with_postgresql_and_minio_and_keeps_their_data():
    spec = compose()
    services = spec["services"]
    assert set(services) == {"postgres", "minio", "minio-bucket", "casework"}
    assert services["postgres"]["image"] == "postgres:16" and "healthcheck" in services["postgres"]
    assert re.fullmatch(r"minio/minio:RELEASE\.[0-9TZ-]+", services["minio"]["image"])
    assert re.fullmatch(r"minio/mc:RELEASE\.[0-9TZ-]+", services["minio-bucket"]["image"])
    volumes = {v.split(":")[0] for name in ("postgres", "minio") for v in services[name]["volumes"]}
    assert volumes == set(spec["volumes"]) == {"postgres-data", "minio-data"}
    app = services["casework"]
    assert app["build"] == "."
    assert app["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "minio-bucket": {"condition": "service_completed_successfully"},
    }
    # Published on loopback, a range so that replicas (--scale) each get a port.
    assert app["ports"] == ["127.0.0.1:8000-8009:8000"]


def test_compose_wires_settings_that_casework_reads_to_postgresql_and_the_bucket_it_creates():
    services = compose()["services"]
    env = {name: interpolated(str(value)) for name, value in services["casework"]["environment"].items()}
    assert all(name.removeprefix("CASEWORK_").lower() in Settings.model_fields for name in env)
    settings = Settings(**{name.removeprefix("CASEWORK_").lower(): value for name, value in env.items()})
    assert not settings.is_sqlite
    assert settings.resolved_database_url.startswith("postgresql+psycopg://")
    postgres = services["postgres"]["environment"]
    assert settings.resolved_database_url.endswith(f"@postgres:5432/{postgres['POSTGRES_DB']}")
    assert settings.s3_endpoint_url == "http://minio:9000"
    bucket_job = " ".join(services["minio-bucket"]["entrypoint"])
    assert f"store/{settings.s3_bucket}" in bucket_job
    minio = services["minio"]["environment"]
    assert settings.s3_access_key_id == interpolated(minio["MINIO_ROOT_USER"])
    assert settings.s3_secret_access_key is not None
    assert settings.s3_secret_access_key.get_secret_value() == interpolated(minio["MINIO_ROOT_PASSWORD"])


@pytest.fixture(scope="module")
def runtime_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The image's build, without the image: the build context alone, synced as the Dockerfile does into a plain
    venv (no dev group, casework not editable)."""
    context = tmp_path_factory.mktemp("context")
    for source in copied_sources():
        if source.endswith("/"):
            shutil.copytree(ROOT / source, context / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / source, context / source)
    venv = tmp_path_factory.mktemp("opt") / "casework"
    uv = Path(sys.executable).with_name("uv")
    env = clean_env(UV_PROJECT_ENVIRONMENT=str(venv), UV_PYTHON_DOWNLOADS="never", UV_PYTHON=sys.executable)
    subprocess.run(
        [str(uv), "sync", "--frozen", "--no-dev", "--no-editable", "--quiet"], cwd=context, env=env, check=True
    )
    return venv


def test_the_runtime_venv_holds_no_dev_package_and_casework_is_installed_not_linked(runtime_venv: Path):
    probe = "import importlib.util as u, casework; print(casework.__file__); print(u.find_spec('pytest') is None)"
    out = subprocess.run([str(runtime_venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=True)
    location, no_pytest = out.stdout.split()
    assert location.startswith(str(runtime_venv)) and no_pytest == "True"


def test_the_entry_point_runs_from_the_runtime_venv_and_serves_readyz(runtime_venv: Path, tmp_path: Path):
    script = str(runtime_venv / "bin" / "casework")
    shown = subprocess.run([script, "--help"], capture_output=True, text=True, env=clean_env())
    assert shown.returncode == 0 and "serve" in shown.stdout
    data = tmp_path / "data"
    with running_server(tmp_path / "serve.log", clean_env(CASEWORK_DATA_DIR=str(data)), script=script) as server:
        with server.client() as client:
            assert client.get("/readyz").json() == {"status": "ok"}
    assert (data / "casework.db").is_file()


# The `casework` command, its imports done first: the processes then migrate within milliseconds of each other.
ON_SIGNAL = """
import sys, time
from pathlib import Path
from casework.cli import app
while not Path(sys.argv[1]).exists():
    time.sleep(0.005)
app(sys.argv[2:])
"""


def test_several_processes_migrating_one_fresh_database_at_once_all_succeed(backend: str, tmp_path: Path):
    """`casework migrate` and `casework serve` processes started together on an empty database: each waits for the
    one migrating, then finds the schema current."""
    go = tmp_path / "go"
    with empty_database(backend, tmp_path / "db") as url:
        env = clean_env(CASEWORK_DATABASE_URL=url, CASEWORK_DATA_DIR=str(tmp_path / "data"), CASEWORK_SLA_WORKER="false")

        def start(*arguments: str) -> subprocess.Popen[str]:
            command = [sys.executable, "-c", ON_SIGNAL, str(go), *arguments]
            return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                    start_new_session=True)  # fmt: skip

        ports = [free_port() for _ in range(SERVERS_AT_ONCE)]
        servers = [start("serve", "--host", "127.0.0.1", "--port", str(port)) for port in ports]
        migrations = [start("migrate") for _ in range(MIGRATIONS_AT_ONCE)]
        try:
            time.sleep(3)  # most of the imports; a slow one only starts a little later
            go.touch()
            for process in migrations:
                output, _ = process.communicate(timeout=300)
                assert process.returncode == 0, output
                assert "database is up to date" in output
            for port, process in zip(ports, servers):
                assert ready(f"http://127.0.0.1:{port}", process)
        finally:
            for process in servers:
                stop(process)


def ready(url: str, process: subprocess.Popen[str]) -> bool:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            return httpx.get(f"{url}/readyz", timeout=5).json() == {"status": "ok"}
        except httpx.TransportError:
            time.sleep(0.2)
    return False
