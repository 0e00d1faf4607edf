"""Write the generated logs as AWS delivers them to S3, plus a manifest of the embedded attacks.

Files are gzip-compressed with a zero modification time and no stored file name, so the same
options give byte-identical output. Each file contains one delivery interval and is written as
soon as that interval is generated, so memory use does not grow with --hours.
"""

import gzip
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from demodata import alb, resolver, vpc_flow
from demodata import estate as plan
from demodata.attacks import Attack, build_attacks
from demodata.estate import Estate, build_estate

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
WINDOW = vpc_flow.WINDOW_SECONDS
# Level 5 compresses flow logs about 3x faster than the default 6, for files about 14% larger.
GZIP_LEVEL = 5


@dataclass(frozen=True)
class Options:
    """Settings of one run: first minute (epoch seconds, UTC), length, volume factor and seed."""

    out: Path
    start: int
    hours: int
    scale: float = 1.0
    seed: int = 1
    file_minutes: int = 5


@dataclass(frozen=True)
class Stream:
    """One sequence of files: its log type, key naming and a line source per interval."""

    log: str
    key: Callable[[int, int], str]
    background: Callable[[int], list[str]]
    node: int = 0
    header: str = ""
    sort_key: Callable[[str], str] | None = None


def _stamp(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y%m%dT%H%MZ")


def _day_path(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y/%m/%d")


def _suffix(seed: int, *parts: object) -> str:
    text = "/".join(str(part) for part in (seed, *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def vpc_flow_key(seed: int, begin: int, end: int) -> str:
    """Return the S3 key of a flow log file covering [begin, end)."""
    prefix = f"AWSLogs/{plan.ACCOUNT_ID}/vpcflowlogs/{plan.REGION}/{_day_path(begin)}"
    name = (
        f"{plan.ACCOUNT_ID}_vpcflowlogs_{plan.REGION}_{plan.FLOW_LOG_ID}_{_stamp(end)}_"
        f"{_suffix(seed, 'vpc', begin)}.log.gz"
    )
    return f"{prefix}/{name}"


def alb_key(seed: int, node_address: str, begin: int, end: int) -> str:
    """Return the S3 key of one ALB node's access log file, named by the interval end."""
    prefix = f"AWSLogs/{plan.ACCOUNT_ID}/elasticloadbalancing/{plan.REGION}/{_day_path(begin)}"
    name = (
        f"{plan.ACCOUNT_ID}_elasticloadbalancing_{plan.REGION}_app.{plan.ALB_NAME}."
        f"{plan.ALB_ID}_{_stamp(end)}_{node_address}_{_suffix(seed, node_address, begin)}"
        ".log.gz"
    )
    return f"{prefix}/{name}"


def resolver_key(seed: int, begin: int, end: int) -> str:
    """Return the S3 key of a Resolver query log file for the demo VPC."""
    # NOTE: the vpcdnsquerylogs/<vpc-id>/ prefix matches keys that public S3 log readers expect.
    # The file name order (account, then VPC id) is unverified against AWS documentation.
    prefix = f"AWSLogs/{plan.ACCOUNT_ID}/vpcdnsquerylogs/{plan.VPC_ID}/{_day_path(begin)}"
    name = (
        f"{plan.ACCOUNT_ID}_vpcdnsquerylogs_{plan.VPC_ID}_{_stamp(end)}_"
        f"{_suffix(seed, 'dns', begin)}.log.gz"
    )
    return f"{prefix}/{name}"


def build_streams(estate: Estate, options: Options) -> list[Stream]:
    """Build the file sequences of a run: flow logs, one ALB log per node, Resolver logs."""
    seed, scale = options.seed, options.scale
    flows = vpc_flow.Background(estate, f"{seed}/vpc_flow", scale)
    dns = resolver.Background(estate, f"{seed}/resolver", scale)
    streams = [
        Stream(
            "vpc_flow",
            lambda b, e: vpc_flow_key(seed, b, e),
            flows.window,
            header=vpc_flow.header(),
        )
    ]
    nodes = estate.tier("alb")
    targets = [host.address for host in estate.tier("web")]
    for index, node in enumerate(nodes):
        requests = alb.Background(index, len(nodes), targets, f"{seed}/alb/{index}", scale)
        key = _alb_key_for(seed, node.address)
        streams.append(Stream("alb", key, requests.window, node=index, sort_key=alb.sort_key))
    streams.append(
        Stream(
            "resolver",
            lambda b, e: resolver_key(seed, b, e),
            dns.window,
            sort_key=resolver.sort_key,
        )
    )
    return streams


def _alb_key_for(seed: int, address: str) -> Callable[[int, int], str]:
    return lambda begin, end: alb_key(seed, address, begin, end)


def _attack_lines(attacks: list[Attack], log: str) -> dict[tuple[int, int], list[str]]:
    merged: dict[tuple[int, int], list[str]] = {}
    for attack in attacks:
        if attack.log == log:
            for key, lines in attack.lines.items():
                merged.setdefault(key, []).extend(lines)
    return merged


def _interval_lines(
    stream: Stream, injected: dict[tuple[int, int], list[str]], begin: int, end: int
) -> Iterator[str]:
    for window in range(begin, end, WINDOW):
        lines = stream.background(window) + injected.get((stream.node, window), [])
        if stream.sort_key is not None:
            lines.sort(key=stream.sort_key)
        yield from lines


def write_gzip(path: Path, header: str, lines: Iterator[str]) -> int:
    """Write lines to a reproducible gzip file and return their count, writing nothing for none."""
    body = list(lines)
    if not body:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile("", "wb", GZIP_LEVEL, raw, mtime=0) as compressed:
        compressed.write((header + "".join(body)).encode())
    return len(body)


def write_stream(
    stream: Stream, injected: dict[tuple[int, int], list[str]], options: Options
) -> list[dict[str, Any]]:
    """Write every file of one stream and return their manifest rows."""
    rows = []
    step = options.file_minutes * 60
    stop = options.start + options.hours * 3600
    for begin in range(options.start, stop, step):
        end = min(begin + step, stop)
        key = stream.key(begin, end)
        count = write_gzip(
            options.out / key, stream.header, _interval_lines(stream, injected, begin, end)
        )
        if count:
            rows.append({"path": key, "log": stream.log, "records": count})
    return rows


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_manifest(
    options: Options, files: list[dict[str, Any]], attacks: list[Attack]
) -> dict[str, Any]:
    """Describe a run: its options, the AWS identifiers, every file and every embedded attack."""
    totals: dict[str, dict[str, int]] = {}
    for row in files:
        total = totals.setdefault(row["log"], {"files": 0, "records": 0})
        total["files"] += 1
        total["records"] += row["records"]
    return {
        "manifest_version": MANIFEST_VERSION,
        "start": _iso(options.start),
        "end": _iso(options.start + options.hours * 3600),
        "hours": options.hours,
        "scale": options.scale,
        "seed": options.seed,
        "account_id": plan.ACCOUNT_ID,
        "region": plan.REGION,
        "vpc_id": plan.VPC_ID,
        "intel": {
            "ip_list": "demodata/intel/ip-blocklist.txt",
            "malware_domains": "demodata/intel/malware-domains.txt",
            "phishing_domains": "demodata/intel/phishing-domains.txt",
        },
        "totals": totals,
        "attacks": [attack.manifest_entry() for attack in attacks],
        "files": files,
    }


def generate(options: Options) -> dict[str, Any]:
    """Generate every log file of a run under options.out, then write and return its manifest."""
    if options.start % WINDOW:
        raise ValueError(f"start {options.start} is not on a whole minute")
    estate = build_estate()
    attacks = build_attacks(estate, str(options.seed), options.start, options.hours * 3600)
    logger.info(
        "Generating demo logs: start=%s hours=%s scale=%s seed=%s",
        _iso(options.start),
        options.hours,
        options.scale,
        options.seed,
    )

    files: list[dict[str, Any]] = []
    for stream in build_streams(estate, options):
        files += write_stream(stream, _attack_lines(attacks, stream.log), options)

    manifest = build_manifest(options, files, attacks)
    manifest_path = options.out / MANIFEST_NAME
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    logger.info("Wrote demo logs: files=%s out=%s", len(files), options.out)
    return manifest
