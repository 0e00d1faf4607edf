"""VPC_STATS_SOURCE=logs_insights|athena: query text and result mapping, with botocore's Stubber."""

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from metrics.flows import athena, logs_insights, remote
from metrics.flows.athena import athena_query
from metrics.flows.logs_insights import logs_insights_queries
from metrics.timeranges import TIME_RANGES

NOW = datetime(2026, 12, 4, 13, 37, 12, tzinfo=UTC)
URL = "/api/metrics/vpc"
WINDOW = TIME_RANGES["24h"].aligned_window(NOW)
START, END = (int(moment.timestamp()) for moment in WINDOW)

EXPECTED = {
    "total_flows": 110,
    "accepted_flows": 100,
    "rejected_flows": 10,
    "bytes_transferred": 7000,
    "top_sources": [
        {"ip": "10.0.0.1", "count": 60},
        {"ip": "10.0.0.2", "count": 30},
        {"ip": "10.0.0.3", "count": 30},
    ],
    "top_destinations": [{"ip": "172.16.0.1", "count": 110}],
    "protocol_distribution": {"TCP": 73, "UDP": 18, "ICMP": 9},
}


@pytest.fixture(autouse=True)
def configured(settings, monkeypatch):
    settings.AWS_REGION = "us-east-1"
    settings.SIEM_FLOW_LOG_GROUP = "/vpc/flows"
    settings.SIEM_ATHENA_DATABASE = "logs"
    settings.SIEM_ATHENA_FLOW_TABLE = "vpc_flow_logs"
    settings.SIEM_ATHENA_OUTPUT_LOCATION = "s3://athena-results/siem/"
    monkeypatch.setattr(remote, "POLL_INTERVAL_SECONDS", 0)
    monkeypatch.setattr("metrics.api.flow_views.timezone.now", lambda: NOW)


def stubbed(service: str, module, monkeypatch) -> tuple:
    client = boto3.client(service, region_name="us-east-1")
    stubber = Stubber(client)
    monkeypatch.setattr(module.aws, "client", lambda name: client)
    return client, stubber


def insights_rows(*rows: dict) -> list[list[dict]]:
    return [[{"field": k, "value": v} for k, v in row.items()] for row in rows]


def test_logs_insights_query_text():
    queries = logs_insights_queries(START, END)

    assert queries["traffic"].startswith('parse @message "* * * * * * * * * * * * * *" as version')
    assert f'filter logStatus = "OK" and start >= {START} and start < {END}' in queries["traffic"]
    assert queries["traffic"].endswith(
        "stats count(*) as flows, sum(bytes) as bytes by action, protocol"
    )
    assert queries["sources"].endswith(
        "stats count(*) as flows by srcAddr | sort flows desc | limit 50"
    )
    assert "by dstAddr" in queries["destinations"]


def test_logs_insights_result_mapping(auth_client, settings, monkeypatch):
    settings.VPC_STATS_SOURCE = "logs_insights"
    _, stubber = stubbed("logs", logs_insights, monkeypatch)
    queries = logs_insights_queries(START, END)
    for number, name in enumerate(["traffic", "sources", "destinations"]):
        stubber.add_response(
            "start_query",
            {"queryId": f"q{number}"},
            {"logGroupName": "/vpc/flows", "startTime": START - 900, "endTime": END + 900,
             "queryString": queries[name]},
        )  # fmt: skip
    stubber.add_response(
        "get_query_results", {"status": "Running", "results": []}, {"queryId": "q0"}
    )
    stubber.add_response("get_query_results", {"status": "Complete", "results": insights_rows(
        {"action": "ACCEPT", "protocol": "6", "flows": "70", "bytes": "5000"},
        {"action": "ACCEPT", "protocol": "17", "flows": "20", "bytes": "1000"},
        {"action": "ACCEPT", "protocol": "1", "flows": "10", "bytes": "500"},
        {"action": "REJECT", "protocol": "6", "flows": "10", "bytes": "500"},
    )}, {"queryId": "q0"})  # fmt: skip
    stubber.add_response("get_query_results", {"status": "Complete", "results": insights_rows(
        {"srcAddr": "10.0.0.3", "flows": "30"}, {"srcAddr": "10.0.0.1", "flows": "60"},
        {"srcAddr": "10.0.0.2", "flows": "30"},
    )}, {"queryId": "q1"})  # fmt: skip
    stubber.add_response("get_query_results", {"status": "Complete", "results": insights_rows(
        {"dstAddr": "172.16.0.1", "flows": "110"},
    )}, {"queryId": "q2"})  # fmt: skip

    with stubber:
        response = auth_client.get(URL, {"time_range": "24h"})

    assert response.status_code == 200
    assert response.json() == EXPECTED
    stubber.assert_no_pending_responses()


def test_logs_insights_failure_is_502(auth_client, settings, monkeypatch):
    settings.VPC_STATS_SOURCE = "logs_insights"
    _, stubber = stubbed("logs", logs_insights, monkeypatch)
    stubber.add_client_error("start_query", "AccessDeniedException", "not allowed")

    with stubber:
        response = auth_client.get(URL, {"time_range": "1h"})

    assert response.status_code == 502
    assert "Logs Insights query on /vpc/flows failed" in response.json()["message"]


def test_logs_insights_needs_log_group(auth_client, settings):
    settings.VPC_STATS_SOURCE = "logs_insights"
    settings.SIEM_FLOW_LOG_GROUP = ""

    response = auth_client.get(URL, {"time_range": "1h"})

    assert response.status_code == 503
    assert "SIEM_FLOW_LOG_GROUP" in response.json()["message"]


def athena_rows(*rows: tuple) -> dict:
    header = ("kind", "name", "protocol", "flows", "bytes")
    as_cells = [
        [{"VarCharValue": v} if v is not None else {} for v in row] for row in (header, *rows)
    ]
    return {"ResultSet": {"Rows": [{"Data": cells} for cells in as_cells]}}


def test_athena_query_text():
    query = athena_query(START, END)

    assert 'FROM "logs"."vpc_flow_logs"' in query
    assert f'WHERE log_status = \'OK\' AND "start" >= {START} AND "start" < {END}' in query
    assert "ORDER BY COUNT(*) DESC, srcaddr LIMIT 5" in query
    assert "ORDER BY COUNT(*) DESC, dstaddr LIMIT 5" in query


def test_athena_result_mapping(auth_client, settings, monkeypatch):
    settings.VPC_STATS_SOURCE = "athena"
    _, stubber = stubbed("athena", athena, monkeypatch)
    stubber.add_response(
        "start_query_execution",
        {"QueryExecutionId": "e1"},
        {"QueryString": athena_query(START, END), "QueryExecutionContext": {"Database": "logs"},
         "WorkGroup": "primary", "ResultConfiguration": {"OutputLocation": "s3://athena-results/siem/"}},
    )  # fmt: skip
    stubber.add_response(
        "get_query_execution",
        {"QueryExecution": {"Status": {"State": "RUNNING"}}},
        {"QueryExecutionId": "e1"},
    )
    stubber.add_response(
        "get_query_execution",
        {"QueryExecution": {"Status": {"State": "SUCCEEDED"}}},
        {"QueryExecutionId": "e1"},
    )
    stubber.add_response("get_query_results", athena_rows(
        ("src", "10.0.0.2", None, "30", None),
        ("traffic", "ACCEPT", "6", "70", "5000"),
        ("traffic", "ACCEPT", "17", "20", "1000"),
        ("dst", "172.16.0.1", None, "110", None),
        ("traffic", "ACCEPT", "1", "10", "500"),
        ("traffic", "REJECT", "6", "10", "500"),
        ("src", "10.0.0.1", None, "60", None),
        ("src", "10.0.0.3", None, "30", None),
    ), {"QueryExecutionId": "e1"})  # fmt: skip

    with stubber:
        response = auth_client.get(URL, {"time_range": "24h"})

    assert response.status_code == 200
    assert response.json() == EXPECTED
    stubber.assert_no_pending_responses()


def test_athena_failed_query_is_502(auth_client, settings, monkeypatch):
    settings.VPC_STATS_SOURCE = "athena"
    _, stubber = stubbed("athena", athena, monkeypatch)
    stubber.add_response("start_query_execution", {"QueryExecutionId": "e2"})
    stubber.add_response("get_query_execution", {"QueryExecution": {"Status": {
        "State": "FAILED", "StateChangeReason": "TABLE_NOT_FOUND"}}})  # fmt: skip

    with stubber:
        response = auth_client.get(URL, {"time_range": "1h"})

    assert response.status_code == 502
    assert "TABLE_NOT_FOUND" in response.json()["message"]


def test_remote_query_timeout_is_503(auth_client, settings, monkeypatch):
    settings.VPC_STATS_SOURCE = "athena"
    settings.SIEM_REMOTE_QUERY_TIMEOUT_SECONDS = 0
    _, stubber = stubbed("athena", athena, monkeypatch)
    stubber.add_response("start_query_execution", {"QueryExecutionId": "e3"})
    stubber.add_response(
        "get_query_execution", {"QueryExecution": {"Status": {"State": "RUNNING"}}}
    )
    stubber.add_response("stop_query_execution", {}, {"QueryExecutionId": "e3"})

    with stubber:
        response = auth_client.get(URL, {"time_range": "1h"})

    assert response.status_code == 503
    assert "did not finish" in response.json()["message"]
    stubber.assert_no_pending_responses()


def test_logs_insights_timeout_stops_queries(auth_client, settings, monkeypatch):
    settings.VPC_STATS_SOURCE = "logs_insights"
    settings.SIEM_REMOTE_QUERY_TIMEOUT_SECONDS = 0
    _, stubber = stubbed("logs", logs_insights, monkeypatch)
    for number in range(3):
        stubber.add_response("start_query", {"queryId": f"q{number}"})
    stubber.add_response(
        "get_query_results", {"status": "Running", "results": []}, {"queryId": "q0"}
    )
    for number in range(3):
        stubber.add_response("stop_query", {"success": True}, {"queryId": f"q{number}"})

    with stubber:
        response = auth_client.get(URL, {"time_range": "1h"})

    assert response.status_code == 503
    stubber.assert_no_pending_responses()
