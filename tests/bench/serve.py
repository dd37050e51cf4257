"""Serve careerquiz as an operator would and load it with wrk: req/s, ratio to /healthz/, p99.

    uv run python -m tests.bench.serve                 # SQLite, then PostgreSQL + Redis
    uv run --with granian python -m tests.bench.serve --server granian

Each run starts from an empty database: migrate, import the shipped content,
collectstatic, add a partner, then start the production server (two workers,
DJANGO_DEBUG=false, throttles lifted so they measure the app, not the limit)
on loopback and drive every request below with wrk for --duration seconds at
--connections connections, in --rounds rounds through all of them (each row is
its median round). Ratios are to /healthz/ in the same run on the same
server, so a busy machine moves every row alike. Needs Debian's wrk; the
PostgreSQL run needs the server on 127.0.0.1:5432 (it makes and drops its own
database) and Redis on 127.0.0.1:6379 (database 15, or --redis-url; it flushes it).
Run it alone: a test run beside it halves every figure. Each row also gives the CPU
time every process but wrk used per request (from /proc): on a busy shared machine it
moves less than the rates do. --only placements measures just that and the floor.
Placements are 500 different people's random answers, sent in random order: a
result kept for one set of answers cannot flatter the figure.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.servers import (
    REDIS_HOST,
    REDIS_PORT,
    ROOT,
    collect_static,
    database,
    flush_redis,
    free_port,
    prepare,
    production_env,
    wait_until_healthy,
)

QUIZ = "ml-engineer"
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
LIFTED = "1000000/s"  # throttles measure the limit, not the app
THROTTLES = ("API_THROTTLE_CLIENT", "API_THROTTLE_PARTNER", "API_THROTTLE_PLACEMENTS")


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    method: str = "GET"
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    # Bodies sent in turn at random instead of `body`: each placement a different person.
    bodies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measured:
    target: Target
    requests_per_second: float
    mean_ms: float
    p99_ms: float
    errors: str
    cpu_ms: float = 0.0  # CPU time of every process but wrk, per request served


@contextmanager
def server(kind: str, env: dict[str, str], workers: int) -> Iterator[str]:
    """The production server on a free loopback port: gunicorn (careerquiz/gunicorn.py) or
    granian."""
    port = free_port()
    if kind == "gunicorn":
        command = ["gunicorn", "-c", "python:careerquiz.gunicorn", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(workers)]
        command.append("careerquiz.wsgi")
    else:
        command = ["granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
        command += ["--workers", str(workers), "careerquiz.wsgi:application"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> str:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.read().decode())


def targets(base: str, key: str) -> list[Target]:
    """The requests measured; each is checked to answer 2xx before it is loaded."""
    first = fetch(f"{base}/quiz/{QUIZ}/", data=b"")
    state = re.search(r'name="state" value="([^"]+)"', first)
    choice = re.search(
        r'<input type="(?:radio|checkbox)" id="[^"]*" name="([^"]+)" value="([^"]+)"', first
    )
    if not (state and choice):
        raise SystemExit("the quiz's first question did not render")
    step_body = urllib.parse.urlencode(
        {"state": state.group(1), choice.group(1): choice.group(2), "action": "next"}
    )
    quiz = json.loads(fetch(f"{base}/api/v1/quizzes/{QUIZ}/"))
    people = random.Random(QUIZ)
    placements = tuple(
        json.dumps({"answers": random_answers(quiz, people), "region": people.choice(REGIONS)})
        for _ in range(PEOPLE)
    )
    json_headers = (("Content-Type", "application/json"), ("X-Careerquiz-Partner", key))
    return [
        Target("`/healthz/`", "/healthz/"),
        Target("quiz start page", f"/quiz/{QUIZ}/"),
        Target(
            "HTMX step",
            f"/quiz/{QUIZ}/step/",
            "POST",
            step_body,
            (("Content-Type", "application/x-www-form-urlencoded"), ("HX-Request", "true")),
        ),
        Target("embed page", f"/embed/{QUIZ}/?partner={key}"),
        Target(f"`GET /api/v1/quizzes/{QUIZ}/`", f"/api/v1/quizzes/{QUIZ}/"),
        Target("ladder page", f"/ladders/{QUIZ}/"),
        Target(
            "`POST …/placements/`",
            f"/api/v1/quizzes/{QUIZ}/placements/",
            "POST",
            placements[0],
            json_headers,
            placements,
        ),
    ]


PEOPLE = 500  # distinct placement bodies: no cache of one person's result flatters a run
REGIONS = ("IN", "US", "")


def random_answers(quiz: dict[str, Any], people: random.Random) -> dict[str, Any]:
    """Every question answered at random, as the API takes it (a list for multiple)."""
    answers: dict[str, Any] = {}
    for question in quiz["questions"]:
        keys = [option["key"] for option in question["options"]]
        if question["kind"] == "multiple":
            answers[question["key"]] = people.sample(keys, people.randint(0, len(keys)))
        else:
            answers[question["key"]] = people.choice(keys)
    return answers


def check(base: str, target: Target) -> None:
    for body in target.bodies or (target.body,):
        data = body.encode() if target.method == "POST" else None
        fetch(base + target.path, data=data, headers=dict(target.headers))


LATENCY = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.M)
MEAN = re.compile(r"^\s+Latency\s+([\d.]+)(us|ms|s)\s", re.M)
SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0}
RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
ERRORS = re.compile(r"^\s+(Non-2xx or 3xx responses: \d+|Socket errors: .*)$", re.M)


def lua_script(target: Target, folder: Path) -> Path:
    lines = [f"wrk.method = {json.dumps(target.method)}"]
    if target.body:
        lines.append(f"wrk.body = {json.dumps(target.body)}")
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in target.headers]
    if target.bodies:
        # A JSON string is a Lua string literal for the ASCII json.dumps writes.
        lines.append("local bodies = {" + ",".join(json.dumps(b) for b in target.bodies) + "}")
        lines.append(
            "request = function() "
            "return wrk.format(nil, nil, nil, bodies[math.random(#bodies)]) end"
        )
    path = folder / f"{abs(hash(target.name))}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def cpu_seconds() -> float:
    """User and system CPU time of every process on the machine but wrk (the server, the
    database, Redis): a request's cost, whoever paid it, when nothing else runs."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() == "wrk":
                    continue
        except OSError:  # ended meanwhile
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def load(base: str, target: Target, args: argparse.Namespace, folder: Path) -> Measured:
    command = [
        "wrk",
        "--latency",
        "-t",
        "2",
        "-c",
        str(args.connections),
        "-d",
        f"{args.duration}s",
        "-s",
        str(lua_script(target, folder)),
        base + target.path,
    ]
    before = cpu_seconds()
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    used = cpu_seconds() - before
    rate, mean, p99 = RATE.search(out), MEAN.search(out), LATENCY.search(out)
    if not (rate and mean and p99):
        raise SystemExit(f"unreadable wrk output for {target.name}:\n{out}")
    return Measured(
        target,
        float(rate.group(1)),
        float(mean.group(1)) * SCALE[mean.group(2)],
        float(p99.group(1)) * SCALE[p99.group(2)],
        "; ".join(ERRORS.findall(out)),
        used * 1000 / max(1.0, float(rate.group(1)) * args.duration),
    )


def first_load_bytes(base: str, key: str) -> dict[str, int]:
    """What a browser fetches to show the embedded quiz's first screen, gzipped: the HTML
    (as a proxy compresses it) and each script and stylesheet (as WhiteNoise serves them)."""
    html = fetch(f"{base}/embed/{QUIZ}/?partner={key}")
    sizes = {"HTML": len(gzip.compress(html.encode()))}
    for path in re.findall(r'<(?:script|link rel="stylesheet")[^>]*(?:src|href)="([^"]+)"', html):
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as response:
            sizes[path.rsplit("/", 1)[-1]] = len(response.read())
    return sizes


def median_of(runs: list[Measured]) -> Measured:
    """The run with the median rate (its latencies with it); errors of any run are kept."""
    ordered = sorted(runs, key=lambda run: run.requests_per_second)
    middle = ordered[len(ordered) // 2]
    errors = "; ".join(run.errors for run in runs if run.errors)
    return Measured(
        middle.target,
        middle.requests_per_second,
        middle.mean_ms,
        middle.p99_ms,
        errors,
        middle.cpu_ms,
    )


def table(title: str, rows: list[Measured]) -> str:
    floor = rows[0].requests_per_second
    lines = [
        f"\n{title}\n",
        "| request | req/s | ratio to `/healthz/` | mean | p99 | p99 / mean | CPU / request |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        note = f" ({row.errors})" if row.errors else ""
        lines.append(
            f"| {row.target.name} | {row.requests_per_second:.0f} | "
            f"{row.requests_per_second / floor:.2f} | {row.mean_ms:.1f} ms | "
            f"{row.p99_ms:.1f} ms | {row.p99_ms / row.mean_ms:.1f}{note} | "
            f"{row.cpu_ms:.2f} ms |"
        )
    return "\n".join(lines)


def run(kind: str, args: argparse.Namespace) -> str:
    folder = Path(tempfile.mkdtemp(prefix="careerquiz-bench-"))
    try:
        with database(kind, folder) as database_url:
            extra = {name: LIFTED for name in (*THROTTLES, "QUIZ_START_THROTTLE")}
            extra |= dict(setting.split("=", 1) for setting in args.env)
            if kind == "postgres":
                flush_redis(args.redis_url)
                extra["REDIS_URL"] = args.redis_url
            env = production_env(database_url, folder / "static", **extra)
            collect_static(env)
            key = prepare(env)
            with server(args.server, env, args.workers) as base:
                sizes = first_load_bytes(base, key)
                measured = [
                    t
                    for i, t in enumerate(targets(base, key))
                    if i == 0 or not args.only or any(word in t.name for word in args.only)
                ]
                for target in measured:
                    check(base, target)
                # Rounds through every request, so a slow spell of a shared machine
                # touches each row alike; each row is its median round.
                rounds = [
                    [load(base, target, args, folder) for target in measured]
                    for _ in range(args.rounds)
                ]
                rows = [median_of([r[i] for r in rounds]) for i in range(len(measured))]
        label = "SQLite" if kind == "sqlite" else "PostgreSQL + Redis"
        title = (
            f"{label}, {args.server} with {args.workers} workers, wrk {args.connections} "
            f"connections, median of {args.rounds} rounds of {args.duration} s:"
        )
        parts = ", ".join(f"{name} {size / 1024:.1f}" for name, size in sizes.items())
        total = sum(sizes.values()) / 1024
        return (
            f"{table(title, rows)}\n\nEmbedded quiz, first load gzipped: {total:.1f} KB ({parts})"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--server", choices=["gunicorn", "granian"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=5, help="Seconds per request and round.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--only",
        nargs="+",
        default=[],
        metavar="WORD",
        help="Only the requests whose name has one of these words (and /healthz/, the floor).",
    )
    parser.add_argument(
        "--redis-url", default=REDIS_URL, help="The Redis database to use; it is flushed."
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="An environment variable for the server, e.g. GUNICORN_WORKER_CLASS=sync.",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    for kind in args.databases:
        print(run(kind, args), flush=True)


if __name__ == "__main__":
    main()
