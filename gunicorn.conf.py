"""Gunicorn settings for production, read by gunicorn from the working directory.

Start: `gunicorn siem.wsgi` from the project root. Every value below can be set through the
environment variable named beside it; docs/deployment.md explains them.
"""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

from siem.config import deployment_environment, env_bool, env_int, env_str
from siem.observability.logconfig import build_logging_config

# Loopback by default, so a bare start is not reachable from the network. Behind a load
# balancer or in a container, set SIEM_BIND=0.0.0.0:8000.
bind = [env_str("SIEM_BIND", "127.0.0.1:8000")]

# gthread workers: each process serves `threads` requests at once, which suits views that
# spend most of their time waiting on MySQL, Redis or AWS. The default worker count is the low
# end of the "2-4 x cores" range that gunicorn's own `workers` setting documents.
worker_class = "gthread"
workers = env_int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2, minimum=1)
threads = env_int("GUNICORN_THREADS", 4, minimum=1)

# Seconds. `timeout` restarts a worker whose main loop stops sending heartbeats to the master.
# `graceful_timeout` is how long SIGTERM waits for in-flight requests before workers are killed.
timeout = env_int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
# Kept longer than the load balancer's idle timeout (60 s by default on an ALB), so the
# load balancer closes idle connections first and never reuses one that gunicorn just closed.
keepalive = env_int("GUNICORN_KEEPALIVE", 75, minimum=1)
# Replace each worker after about this many requests, spread by the jitter, to bound slow leaks.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# The heartbeat file lives in memory where /dev/shm exists, because a disk-backed /tmp in a
# container can stall the heartbeat and get healthy workers killed.
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"
# Gunicorn's runtime control socket is not used by this service.
control_socket_disable = True

# Access lines on stdout, with the request id the app returns and the client chain from the
# load balancer. Behind a load balancer, %(h)s is the load balancer's address, not the client's.
accesslog = "-"
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s '
    'forwarded_for="%({x-forwarded-for}i)s" "%(a)s"'
)
logconfig_dict = build_logging_config(
    json_output=env_bool("SIEM_LOG_JSON", deployment_environment() == "production"),
    level=env_str("LOG_LEVEL", "INFO").upper(),
)

# Prometheus multiprocess mode: every worker writes its samples to files in
# PROMETHEUS_MULTIPROC_DIR, and the metrics endpoint adds them up, so one scrape covers all
# workers. prometheus_client reads the variable when it is imported, after the workers fork.
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
_temporary_metrics_dir: Path | None = None


def on_starting(server) -> None:
    """Prepare the metrics directory before any worker starts, emptied of earlier samples.

    Without PROMETHEUS_MULTIPROC_DIR, a temporary directory is created and removed at exit.
    Emptying it restarts the counters from zero with the service.
    """
    global _temporary_metrics_dir
    if not os.environ.get(METRICS_DIR_VARIABLE):
        _temporary_metrics_dir = Path(tempfile.mkdtemp(prefix="siem-prometheus-"))
        os.environ[METRICS_DIR_VARIABLE] = str(_temporary_metrics_dir)

    metrics_dir = Path(os.environ[METRICS_DIR_VARIABLE])
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()
    server.log.info("prometheus multiprocess directory: %s", metrics_dir)


def post_worker_init(worker) -> None:
    """Log when a worker has loaded the app and starts accepting, unlike "Booting worker"."""
    worker.log.info("worker ready: pid=%s", worker.pid)


def child_exit(server, worker) -> None:
    """Drop the live gauges of a worker that exited. Its counters stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if _temporary_metrics_dir is not None:
        shutil.rmtree(_temporary_metrics_dir, ignore_errors=True)
