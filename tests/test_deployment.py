"""The production server under real concurrency: gunicorn processes, SQLite or
PostgreSQL, Redis, and two instances behind Debian's nginx.

Slow (each server starts from an empty database), so only what needs real
processes is here. PostgreSQL, Redis and nginx tests skip without them, unless
CAREERQUIZ_REQUIRE_ALL is set (as .ci/run does).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import textwrap
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers import (
    PG_BIN,
    PG_HOST,
    PG_PORT,
    REDIS_HOST,
    REDIS_PORT,
    can_own_postgres,
    collect_static,
    database,
    flush_redis,
    free_port,
    gunicorn,
    owned_postgres,
    port_open,
    prepare,
    production_env,
    wait_until_healthy,
)

QUIZ = "ml-engineer"
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/7"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.deployment


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("static")
    collect_static(production_env("sqlite:///:memory:", root))
    return root


def need_postgres_and_redis() -> None:
    if not port_open(PG_HOST, PG_PORT):
        pytest.skip(f"PostgreSQL is not answering on {PG_HOST}:{PG_PORT}")
    if not port_open(REDIS_HOST, REDIS_PORT):
        pytest.skip(f"Redis is not answering on {REDIS_HOST}:{REDIS_PORT}")


# --- A visitor over plain HTTP -------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str


def request(
    url: str, method: str = "GET", form: dict[str, str] | None = None, *, timeout: float = 30
) -> Reply:
    """One request, redirects not followed (the last step answers 303)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=timeout
    )
    body = urllib.parse.urlencode(form) if form is not None else None
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    connection.request(
        method, parts.path + (f"?{parts.query}" if parts.query else ""), body, headers
    )
    response = connection.getresponse()
    reply = Reply(response.status, dict(response.getheaders()), response.read().decode())
    connection.close()
    return reply


STATE = re.compile(r'name="state" value="([^"]+)"')
CHOICE = re.compile(r'<input type="(?:radio|checkbox)" id="[^"]*" name="([^"]+)" value="([^"]+)"')
PROGRESS = re.compile(r"Question (\d+) of (\d+)")


@dataclass
class Visitor:
    """Takes the shipped quiz over HTTP, answering each question with its first choice."""

    base: str
    upstreams: list[str] = field(default_factory=list)

    def send(self, path: str, form: dict[str, str] | None = None) -> Reply:
        reply = request(self.base + path, "POST" if form is not None else "GET", form)
        assert reply.status < 500, reply.body[:500]
        if "X-Upstream" in reply.headers:
            self.upstreams.append(reply.headers["X-Upstream"])
        return reply

    def start(self) -> Reply:
        return self.send(f"/quiz/{QUIZ}/", {})

    def answers_until_the_last_step(self) -> dict[str, str]:
        """Every step but the last; returns the last step's form, ready to post."""
        page = self.start()
        assert page.status == 200, page.body[:500]
        while True:
            form = self.form(page.body)
            number, total = map(int, PROGRESS.search(page.body).groups())  # type: ignore[union-attr]
            if number == total:
                return form
            page = self.send(f"/quiz/{QUIZ}/step/", form)
            assert page.status == 200, page.body[:500]

    @staticmethod
    def form(body: str) -> dict[str, str]:
        state, choice = STATE.search(body), CHOICE.search(body)
        assert state, body[:500]
        assert choice, body[:500]
        return {"state": state.group(1), choice.group(1): choice.group(2), "action": "next"}


# --- The double-submit race --------------------------------------------------------------


def completed_attempts(kind: str, database_url: str) -> tuple[int, int]:
    sql = "SELECT COUNT(*), COUNT(completed_at) FROM quiz_attempt"
    if kind == "sqlite":
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            total, completed = db.execute(sql).fetchone()
    else:
        import psycopg

        with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as db:
            total, completed = db.execute(sql).fetchone()  # type: ignore[misc]
    return int(total), int(completed)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_ten_parallel_last_steps_give_one_result_and_no_server_error(kind, static_root, tmp_path):
    if kind == "postgres":
        need_postgres_and_redis()
    with ExitStack() as stack:
        database_url = stack.enter_context(database(kind, tmp_path))
        extra = {"REDIS_URL": REDIS_URL} if kind == "postgres" else {}
        if extra:
            flush_redis(REDIS_URL)
        env = production_env(database_url, static_root, **extra)
        prepare(env)
        server = stack.enter_context(gunicorn(env, workers=2))
        visitor = Visitor(server.url)
        last = visitor.answers_until_the_last_step()

        with ThreadPoolExecutor(max_workers=10) as pool:
            replies = list(
                pool.map(
                    lambda _: request(f"{server.url}/quiz/{QUIZ}/step/", "POST", last), range(10)
                )
            )

        assert [reply.status for reply in replies] == [303] * 10, [r.body[:300] for r in replies]
        results = {reply.headers["Location"] for reply in replies}
        assert len(results) == 1, results
        assert request(server.url + results.pop()).status == 200
        assert completed_attempts(kind, database_url) == (1, 1)


# --- Two instances behind nginx ----------------------------------------------------------


def nginx_config(folder: Path, port: int, upstreams: list[int]) -> Path:
    servers = "\n".join(f"        server 127.0.0.1:{upstream};" for upstream in upstreams)
    config = folder / "nginx.conf"
    config.write_text(
        textwrap.dedent(
            f"""\
            worker_processes 1;
            daemon off;
            pid {folder}/nginx.pid;
            error_log {folder}/error.log warn;
            events {{ worker_connections 256; }}
            http {{
                access_log off;
                client_body_temp_path {folder}/body;
                proxy_temp_path {folder}/proxy;
                fastcgi_temp_path {folder}/fastcgi;
                uwsgi_temp_path {folder}/uwsgi;
                scgi_temp_path {folder}/scgi;
                upstream app {{
            {servers}
                }}
                server {{
                    listen 127.0.0.1:{port};
                    location / {{
                        proxy_pass http://app;
                        proxy_set_header Host $http_host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        add_header X-Upstream $upstream_addr always;
                    }}
                }}
            }}
            """
        )
    )
    return config


@pytest.fixture
def nginx() -> str:
    if not Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed (apt-get install nginx-light)")
    return NGINX


@contextmanager
def run_nginx(binary: str, folder: Path, port: int, upstreams: list[int]) -> Iterator[str]:
    config = nginx_config(folder, port, upstreams)
    process = subprocess.Popen([binary, "-c", str(config), "-p", str(folder)])
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_two_instances_behind_nginx_serve_one_visitor_and_share_the_throttle(
    nginx, static_root, tmp_path
):
    need_postgres_and_redis()
    flush_redis(REDIS_URL)
    with ExitStack() as stack:
        database_url = stack.enter_context(database("postgres", tmp_path))
        env = production_env(
            database_url,
            static_root,
            REDIS_URL=REDIS_URL,
            NUM_PROXIES="1",  # nginx appends the visitor's address to X-Forwarded-For
            QUIZ_START_THROTTLE="4/day",
        )
        prepare(env)
        ports = [free_port(), free_port()]
        for port in ports:
            stack.enter_context(gunicorn(env, workers=1, port=port))
        base = stack.enter_context(run_nginx(nginx, tmp_path, free_port(), ports))
        visitor = Visitor(base)

        last = visitor.answers_until_the_last_step()
        done = visitor.send(f"/quiz/{QUIZ}/step/", last)
        assert done.status == 303
        result = visitor.send(done.headers["Location"])

        # nginx took turns: the one visitor's steps went to both instances.
        assert result.status == 200
        assert {upstream.rsplit(":", 1)[1] for upstream in visitor.upstreams} == {
            str(port) for port in ports
        }
        # One counter for both: 4 starts a day, whichever instance takes them.
        starts = [visitor.start() for _ in range(4)]
        assert [reply.status for reply in starts] == [200, 200, 200, 429]
        assert "Too many quizzes were started" in starts[-1].body
        assert int(starts[-1].headers["Retry-After"]) > 0
        assert len({reply.headers["X-Upstream"] for reply in starts}) == 2
        assert completed_attempts("postgres", database_url) == (4, 1)


# --- Outages under load ------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    path: str
    started: float  # time.monotonic()
    seconds: float
    status: int  # 0: no answer (connection refused, reset or timed out)


class Load:
    """Threads sending quiz starts (each writes an attempt row) and loader fetches.

    Every request is recorded with its time and status; 200s on starts are the rows the
    server acknowledged, for counting rows lost.
    """

    def __init__(self, base: str, *, threads: int) -> None:
        self.base = base
        self.threads = threads
        self.sent: list[Sent] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=threads)

    def __enter__(self) -> Load:
        for number in range(self.threads):
            self.pool.submit(self.run, number)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self.pool.shutdown(wait=True)

    def run(self, number: int) -> None:
        while not self.stopping.is_set():
            if number % 3 == 2:
                self.send("/embed.js")
            else:
                self.send(f"/quiz/{QUIZ}/", {})

    def send(self, path: str, form: dict[str, str] | None = None) -> Sent:
        started = time.monotonic()
        try:
            status = request(self.base + path, "POST" if form is not None else "GET", form).status
        except OSError:
            status = 0
            time.sleep(0.05)  # a refused connection answers at once: do not spin
        sent = Sent(path, started, time.monotonic() - started, status)
        with self.lock:
            self.sent.append(sent)
        return sent

    def between(self, start: float, end: float, path: str = "") -> list[Sent]:
        with self.lock:
            return [s for s in self.sent if start <= s.started < end and path in s.path]

    def acknowledged_starts(self) -> int:
        with self.lock:
            return sum(1 for s in self.sent if s.path.startswith("/quiz/") and s.status == 200)


def statuses(sent: list[Sent]) -> dict[int, int]:
    return dict(sorted(Counter(s.status for s in sent).items()))


def health_until(base: str, wanted: int, *, within: float) -> tuple[float, list[Sent]]:
    """Polls /healthz/ until it answers `wanted`; seconds taken, and every poll."""
    polls: list[Sent] = []
    begun = time.monotonic()
    while time.monotonic() - begun < within:
        started = time.monotonic()
        try:
            status = request(base + "/healthz/").status
        except OSError:
            status = 0
        polls.append(Sent("/healthz/", started, time.monotonic() - started, status))
        if status == wanted:
            return time.monotonic() - begun, polls
        time.sleep(0.1)
    raise AssertionError(f"/healthz/ did not answer {wanted} within {within} s: {polls}")


def attempt_rows(database_url: str) -> int:
    return completed_attempts(
        "sqlite" if database_url.startswith("sqlite") else "postgres", database_url
    )[0]


def report(name: str, figures: dict[str, object]) -> None:
    """The figures of one fault run, on one line (shown with pytest -s or -rP)."""
    print(json.dumps({"fault": name, **figures}))


OUTAGE_SECONDS = 10


def test_a_postgresql_outage_fails_fast_and_the_restart_gives_no_500(static_root):
    if not can_own_postgres():
        pytest.skip(f"no PostgreSQL binaries in {PG_BIN} to run a cluster of our own")
    with ExitStack() as stack:
        cluster = stack.enter_context(owned_postgres())
        env = production_env(cluster.url, static_root, QUIZ_START_THROTTLE="100000/min")
        prepare(env)
        server = stack.enter_context(gunicorn(env, workers=2))
        # Fewer clients than the server has threads (2 workers x 4).
        with Load(server.url, threads=5) as load:
            time.sleep(2)
            cluster.stop()
            stopped = time.monotonic()
            to_503, polls = health_until(server.url, 503, within=10)
            time.sleep(max(0.0, stopped + OUTAGE_SECONDS - time.monotonic()))
            cluster.start()
            restarted = time.monotonic()
            to_200, _ = health_until(server.url, 200, within=20)
            first = [load.send(f"/quiz/{QUIZ}/", {}) for _ in range(12)]
            time.sleep(2)
        rows = attempt_rows(cluster.url)

    # From a second in (for sessions cut mid-request), answered before the restart.
    during = [s for s in load.between(stopped + 1, restarted) if s.started + s.seconds < restarted]
    everything = load.between(0, float("inf"))
    report(
        "postgres-outage",
        {
            "outage_seconds": round(restarted - stopped, 1),
            "requests": len(everything),
            "statuses": statuses(everything),
            "during_outage": {
                "starts": statuses([s for s in during if s.path.startswith("/quiz/")]),
                "embed_js": statuses([s for s in during if s.path == "/embed.js"]),
                "slowest_seconds": round(max(s.seconds for s in during), 2),
            },
            "seconds_to_healthz_503": round(to_503, 2),
            "slowest_healthz_seconds": round(max(p.seconds for p in polls), 2),
            "seconds_from_restart_to_healthz_200": round(to_200, 2),
            "first_12_after_restart": statuses(first),
            "rows_acknowledged": load.acknowledged_starts(),
            "rows_in_database": rows,
            "rows_lost": max(0, load.acknowledged_starts() - rows),
        },
    )
    # The pool's 2 s wait, plus the check of a connection the outage left dead: 2.0 s
    # on an idle machine, 3.8 s once with other test suites loading both cores.
    assert to_503 < 5, polls
    assert all(p.seconds < 5 for p in polls), polls
    # Pages that need no database go on answering; those that do fail fast, with a 503.
    assert {s.status for s in during if s.path == "/embed.js"} == {200}
    assert {s.status for s in during if s.path.startswith("/quiz/")} == {503}
    assert all(s.seconds < 3.5 for s in during), max(during, key=lambda s: s.seconds)
    # No 500 at any time (a session cut mid-request is a 503 too), none after the restart.
    assert 500 not in statuses(everything)
    assert [s.status for s in first] == [200] * 12
    assert rows >= load.acknowledged_starts() > 0


@contextmanager
def tiny_filesystem(size: str) -> Iterator[Path]:
    """A tmpfs of `size` (needs root): a disk that really fills up, for SQLite."""
    folder = Path(tempfile.mkdtemp(prefix="careerquiz-full-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


def fill(folder: Path) -> Path:
    """Writes a file until the filesystem is full; removing it frees the space."""
    filler = folder / "filler"
    with suppress(OSError), filler.open("wb", buffering=0) as out:
        while True:
            out.write(bytes(65536))
    return filler


def test_sqlite_on_a_full_disk_turns_healthz_503_and_loses_no_row(static_root):
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    with tiny_filesystem("24m") as disk:
        database_url = f"sqlite:///{disk / 'db.sqlite3'}"
        env = production_env(database_url, static_root, QUIZ_START_THROTTLE="100000/min")
        prepare(env)
        with gunicorn(env, workers=2) as server, Load(server.url, threads=4) as load:
            time.sleep(2)
            filler = fill(disk)
            filled = time.monotonic()
            to_503, _ = health_until(server.url, 503, within=15)
            time.sleep(3)
            filler.unlink()
            freed = time.monotonic()
            to_200, _ = health_until(server.url, 200, within=15)
            time.sleep(2)
        rows = attempt_rows(database_url)

    full = [s for s in load.between(filled + to_503, freed) if s.started + s.seconds < freed]
    everything = load.between(0, float("inf"))
    report(
        "sqlite-disk-full",
        {
            "full_seconds": round(freed - filled, 1),
            "requests": len(everything),
            "statuses": statuses(everything),
            "while_full_and_reported": {
                "starts": statuses([s for s in full if s.path.startswith("/quiz/")]),
                "embed_js": statuses([s for s in full if s.path == "/embed.js"]),
            },
            "seconds_from_full_to_healthz_503": round(to_503, 2),
            "seconds_from_freed_to_healthz_200": round(to_200, 2),
            "rows_acknowledged": load.acknowledged_starts(),
            "rows_in_database": rows,
            "rows_lost": max(0, load.acknowledged_starts() - rows),
        },
    )
    # The heartbeat (an update in place) can find room a few seconds longer than the
    # starts (inserts) do; runs measured 0.04 to 10.2 s.
    assert to_503 < 12
    # Starts fail with a 503; a few may still find room (SQLite reuses freed pages and
    # WAL space), and those are real rows, counted below.
    starts = Counter(s.status for s in full if s.path.startswith("/quiz/"))
    assert set(starts) <= {200, 503}, starts
    assert starts[503] > starts[200], starts
    assert {s.status for s in full if s.path == "/embed.js"} == {200}
    assert 500 not in statuses(everything)
    assert rows >= load.acknowledged_starts() > 0


# --- Slow clients ------------------------------------------------------------------------


def trickle(base: str, seconds: float) -> tuple[float, bytes]:
    """A quiz step body sent a byte every half second; when and how the server answered."""
    parts = urllib.parse.urlsplit(base)
    begun = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=seconds + 5) as sock:
        head = (
            f"POST /quiz/{QUIZ}/step/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000\r\n\r\n"
        )
        sock.sendall(head.encode())
        answer = b""
        while time.monotonic() - begun < seconds:
            try:
                sock.sendall(b"a")
            except OSError:
                break  # the server closed the connection
            time.sleep(0.5)
            sock.setblocking(False)
            with suppress(BlockingIOError):
                answer += sock.recv(4096)
            sock.setblocking(True)
            if answer:
                break
        return time.monotonic() - begun, answer


SLOW_CLIENTS = 12  # more than the server's threads: 2 workers x 4


def test_slow_clients_take_no_thread_and_are_cut_off(static_root, tmp_path):
    with ExitStack() as stack:
        database_url = stack.enter_context(database("sqlite", tmp_path))
        env = production_env(database_url, static_root, GUNICORN_REQUEST_READ_TIMEOUT="4")
        prepare(env)
        server = stack.enter_context(gunicorn(env, workers=2))
        with ThreadPoolExecutor(max_workers=SLOW_CLIENTS) as pool:
            slow = [pool.submit(trickle, server.url, 8) for _ in range(SLOW_CLIENTS)]
            time.sleep(1)  # every slow client has started its body
            polls = []
            for _ in range(10):
                started = time.monotonic()
                try:
                    status = request(server.url + "/healthz/", timeout=2).status
                except OSError:
                    status = 0
                polls.append(Sent("/healthz/", started, time.monotonic() - started, status))
                time.sleep(0.3)
            cut_off = [future.result() for future in slow]

    report(
        "slow-clients",
        {
            "slow_clients": SLOW_CLIENTS,
            "healthz_requests": len(polls),
            "healthz_statuses": statuses(polls),
            "slowest_healthz_seconds": round(max(p.seconds for p in polls), 2),
            "slow_clients_answered": Counter(a.split(b"\r\n")[0].decode() for _, a in cut_off),
            "slow_clients_cut_off_after_seconds": round(max(s for s, _ in cut_off), 1),
        },
    )
    assert [p.status for p in polls] == [200] * 10, polls
    assert all(p.seconds < 2 for p in polls), polls
    # Cut off at the read timeout (4 s here) with a 408, long before they finished.
    assert all(answer.startswith(b"HTTP/1.1 408") for _, answer in cut_off), cut_off
    assert all(seconds < 7 for seconds, _ in cut_off), cut_off
