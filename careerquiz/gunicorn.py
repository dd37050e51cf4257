"""gunicorn's settings: `uv run gunicorn -c python:careerquiz.gunicorn careerquiz.wsgi`.

Every value can be changed from the environment (or on the command line, which wins).
Measured choices (tests/bench/serve.py, README "Performance"): one process per core, and
threads so keep-alive connections from a proxy or from partner pages are kept open.
"""

import gc
import multiprocessing
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
# gthread, except that a request reaches a thread only once it has fully arrived, so
# clients trickling a body cannot hold every thread (careerquiz/gunicorn_worker.py).
worker_class = os.environ.get(
    "GUNICORN_WORKER_CLASS", "careerquiz.gunicorn_worker.BufferingThreadWorker"
)
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
# A worker stuck longer than this is killed and replaced; requests take milliseconds.
timeout = 30
graceful_timeout = 20
# Restart workers now and then so a slow leak can never grow without bound, but
# rarely: a fresh worker compiles its templates and reads the live version again,
# and at 10,000 the benchmark saw a restart every half minute under load.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "200000"))
max_requests_jitter = 20000
# Load the app before forking: a broken configuration (no collected static files,
# no secret key) stops the server at once with its message, instead of every worker.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "" turns it off
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a reverse proxy on another host, list its address (or "*") so gunicorn trusts
# its X-Forwarded-* headers; Django's NUM_PROXIES decides which client address counts.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The garbage collector's full collections walk every object the process holds: about
# 110,000 once Django and the app are loaded, 70-150 ms on this VM during which all of a
# worker's threads wait, and that stall was the p99 of every page at 32 connections.
# Freezing what the master loaded (preload_app) leaves those objects out of every later
# collection (and their pages shared with the master instead of copied on write); the
# workers' own objects are frozen too once warm, after WARM_REQUESTS requests.
# GUNICORN_GC_FREEZE=false turns both off.
gc_freeze = os.environ.get("GUNICORN_GC_FREEZE", "true").lower() not in ("0", "false", "no")
WARM_REQUESTS = 1000


def pre_fork(server: object, worker: object) -> None:
    if gc_freeze:
        gc.collect()
        gc.freeze()


def post_request(worker: Any, req: object, environ: object, resp: object) -> None:
    # worker.nr: gunicorn's count of the requests this worker has served.
    if gc_freeze and worker.nr >= WARM_REQUESTS and not getattr(worker, "gc_frozen", False):
        worker.gc_frozen = True  # compiled templates, kept versions, pools: here to stay
        gc.collect()
        gc.freeze()
