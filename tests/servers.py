"""The product run as an operator runs it: a fresh database, collected static files,
the shipped content, and gunicorn with careerquiz/gunicorn.py (DEBUG off).

Used by tests/test_deployment.py (races, two instances behind nginx, outages) and by
tests/bench/serve.py. Each server gets its own database: an SQLite file in a temporary
folder, or a PostgreSQL database made on 127.0.0.1:5432 and dropped afterwards. A test
that stops PostgreSQL runs a throwaway cluster of its own (`owned_postgres`).
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "careerquiz" / "content" / "ml-engineer.json"
PG_HOST, PG_PORT = "127.0.0.1", 5432
# The newest PostgreSQL whose server binaries are installed (Debian: one folder a version).
PG_BIN = max(
    Path("/usr/lib/postgresql").glob("*/bin"),
    key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    default=Path("/usr/lib/postgresql/15/bin"),
)
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env(database_url: str, static_root: Path, **extra: str) -> dict[str, str]:
    """The environment of a production deployment on this machine (no TLS proxy)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "API_", "QUIZ_", "GUNICORN_"))
    }
    return env | {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "",
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def collect_static(env: dict[str, str]) -> None:
    manage(env, "collectstatic", "--noinput", "-v", "0")


def prepare(env: dict[str, str]) -> str:
    """Migrate, import the shipped content, add a partner; returns its public key."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "import_content", str(SHIPPED))
    manage(env, "partner", "add", "Test Partner", "--origin", "https://partner.example")
    return str(json.loads(manage(env, "partner", "list", "--json"))[0]["public_key"])


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh, empty database's URL: an SQLite file, or a PostgreSQL database."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'db.sqlite3'}"
        return
    import psycopg

    name = f"careerquiz_{secrets.token_hex(4)}"
    admin = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"
    with psycopg.connect(admin, autocommit=True) as pg:
        pg.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgres://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as pg:
            pg.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


@dataclass(frozen=True)
class Server:
    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2, port: int | None = None) -> Iterator[Server]:
    """gunicorn serving the app with the repo's config, until the block ends."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:careerquiz.gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "careerquiz.wsgi",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        yield Server(url, process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def wait_until_healthy(url: str, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz/", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url}/healthz/ did not answer 200 within a minute")


# --- A PostgreSQL cluster of the test's own, to stop and start -----------------------------


@dataclass(frozen=True)
class OwnedPostgres:
    """A throwaway cluster on a free port: never the machine's cluster on 5432."""

    data: Path
    port: int
    user: str | None  # the system user the server runs as (initdb refuses root)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=90)

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data}"
        self.pg_ctl("-o", options, "-l", str(self.data / "server.log"), "start")

    def stop(self) -> None:
        # "fast": what a restart does, every session is cut off at once.
        self.pg_ctl("-m", "fast", "stop")


def can_own_postgres() -> bool:
    return (PG_BIN / "initdb").exists() and (
        os.geteuid() != 0 or shutil.which("runuser") is not None
    )


@contextmanager
def owned_postgres() -> Iterator[OwnedPostgres]:
    """initdb into a temporary folder, start it, and remove it all afterwards."""
    user = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="careerquiz-pg-"))
    data = folder / "data"
    try:
        if user:
            account = pwd.getpwnam(user)
            os.chown(folder, account.pw_uid, account.pw_gid)
        command = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        if user:
            command = ["runuser", "-u", user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        cluster = OwnedPostgres(data, free_port(), user)
        cluster.start()
        try:
            yield cluster
        finally:
            with suppress(subprocess.CalledProcessError):
                cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
