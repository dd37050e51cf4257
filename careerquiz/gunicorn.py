"""gunicorn's settings: `uv run gunicorn -c python:careerquiz.gunicorn careerquiz.wsgi`.

Every value can be changed from the environment (or on the command line, which wins).
Measured choices (tests/bench/serve.py, README "Performance"): one process per core, and
threads so keep-alive connections from a proxy or from partner pages are kept open.
"""

import multiprocessing
import os

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
