"""The production gunicorn settings, read by gunicorn only (never imported by the gateway):

    gunicorn -c python:consent_gateway.web.platform.gunicorn_conf wsgi:app

(``consent-gateway serve --production`` runs the same.) A flag on gunicorn's command line overrides
the setting here, e.g. ``-b 0.0.0.0:8080`` or ``-w 8``. Every value is the one the throughput
bench (``bench/api_throughput.py``) and the kill test ran with.
"""

from __future__ import annotations

import os

# Where the load balancer reaches this instance.
bind = ["0.0.0.0:8000"]

# Processes: the usual 2 x cores + 1 (WEB_CONCURRENCY, gunicorn's own variable, overrides it).
# Each runs a few threads so that a request waiting on the database (a PostgreSQL commit waits
# for its WAL flush) does not leave the core idle; the GIL keeps more threads from helping.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
worker_class = "gthread"
threads = 4

# A worker silent for 30 s is killed and replaced. On SIGTERM or SIGHUP workers stop taking
# connections and get 30 s to finish the requests they hold: a decision being written is committed
# and answered, not cut (a cut one is never acknowledged, so it is never lost either).
timeout = 30
graceful_timeout = 30
# Longer than the idle timeout of the load balancer in front (60 s on the common ones), so that
# the balancer, never gunicorn, closes an idle connection: no request races a closing socket.
keepalive = 75

# Recycle a worker after about 10,000 requests (whatever a library may leak stays bounded); the
# jitter keeps the workers from restarting all at once.
max_requests = 10_000
max_requests_jitter = 1_000

# Preload: the master builds the app once (wsgi.py: settings checked, sites.yaml loaded, keys
# parsed) and forks the workers from it. A worker killed, crashed or recycled by max_requests is
# back in milliseconds instead of a second or two of imports, and a bad setting stops the master
# before any worker starts (wsgi.py exits with status 4). This is safe because building the app
# opens no connection: the engine's pool fills in each worker after the fork, so no database
# connection is ever shared between processes. The price: SIGHUP restarts the workers from the
# already-loaded code and sites.yaml; to deploy either, restart the instances one at a time behind
# the load balancer.
preload_app = True

# The heartbeat file each worker touches: in memory, because a disk-backed /tmp (common in
# containers) can stall a worker on the write and get it killed as silent.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# No access log from gunicorn: the gateway writes its own JSON request log (one line a request).
# gunicorn's own lines (start, workers, refused requests) are JSON too, without address or URI.
accesslog = None
errorlog = "-"
loglevel = "info"
logger_class = "consent_gateway.logs.GunicornLogger"

# Prometheus across workers (when PROMETHEUS_MULTIPROC_DIR is set, see README "Metrics"): the
# previous run's counts are emptied at start, and a dead worker's live values leave /metrics.
from consent_gateway.web.platform.metrics import child_exit, on_starting  # noqa: E402,F401

# gunicorn's own answers (400, 414, 431 to a request it cannot parse) carry the gateway's security
# headers: each worker replaces gunicorn's writer of them (web.platform.server_errors).
from consent_gateway.web.platform.server_errors import post_worker_init  # noqa: E402,F401

# gunicornc's control socket would be one path shared by every gunicorn of the user (benches,
# tests, a second instance) and can change the worker count; operations use signals instead.
control_socket_disable = True
