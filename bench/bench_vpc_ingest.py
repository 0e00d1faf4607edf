"""Benchmark of VPC Flow Log ingest and of GET /api/metrics/vpc?time_range=24h.

Run from the project root:

    python bench/bench_vpc_ingest.py [--records 1000000] [--query-flows 10000000]
        [--detection-runs 2]

It generates gzip files of default-format records, ingests them into a fresh SQLite database
in bench/out/, and prints JSON with the rates, peak memory and the DuckDB reference time.
The same file is then ingested with the threat detectors off and on (SIEM_DETECTION_ENABLED,
with the demo IP list so the malware detector runs too), alternating, to give their overhead.
Ingest runs in child processes with Arrow limited to one thread, so the peak RSS is the
ingest's own and its CPU time is the work of one core even when other processes share the
machine.
"""

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HEADER = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status"
)
# Address pools and their skew: a few busy hosts and a long tail, as in a real VPC.
INTERNAL_HOSTS = 4000
EXTERNAL_HOSTS = 40000
ZIPF_EXPONENT = 1.2
SERVICE_PORTS = np.array([443, 80, 22, 53, 3306, 5432, 6379, 8080, 123, 3389])


def address_pools() -> tuple[np.ndarray, np.ndarray]:
    """Return the internal (10.0.0.0/16) and external address pools as string arrays."""
    internal = [f"10.0.{i // 250}.{i % 250 + 1}" for i in range(INTERNAL_HOSTS)]
    external = [
        f"{23 + i // 62500}.{(i // 250) % 250 + 1}.{i * 7 % 250 + 1}.{i % 250 + 1}"
        for i in range(EXTERNAL_HOSTS)
    ]
    return np.array(internal, dtype=object), np.array(external, dtype=object)


def zipf_pick(rng: np.random.Generator, pool: np.ndarray, size: int) -> np.ndarray:
    return pool[(rng.zipf(ZIPF_EXPONENT, size) - 1) % len(pool)]


def generate(path: Path, count: int, *, first_start: int, span: int, seed: int) -> None:
    """Write `count` records with start times spread evenly over [first_start, first_start+span)."""
    rng = np.random.default_rng(seed)
    with gzip.open(path, "wt", compresslevel=6) as handle:
        handle.write(HEADER + "\n")
        for offset in range(0, count, 200_000):
            size = min(200_000, count - offset)
            handle.write(_chunk(rng, size, first_start, span, offset, count))


def _chunk(
    rng: np.random.Generator, size: int, first_start: int, span: int, offset: int, count: int
) -> str:
    internal_pool, external_pool = POOLS
    egress = rng.random(size) < 0.5
    internal = zipf_pick(rng, internal_pool, size)
    peer = np.where(
        rng.random(size) < 0.3,
        zipf_pick(rng, internal_pool, size),
        zipf_pick(rng, external_pool, size),
    )
    src = np.where(egress, internal, peer)
    dst = np.where(egress, peer, internal)
    protocol = rng.choice([6, 17, 1, 58], size, p=[0.8, 0.17, 0.02, 0.01])
    start = first_start + (np.arange(offset, offset + size) * span) // count
    columns = [
        rng.integers(0, 3000, size), src, dst, rng.integers(1024, 65536, size),
        rng.choice(SERVICE_PORTS, size), protocol, rng.integers(1, 200, size),
        rng.lognormal(8, 2, size).astype(np.int64) + 40, start,
        np.where(rng.random(size) < 0.08, "REJECT", "ACCEPT"),
    ]  # fmt: skip
    lines = [
        f"2 123456789012 eni-{e:05d} {s} {d} {sp} {dp} {p} {pk} {b} {st} {st + 60} {a} OK"
        for e, s, d, sp, dp, p, pk, b, st, a in zip(*(c.tolist() for c in columns), strict=True)
    ]
    nodata = rng.random(size) < 0.005
    lines += [
        f"2 123456789012 eni-00001 - - - - - - - {first_start} {first_start + 60} - NODATA"
    ] * int(nodata.sum())
    return "\n".join(lines) + "\n"


POOLS = address_pools()


def single_threaded() -> None:
    """Keep Arrow to one thread, so CPU time measures the work of one core."""
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URI"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siem.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_ingest(database: Path, paths: list[str]) -> dict:
    """Ingest the files into `database` and return the time, record count and peak RSS."""
    single_threaded()
    setup_django(database)
    from ingest.pipeline import ingest_object
    from ingest.sources.files import FileObject

    started, cpu_started = time.perf_counter(), cpu_seconds()
    records = 0
    for path in paths:
        records += ingest_object(FileObject(Path(path))).stats.records
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from threats.models import SecurityEvent

    return {
        "records": records,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mib": peak_mib,
        "events": SecurityEvent.objects.count(),
    }


def child_parse(path: Path) -> dict:
    """Parse the file and build its rollup deltas in memory, without touching a database."""
    single_threaded()
    sys.path.insert(0, str(ROOT))
    from logparsers.common import ParseStats
    from logparsers.vpc_flow import parse_vpc_flow
    from metrics.flows.accumulator import FlowRollupAccumulator

    def chunks():
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk

    started, cpu_started = time.perf_counter(), cpu_seconds()
    stats = ParseStats()
    accumulator = FlowRollupAccumulator()
    for batch in parse_vpc_flow(chunks(), source=str(path), stats=stats):
        accumulator.add(batch)
    accumulator.traffic()
    accumulator.talkers()
    return {
        "records": stats.records,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": cpu_seconds() - cpu_started,
    }


def child_query(database: Path, repeats: int) -> dict:
    """Time GET /api/metrics/vpc?time_range=24h through the URL routing, with a real token."""
    single_threaded()
    setup_django(database)
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from metrics.flows.selectors import rollup_vpc_stats
    from metrics.timeranges import TIME_RANGES

    user, _ = get_user_model().objects.get_or_create(
        email="bench@example.com", defaults={"name": "bench"}
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    body = client.get("/api/metrics/vpc", {"time_range": "24h"}, HTTP_HOST="localhost").json()
    http_ms = []
    for _ in range(repeats):
        started = time.perf_counter()
        client.get("/api/metrics/vpc", {"time_range": "24h"}, HTTP_HOST="localhost")
        http_ms.append((time.perf_counter() - started) * 1000)
    start, end = TIME_RANGES["24h"].aligned_window(timezone.now())
    selector_ms = []
    for _ in range(repeats):
        started = time.perf_counter()
        rollup_vpc_stats(start=start, end=end)
        selector_ms.append((time.perf_counter() - started) * 1000)
    return {
        "total_flows": body["total_flows"],
        "http_median_ms": statistics.median(http_ms),
        "http_max_ms": max(http_ms),
        "selector_median_ms": statistics.median(selector_ms),
        "top_sources": body["top_sources"],
    }


def run_child(*args: str, env: dict[str, str] | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def fresh_database(name: str) -> Path:
    database = OUT / name
    database.unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URI": f"sqlite:///{database}", "LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], check=True, cwd=ROOT, env=env)
    return database


DUCKDB_QUERY = """
WITH flows AS MATERIALIZED (
  SELECT srcaddr, dstaddr, action, protocol, bytes
  FROM read_csv('{path}', delim=' ', header=true, nullstr='-', columns={columns})
  WHERE "log-status" = 'OK'
)
SELECT 'traffic', action, protocol, COUNT(*), SUM(bytes) FROM flows GROUP BY action, protocol
UNION ALL (SELECT 'src', srcaddr, NULL, COUNT(*), NULL FROM flows GROUP BY srcaddr ORDER BY 4 DESC, 2 LIMIT 5)
UNION ALL (SELECT 'dst', dstaddr, NULL, COUNT(*), NULL FROM flows GROUP BY dstaddr ORDER BY 4 DESC, 2 LIMIT 5)
"""


def duckdb_seconds(path: Path) -> tuple[float, float]:
    """Time DuckDB (one thread) computing the same statistics straight from the gzip file.

    Returns wall and CPU seconds.
    """
    import duckdb

    types = {"version": "INT", "account-id": "VARCHAR", "interface-id": "VARCHAR",
             "srcaddr": "VARCHAR", "dstaddr": "VARCHAR", "srcport": "INT", "dstport": "INT",
             "protocol": "INT", "packets": "BIGINT", "bytes": "BIGINT", "start": "BIGINT",
             "end": "BIGINT", "action": "VARCHAR", "log-status": "VARCHAR"}  # fmt: skip
    connection = duckdb.connect()
    connection.execute("SET threads = 1")
    query = DUCKDB_QUERY.format(path=path, columns=json.dumps(types).replace('"', "'"))
    started, cpu_started = time.perf_counter(), cpu_seconds()
    connection.execute(query).fetchall()
    return time.perf_counter() - started, cpu_seconds() - cpu_started


def bench_ingest(records: int) -> dict:
    path = OUT / f"flows-{records}.log.gz"
    if not path.exists():
        generate(path, records, first_start=1733300000, span=3600, seed=1)
    # The same hour as the full file, so both have about as many distinct addresses per bucket
    # and the memory comparison isolates the record count.
    quarter = OUT / f"flows-{records // 4}-1h.log.gz"
    if not quarter.exists():
        generate(quarter, records // 4, first_start=1733300000, span=3600, seed=2)
    # The statistics ingest alone, as DuckDB computes only the statistics; the detection
    # comparison below measures what the detectors add on top.
    stats_only = {"SIEM_DETECTION_ENABLED": "false"}
    full = run_child("_ingest", str(fresh_database("ingest.sqlite3")), str(path), env=stats_only)
    small = run_child(
        "_ingest", str(fresh_database("ingest-small.sqlite3")), str(quarter), env=stats_only
    )
    parse_only = run_child("_parse", str(path))
    duck, duck_cpu = duckdb_seconds(path)
    return {
        "records": full["records"],
        "ingest_seconds": round(full["seconds"], 3),
        "ingest_cpu_seconds": round(full["cpu_seconds"], 3),
        "records_per_second": round(full["records"] / full["seconds"]),
        "records_per_cpu_second": round(full["records"] / full["cpu_seconds"]),
        "peak_rss_mib": round(full["peak_rss_mib"], 1),
        "peak_rss_mib_at_quarter": round(small["peak_rss_mib"], 1),
        "parse_and_rollup_seconds": round(parse_only["seconds"], 3),
        "parse_and_rollup_cpu_seconds": round(parse_only["cpu_seconds"], 3),
        "parse_and_rollup_records_per_cpu_second": round(
            parse_only["records"] / parse_only["cpu_seconds"]
        ),
        "duckdb_seconds": round(duck, 3),
        "duckdb_cpu_seconds": round(duck_cpu, 3),
        "ratio_to_duckdb_cpu": round(full["cpu_seconds"] / duck_cpu, 2),
        "file_mib": round(path.stat().st_size / 2**20, 1),
    }


def bench_detection_overhead(records: int, runs: int) -> dict:
    """Ingest the same file with detection off and on, alternating, and compare the best times.

    Every run starts from a fresh database, so detection stores its events each time.
    """
    load_before = os.getloadavg()[0]
    path = OUT / f"flows-{records}.log.gz"
    intel = str(ROOT / "demodata" / "intel" / "ip-blocklist.txt")
    timings: dict[str, list[dict]] = {"off": [], "on": []}
    for _ in range(runs):
        for mode in ("off", "on"):
            env = {"SIEM_DETECTION_ENABLED": "true" if mode == "on" else "false",
                   "SIEM_INTEL_IP_FILES": intel}  # fmt: skip
            database = fresh_database(f"detect-{mode}.sqlite3")
            timings[mode].append(run_child("_ingest", str(database), str(path), env=env))
    best = {mode: min(timings[mode], key=lambda run: run["cpu_seconds"]) for mode in timings}
    return {
        "records": best["on"]["records"],
        "runs_each": runs,
        "off_seconds": [round(run["seconds"], 2) for run in timings["off"]],
        "on_seconds": [round(run["seconds"], 2) for run in timings["on"]],
        "off_cpu_seconds": [round(run["cpu_seconds"], 2) for run in timings["off"]],
        "on_cpu_seconds": [round(run["cpu_seconds"], 2) for run in timings["on"]],
        "ratio_best_cpu": round(best["on"]["cpu_seconds"] / best["off"]["cpu_seconds"], 2),
        "ratio_best_wall": round(
            min(run["seconds"] for run in timings["on"])
            / min(run["seconds"] for run in timings["off"]),
            2,
        ),
        "peak_rss_mib_off": round(best["off"]["peak_rss_mib"], 1),
        "peak_rss_mib_on": round(best["on"]["peak_rss_mib"], 1),
        "events_stored": best["on"].get("events", 0),
        "load_average_1m_before": round(load_before, 2),
    }


def bench_query(flows: int, per_file: int) -> dict:
    """Ingest `flows` records spread over the current 24h window, then time the endpoint."""
    sys.path.insert(0, str(ROOT))
    from datetime import UTC, datetime

    from metrics.timeranges import TIME_RANGES

    start, _ = TIME_RANGES["24h"].aligned_window(datetime.now(UTC))
    first = int(start.timestamp())
    span = int(time.time()) - first
    files = []
    for number in range(flows // per_file):
        path = OUT / f"query-{number:02d}.log.gz"
        generate(path, per_file, first_start=first + number * span * per_file // flows,
                 span=span * per_file // flows, seed=100 + number)  # fmt: skip
        files.append(str(path))
    database = fresh_database("query.sqlite3")
    ingested = run_child("_ingest", str(database), *files)
    timing = run_child("_query", str(database), "20")
    return {
        "flows_ingested": ingested["records"],
        "ingest_seconds": round(ingested["seconds"], 1),
        "ingest_cpu_seconds": round(ingested["cpu_seconds"], 1),
        **timing,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the ingest file")
    parser.add_argument(
        "--query-flows", type=int, default=10_000_000, help="flows behind the 24h query"
    )
    parser.add_argument("--skip-query", action="store_true", help="measure the ingest only")
    parser.add_argument(
        "--detection-runs", type=int, default=2,
        help="ingests each with detection off and on; 0 skips the comparison",
    )  # fmt: skip
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    report = {"ingest": bench_ingest(args.records)}
    print(json.dumps(report, indent=2), flush=True)
    if args.detection_runs:
        report["detection"] = bench_detection_overhead(args.records, args.detection_runs)
        print(json.dumps(report, indent=2), flush=True)
    if not args.skip_query:
        report["query_24h"] = bench_query(args.query_flows, per_file=1_000_000)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_ingest":
        print(json.dumps(child_ingest(Path(sys.argv[2]), sys.argv[3:])))
    elif len(sys.argv) > 1 and sys.argv[1] == "_parse":
        print(json.dumps(child_parse(Path(sys.argv[2]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "_query":
        print(json.dumps(child_query(Path(sys.argv[2]), int(sys.argv[3]))))
    else:
        main()
