"""Tests for the demo log generator and its `generate_logs` command."""

import gzip
import ipaddress
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from demodata import INTEL_IP_LIST, INTEL_MALWARE_DOMAINS, INTEL_PHISHING_DOMAINS
from demodata import estate as plan

START = "2026-03-02T00:00:00Z"
FLOW_FIELDS = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr "
    "pkt-dstaddr flow-direction"
).split()
RESOLVER_KEYS = [
    "version",
    "account_id",
    "region",
    "vpc_id",
    "query_timestamp",
    "query_name",
    "query_type",
    "query_class",
    "rcode",
    "answers",
    "srcaddr",
    "srcport",
    "transport",
    "srcids",
]
FIREWALL_KEYS = ["firewall_rule_group_id", "firewall_rule_action", "firewall_domain_list_id"]
DAY = r"\d{4}/\d{2}/\d{2}"
STAMP = r"\d{8}T\d{4}Z"
FLOW_KEY = re.compile(
    rf"AWSLogs/{plan.ACCOUNT_ID}/vpcflowlogs/{plan.REGION}/{DAY}/{plan.ACCOUNT_ID}_vpcflowlogs_"
    rf"{plan.REGION}_{plan.FLOW_LOG_ID}_{STAMP}_[0-9a-f]{{8}}\.log\.gz"
)
ALB_KEY = re.compile(
    rf"AWSLogs/{plan.ACCOUNT_ID}/elasticloadbalancing/{plan.REGION}/{DAY}/{plan.ACCOUNT_ID}_"
    rf"elasticloadbalancing_{plan.REGION}_app\.{plan.ALB_NAME}\.{plan.ALB_ID}_{STAMP}_"
    r"10\.20\.[01]\.100_[0-9a-f]{8}\.log\.gz"
)
RESOLVER_KEY = re.compile(
    rf"AWSLogs/{plan.ACCOUNT_ID}/vpcdnsquerylogs/{plan.VPC_ID}/{DAY}/{plan.ACCOUNT_ID}_"
    rf"vpcdnsquerylogs_{plan.VPC_ID}_{STAMP}_[0-9a-f]{{8}}\.log\.gz"
)
# A quoted field, or a run of non-space characters.
ALB_TOKEN = re.compile(r'"[^"]*"|\S+')
ALB_QUOTED = (12, 13, 17, 18, 19, 22, 23, 24, 25, 26, 27, 28)


def run(out: Path, *args: str) -> dict:
    call_command("generate_logs", "--out", str(out), *args)
    return json.loads((out / "manifest.json").read_text())


def read_lines(out: Path, manifest: dict, log: str) -> list[str]:
    lines = []
    for row in manifest["files"]:
        if row["log"] == log:
            with gzip.open(out / row["path"], "rt", encoding="utf-8") as handle:
                lines += handle.read().splitlines()
    return lines


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    manifest = run(out, "--start", START, "--hours", "3", "--scale", "0.3", "--seed", "11")
    return out, manifest


@pytest.fixture(scope="module")
def flows(day) -> list[list[str]]:
    out, manifest = day
    lines = read_lines(out, manifest, "vpc_flow")
    return [line.split() for line in lines if not line.startswith("version ")]


@pytest.fixture(scope="module")
def alb_lines(day) -> list[list[str]]:
    out, manifest = day
    return [ALB_TOKEN.findall(line) for line in read_lines(out, manifest, "alb")]


@pytest.fixture(scope="module")
def queries(day) -> list[dict]:
    out, manifest = day
    return [json.loads(line) for line in read_lines(out, manifest, "resolver")]


def all_files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files(tmp_path):
    options = ("--start", START, "--hours", "1", "--scale", "0.2", "--seed", "5")
    run(tmp_path / "a", *options)
    run(tmp_path / "b", *options)

    first = all_files(tmp_path / "a")
    second = all_files(tmp_path / "b")

    assert len(first) > 3
    assert first == second


def test_other_seed_gives_other_files(tmp_path):
    run(tmp_path / "a", "--start", START, "--hours", "1", "--scale", "0.2", "--seed", "5")
    run(tmp_path / "b", "--start", START, "--hours", "1", "--scale", "0.2", "--seed", "6")

    assert all_files(tmp_path / "a") != all_files(tmp_path / "b")


def test_every_file_is_valid_gzip(day):
    out, manifest = day
    for row in manifest["files"]:
        with gzip.open(out / row["path"], "rb") as handle:
            body = handle.read()
        assert body.endswith(b"\n"), row["path"]
        assert body.count(b"\n") == row["records"] + (row["log"] == "vpc_flow"), row["path"]


def test_files_use_aws_s3_key_layout(day):
    _, manifest = day
    patterns = {"vpc_flow": FLOW_KEY, "alb": ALB_KEY, "resolver": RESOLVER_KEY}
    for row in manifest["files"]:
        assert patterns[row["log"]].fullmatch(row["path"]), row["path"]
    assert {row["log"] for row in manifest["files"]} == set(patterns)


def test_flow_files_start_with_custom_header(day):
    out, manifest = day
    for row in manifest["files"]:
        if row["log"] == "vpc_flow":
            with gzip.open(out / row["path"], "rt") as handle:
                assert handle.readline().split() == FLOW_FIELDS


def test_flow_records_have_every_field(flows):
    assert len(flows) > 1000
    for fields in flows:
        assert len(fields) == len(FLOW_FIELDS), fields
        assert fields[0] == "5"
        assert fields[1] == plan.ACCOUNT_ID
        assert fields[13] in {"OK", "NODATA"}


def test_flow_records_include_nodata_and_rejects(flows):
    nodata = [fields for fields in flows if fields[13] == "NODATA"]
    rejects = [fields for fields in flows if fields[12] == "REJECT"]
    noise = [fields for fields in rejects if fields[3] in plan.NOISE_SOURCES]

    assert nodata
    assert all(fields[3:10] == ["-"] * 7 and fields[12] == "-" for fields in nodata)
    assert noise


def test_flow_times_follow_daily_curve(day, flows):
    _, manifest = day
    start = epoch(manifest["start"])
    first_hour = [f for f in flows if f[13] == "OK" and int(f[10]) < start + 3600]
    last_hour = [f for f in flows if f[13] == "OK" and int(f[10]) >= start + 7200]

    # 00:00 UTC is busier than 02:00 UTC, which lies close to the 04:00 trough.
    assert len(first_hour) > len(last_hour)


def test_alb_lines_have_quoted_fields(alb_lines):
    assert len(alb_lines) > 100
    for fields in alb_lines:
        assert len(fields) == 30, fields
        assert fields[0] in {"http", "https", "h2"}
        assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+:\d+", fields[3])
        assert all(fields[i].startswith('"') and fields[i].endswith('"') for i in ALB_QUOTED)
        assert len(fields[12].strip('"').split(" ")) == 3
        assert fields[29].startswith("TID_")


def test_alb_timestamps_are_iso_utc(alb_lines):
    for fields in alb_lines:
        assert datetime.strptime(fields[1], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert datetime.strptime(fields[21], "%Y-%m-%dT%H:%M:%S.%fZ")


def test_alb_waf_blocks_are_403_without_target(alb_lines):
    blocked = [fields for fields in alb_lines if fields[22] == '"waf"']

    assert blocked
    assert all(fields[8] == "403" and fields[4] == "-" for fields in blocked)
    assert all(fields[5:8] == ["-1", "-1", "-1"] for fields in blocked)


def test_resolver_records_use_version_1_100000_keys(queries):
    assert len(queries) > 50
    for record in queries:
        keys = list(record)
        assert keys[: len(RESOLVER_KEYS)] == RESOLVER_KEYS
        assert keys[len(RESOLVER_KEYS) :] in ([], FIREWALL_KEYS)
        assert record["version"] == "1.100000"
        assert record["srcids"]["instance"].startswith("i-")


def test_manifest_attacks_fall_inside_the_run(day):
    _, manifest = day
    start, end = epoch(manifest["start"]), epoch(manifest["end"])
    types = {attack["type"] for attack in manifest["attacks"]}

    assert types == {
        "port_scan",
        "brute_force",
        "ddos",
        "malware",
        "phishing",
        "sql_injection",
        "xss",
    }
    for attack in manifest["attacks"]:
        assert start <= epoch(attack["start"]) <= epoch(attack["end"]) < end, attack["id"]
        assert attack["records"] > 0


def flow_matches(attack: dict, fields: list[str]) -> bool:
    pair = {fields[3], fields[4]}
    return bool(pair & set(attack["src"])) and bool(pair & set(attack["dst"]))


def test_flow_attacks_exist_at_their_times(day, flows):
    _, manifest = day
    for attack in manifest["attacks"]:
        if attack["log"] != "vpc_flow":
            continue
        start, end = epoch(attack["start"]), epoch(attack["end"])
        found = [
            fields
            for fields in flows
            if fields[13] == "OK"
            and flow_matches(attack, fields)
            and start <= int(fields[10])
            and int(fields[11]) <= end
        ]
        assert len(found) == attack["records"], attack["id"]
        assert min(int(f[10]) for f in found) == start, attack["id"]
        assert max(int(f[11]) for f in found) == end, attack["id"]


def test_alb_attacks_exist_at_their_times(day, alb_lines):
    _, manifest = day
    for attack in manifest["attacks"]:
        if attack["log"] != "alb":
            continue
        found = [f for f in alb_lines if f[3].rsplit(":", 1)[0] in attack["src"]]
        times = [
            datetime.strptime(f[1], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC) for f in found
        ]
        assert len(found) == attack["records"], attack["id"]
        assert epoch(attack["start"]) <= min(times).timestamp(), attack["id"]
        assert max(times).timestamp() <= epoch(attack["end"]), attack["id"]


def test_dns_attacks_exist_at_their_times(day, queries):
    _, manifest = day
    for attack in manifest["attacks"]:
        if attack["log"] != "resolver":
            continue
        name = attack["details"]["domain"] + "."
        found = [q for q in queries if q["query_name"] == name and q["srcaddr"] in attack["src"]]
        times = [epoch(q["query_timestamp"]) for q in found]
        assert len(found) == attack["records"], attack["id"]
        assert min(times) == epoch(attack["start"]), attack["id"]
        assert max(times) == epoch(attack["end"]), attack["id"]


def test_syn_flood_records_carry_syn_only_flags(day, flows):
    _, manifest = day
    flood = next(a for a in manifest["attacks"] if a["id"] == "syn-flood")
    records = [fields for fields in flows if fields[3] in flood["src"]]

    assert len({fields[3] for fields in records}) == len(flood["src"]) > 200
    assert {fields[17] for fields in records} == {"2"}
    assert {fields[21] for fields in records} == {"ingress"}


def test_injection_payloads_decode_to_attacks(day, alb_lines):
    _, manifest = day
    sources = {a["src"][0] for a in manifest["attacks"] if a["type"] in {"sql_injection", "xss"}}
    uris = [f[12].split(" ")[1] for f in alb_lines if f[3].rsplit(":", 1)[0] in sources]
    decoded = [unquote(unquote(uri)).lower() for uri in uris]

    assert any("%25" in uri for uri in uris)
    assert any("union select" in text for text in decoded)
    assert any("<script>" in text for text in decoded)
    assert all("<" not in uri and " " not in uri for uri in uris)


def test_background_never_uses_attack_sources(day, flows, alb_lines):
    _, manifest = day
    attackers = {
        plan.SCANNER_ADDRESS,
        plan.SSH_ATTACKER_ADDRESS,
        plan.LOGIN_ATTACKER_ADDRESS,
        plan.SQLI_ATTACKER_ADDRESS,
        plan.XSS_ATTACKER_ADDRESS,
    }
    listed = {attack["id"]: attack["records"] for attack in manifest["attacks"]}
    flow_hits = [f for f in flows if f[3] in attackers or f[4] in attackers]
    alb_hits = [f for f in alb_lines if f[3].rsplit(":", 1)[0] in attackers]

    assert len(flow_hits) == sum(
        listed[i] for i in ("port-scan-ports", "port-scan-hosts", "ssh-brute-force")
    )
    assert len(alb_hits) == sum(listed[i] for i in ("login-brute-force", "sql-injection", "xss"))


def test_volume_grows_with_scale(tmp_path):
    small = run(tmp_path / "small", "--start", START, "--hours", "1", "--scale", "0.5")
    large = run(tmp_path / "large", "--start", START, "--hours", "1", "--scale", "2")

    for log in ("vpc_flow", "alb", "resolver"):
        attack_records = sum(a["records"] for a in small["attacks"] if a["log"] == log)
        ratio = (large["totals"][log]["records"] - attack_records) / (
            small["totals"][log]["records"] - attack_records
        )
        assert 3 < ratio < 5, log


def intel_entries(path: Path) -> list[str]:
    lines = path.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_intel_lists_cover_the_attacks():
    networks = [ipaddress.ip_network(entry) for entry in intel_entries(INTEL_IP_LIST)]
    beacon = ipaddress.ip_address(plan.BEACON_ADDRESS)

    assert any(beacon in network for network in networks)
    assert plan.BEACON_DOMAIN in intel_entries(INTEL_MALWARE_DOMAINS)
    assert plan.PHISHING_DOMAIN in intel_entries(INTEL_PHISHING_DOMAINS)


def test_intel_ip_list_matches_no_background_address(flows):
    networks = [ipaddress.ip_network(entry) for entry in intel_entries(INTEL_IP_LIST)]
    addresses = {fields[3] for fields in flows} | {fields[4] for fields in flows}
    listed = {a for a in addresses - {"-"} if any(ipaddress.ip_address(a) in n for n in networks)}

    assert listed == {plan.BEACON_ADDRESS}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--hours", "0"), "--hours 0 is out of range"),
        (("--scale", "0"), "--scale 0.0 is invalid"),
        (("--start", "yesterday"), "is not an ISO 8601 time"),
        (("--start", "2026-03-02T00:00:30Z"), "must fall on a whole minute"),
    ],
)
def test_command_rejects_invalid_options(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_logs", "--out", str(tmp_path / "out"), *args)


def test_command_rejects_non_empty_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")

    with pytest.raises(CommandError, match="is not empty"):
        call_command("generate_logs", "--out", str(tmp_path), "--hours", "1")


def test_generator_package_imports_no_django():
    code = "import sys, demodata.writer; print('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
