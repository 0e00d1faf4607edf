"""Time the events API and the admin change list over a million seeded security events.

Usage, from the project root with the virtualenv active:

    python bench/bench_events.py                  # SQLite file under bench/out/
    python bench/bench_events.py --events 200000  # a smaller table
    python bench/bench_events.py --database-uri mysql://root@127.0.0.1:3306/siem_bench

The database is migrated and topped up with sample events (seed_events) until it contains
--events rows, so a second run reuses the table. Each URL is requested through Django's test
client in this process: a few warm-up requests, then --runs timed ones, of which the median
is reported. The figures replace the "Security events (<database>)" section of
docs/benchmarks.md.
"""

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"
DOC = ROOT / "docs" / "benchmarks.md"
# Each database engine gets its own section, "## Security events (SQLite)" for example.
SECTION_TITLE = "## Security events"
# Required median response time of each page, measured warm.
TARGET_MS = 200.0
# Requests that the 200 ms target applies to; classifications are measured for information.
TARGETED = ("events API", "admin")
BENCH_APPS = ("contenttypes", "auth", "accounts", "sessions", "admin", "token_blacklist", "threats")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="Rows to seed (default 1e6).")
    parser.add_argument("--days", type=float, default=30.0, help="Days the events span.")
    parser.add_argument("--runs", type=int, default=9, help="Timed requests per URL.")
    parser.add_argument("--warmup", type=int, default=3, help="Untimed requests per URL first.")
    parser.add_argument(
        "--database-uri",
        default=f"sqlite:///{OUT_DIR / 'events.sqlite3'}",
        help="DATABASE_URI of the benchmark database (default: a SQLite file in bench/out/).",
    )
    parser.add_argument("--no-write", action="store_true", help="Print, do not edit the doc.")
    return parser.parse_args()


def setup_django(database_uri: str) -> None:
    os.environ["DATABASE_URI"] = database_uri
    os.environ.setdefault("SIEM_DEBUG", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siem.settings")
    sys.path.insert(0, str(ROOT))
    OUT_DIR.mkdir(parents=True, exist_ok=True)

    import django

    django.setup()


def prepare_database(events: int, days: float) -> tuple[int, float | None]:
    """Migrate, then seed sample events until the table contains `events` rows.

    Returns the row count and the seconds spent seeding, or None when nothing was seeded.
    """
    from django.core.management import call_command

    from threats.models import SecurityEvent

    # Only the apps these pages use, so a migration elsewhere does not break the benchmark.
    for app_label in BENCH_APPS:
        call_command("migrate", app_label, verbosity=0)
    existing = SecurityEvent.objects.count()
    if existing >= events:
        return existing, None

    print(f"Seeding {events - existing} events (the table has {existing})...")
    started = time.perf_counter()
    call_command("seed_events", count=events - existing, days=days, seed=1, batch_size=20000)
    return SecurityEvent.objects.count(), time.perf_counter() - started


def clients():
    """Return a test client with an analyst's bearer token and one signed in to the admin."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken

    user, _ = get_user_model().objects.get_or_create(
        email="bench-analyst@example.com", defaults={"name": "Bench Analyst", "is_staff": True}
    )
    user.groups.add(Group.objects.get(name="Analysts"))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    admin = Client()
    admin.force_login(user)
    return api, admin


def second_page_url(api) -> str:
    """Return the `Link` URL of the first events page, to time a cursor page."""
    link = api.get("/api/threats/events").headers["Link"]
    return link.split(";")[0].strip("<>").removeprefix("http://testserver")


def time_url(client, url: str, warmup: int, runs: int) -> tuple[list[float], list[float]]:
    """Request `url` warmup + runs times; return wall-clock and CPU times of the timed runs in ms.

    The CPU time of this process is less affected than the wall-clock time when other processes
    compete for the cores, but it leaves out the time spent waiting for the database server.
    """
    for _ in range(warmup):
        check(client.get(url), url)
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        check(response, url)
    return wall, cpu


def check(response, url: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"GET {url} returned {response.status_code}: {response.content[:300]!r}")


def cases(api, admin) -> list[tuple[str, object, str]]:
    """Return (name, client, URL) of each timed request. Only names in TARGETED have the target."""
    return [
        ("events API, first page (limit 100)", api, "/api/threats/events"),
        ("events API, limit 500", api, "/api/threats/events?limit=500"),
        ("events API, severity=critical", api, "/api/threats/events?severity=critical"),
        ("events API, second page (cursor)", api, second_page_url(api)),
        ("events API, source_ip filter", api, "/api/threats/events?source_ip=203.0.113.10"),
        ("classifications, 24h", api, "/api/threats/classifications"),
        ("classifications, 7d", api, "/api/threats/classifications?time_range=7d"),
        ("admin change list", admin, "/admin/threats/securityevent/"),
        (
            "admin change list, severity=critical",
            admin,
            "/admin/threats/securityevent/?severity__exact=critical",
        ),
        ("admin change list, page 50", admin, "/admin/threats/securityevent/?p=50"),
        ("admin search by address", admin, "/admin/threats/securityevent/?q=203.0.113.10"),
    ]


def database_engine() -> str:
    """Return the database product and version, such as "SQLite 3.40.1" or "MariaDB 10.11.19"."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        version = cursor.fetchone()[0]
    product = "MariaDB" if "mariadb" in version.lower() else "MySQL"
    return f"{product} {version.split('-')[0]}"


def section_title() -> str:
    return f"{SECTION_TITLE} ({database_engine().split()[0]})"


def machine_description(database_uri: str) -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    engine = database_engine()
    return (
        f"{os.cpu_count()} CPU cores ({cpu}), Python {platform.python_version()}, {engine}, "
        f"load average (1 minute) before the run {os.getloadavg()[0]:.2f}"
    )


def report(
    rows: list[tuple[str, tuple[list[float], list[float]]]],
    total: int,
    seed_seconds: float | None,
    args: argparse.Namespace,
) -> str:
    lines = [
        section_title(),
        "",
        f"Measured by `python bench/bench_events.py --events {args.events} --runs {args.runs}"
        f"{_database_option(args.database_uri)}` "
        f"on {time.strftime('%Y-%m-%d')} with {total:,} events spread over {args.days:g} days.",
        f"Machine: {machine_description(args.database_uri)}.",
        "Other processes (test suites and benchmarks of other work) shared the two cores during "
        "the run, so wall-clock times are higher than on an idle machine. The CPU column is the "
        "benchmark process's own CPU time for the request.",
        "",
        f"Each URL was requested {args.warmup} times to warm caches, then {args.runs} times "
        "through Django's test client in one process (no network, no server). The target is "
        f"a median under {TARGET_MS:.0f} ms for the events API and the admin change list.",
        "",
        *_seed_line(total, seed_seconds),
        "| request | median ms | min ms | max ms | median CPU ms | under target |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, (wall, cpu) in rows:
        median = statistics.median(wall)
        verdict = "yes" if median < TARGET_MS else "**no**"
        if not name.startswith(TARGETED):
            verdict = "no target"
        lines.append(
            f"| {name} | {median:.1f} | {min(wall):.1f} | {max(wall):.1f} "
            f"| {statistics.median(cpu):.1f} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def _database_option(database_uri: str) -> str:
    """Return the --database-uri option as typed, with any password replaced by ***."""
    if database_uri.startswith("sqlite"):
        return ""
    parts = urlsplit(database_uri)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        database_uri = urlunsplit(parts._replace(netloc=netloc))
    return f" --database-uri {database_uri}"


def _seed_line(total: int, seed_seconds: float | None) -> list[str]:
    if seed_seconds is None:
        return []
    rate = total / seed_seconds
    return [
        f"Seeding the {total:,} events with `seed_events` took {seed_seconds:.0f} s "
        f"({rate:,.0f} events per second) under the same load.",
        "",
    ]


def write_section(section: str) -> None:
    """Replace this engine's "Security events" section of the doc, keeping every other section."""
    title = section_title()
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    start = text.find(title + "\n")
    if start == -1:
        DOC.write_text(text.rstrip("\n") + "\n\n" + section)
        return
    end = text.find("\n## ", start + len(title))
    rest = "" if end == -1 else text[end:]
    DOC.write_text(text[:start] + section.rstrip("\n") + "\n" + rest)


def main() -> None:
    args = parse_args()
    setup_django(args.database_uri)
    total, seed_seconds = prepare_database(args.events, args.days)
    api, admin = clients()

    rows = []
    for name, client, url in cases(api, admin):
        rows.append((name, time_url(client, url, args.warmup, args.runs)))
        print(f"{name}: median {statistics.median(rows[-1][1][0]):.1f} ms")

    section = report(rows, total, seed_seconds, args)
    print(section)
    if not args.no_write:
        write_section(section)
        print(f"Wrote the section to {DOC.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
