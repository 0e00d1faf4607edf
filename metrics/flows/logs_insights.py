"""VPC flow statistics computed by CloudWatch Logs Insights over SIEM_FLOW_LOG_GROUP."""

import logging
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from metrics.flows.remote import SEARCH_MARGIN_SECONDS, poll_until_done
from metrics.flows.stats import TrafficTotal, top_talkers, vpc_stats_payload
from siem import aws

logger = logging.getLogger(__name__)

# The default (version 2) record, parsed explicitly so the query does not depend on the
# field names Logs Insights discovers by itself.
# NOTE: log groups written with a custom format need their own parse pattern.
PARSE_DEFAULT = (
    'parse @message "* * * * * * * * * * * * * *" as version, accountId, interfaceId, srcAddr, '
    "dstAddr, srcPort, dstPort, protocol, packets, bytes, start, end, action, logStatus"
)
FLOWS_IN_WINDOW = '| filter logStatus = "OK" and start >= {start} and start < {end}'
TRAFFIC_QUERY = "| stats count(*) as flows, sum(bytes) as bytes by action, protocol"
# More rows than the 5 shown, re-sorted here, so that ties are broken by address.
TALKER_QUERY = "| stats count(*) as flows by {field} | sort flows desc | limit 50"
TERMINAL_FAILURES = {"Failed", "Cancelled", "Timeout", "Unknown"}


def logs_insights_queries(start: int, end: int) -> dict[str, str]:
    """Return the three query strings for flows that started in [start, end) (Unix seconds)."""
    head = f"{PARSE_DEFAULT} {FLOWS_IN_WINDOW.format(start=start, end=end)} "
    return {
        "traffic": head + TRAFFIC_QUERY,
        "sources": head + TALKER_QUERY.format(field="srcAddr"),
        "destinations": head + TALKER_QUERY.format(field="dstAddr"),
    }


def logs_insights_vpc_stats(*, start: datetime, end: datetime) -> dict:
    """Run the three queries side by side and map their rows to the endpoint's JSON."""
    group = settings.SIEM_FLOW_LOG_GROUP
    if not group:
        raise aws.AwsNotConfigured(
            "SIEM_FLOW_LOG_GROUP is not set: name the flow log group to query with Logs Insights.",
            code="aws_not_configured",
        )
    client = aws.client("logs")
    first, stop = int(start.timestamp()), int(end.timestamp())
    try:
        ids = {
            name: client.start_query(
                logGroupName=group,
                startTime=first - SEARCH_MARGIN_SECONDS,
                endTime=stop + SEARCH_MARGIN_SECONDS,
                queryString=query,
            )["queryId"]
            for name, query in logs_insights_queries(first, stop).items()
        }
        try:
            rows = {name: _results(client, query_id) for name, query_id in ids.items()}
        except aws.AwsUnavailable:
            _stop_queries(client, list(ids.values()))
            raise
    except (BotoCoreError, ClientError) as err:
        raise aws.AwsError(f"Logs Insights query on {group} failed: {err}") from err
    return _payload(rows)


def _stop_queries(client, query_ids: list[str]) -> None:
    """Stop abandoned queries, so they do not keep scanning the log group."""
    for query_id in query_ids:
        logger.warning("stopping Logs Insights query %s after the timeout", query_id)
        try:
            client.stop_query(queryId=query_id)
        except ClientError as err:
            # A query that finished in the meantime cannot be stopped; that is fine.
            logger.info("Logs Insights query %s not stopped: %s", query_id, err)


def _results(client, query_id: str) -> list[dict[str, str]]:
    def check() -> list[dict[str, str]] | None:
        response = client.get_query_results(queryId=query_id)
        status = response["status"]
        if status in TERMINAL_FAILURES:
            raise aws.AwsError(f"Logs Insights query {query_id} ended with status {status}.")
        if status != "Complete":
            return None
        return [{cell["field"]: cell["value"] for cell in row} for row in response["results"]]

    return poll_until_done(check, description=f"Logs Insights query {query_id}")


def _payload(rows: dict[str, list[dict[str, str]]]) -> dict:
    traffic = [
        TrafficTotal(
            action=row.get("action", ""),
            protocol=int(row["protocol"]) if row.get("protocol", "").isdigit() else None,
            flows=int(row.get("flows", 0)),
            bytes=int(float(row.get("bytes", 0))),
        )
        for row in rows["traffic"]
    ]
    return vpc_stats_payload(
        traffic=traffic,
        top_sources=top_talkers({r["srcAddr"]: int(r["flows"]) for r in rows["sources"]}),
        top_destinations=top_talkers({r["dstAddr"]: int(r["flows"]) for r in rows["destinations"]}),
    )
