"""VPC flow statistics computed by Athena over a table of the flow log bucket.

The table is the one AWS's "Generate Athena integration" template creates for flow logs in
S3: columns named like the fields with `_` (`srcaddr`, `log_status`, `start` in Unix seconds).
"""

import logging
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from metrics.flows.remote import poll_until_done
from metrics.flows.stats import TOP_TALKERS, TrafficTotal, top_talkers, vpc_stats_payload
from siem import aws

logger = logging.getLogger(__name__)

# One statement returns all three results, tagged by `kind`, so the endpoint waits for a
# single query. Talker ties are broken by address inside the query.
ATHENA_QUERY = """\
WITH flows AS (
  SELECT srcaddr, dstaddr, action, protocol, bytes FROM {table}
  WHERE log_status = 'OK' AND "start" >= {start} AND "start" < {end}
)
SELECT 'traffic' AS kind, action AS name, protocol, COUNT(*) AS flows, SUM(bytes) AS bytes
FROM flows GROUP BY action, protocol
UNION ALL
(SELECT 'src', srcaddr, NULL, COUNT(*), NULL FROM flows GROUP BY srcaddr
 ORDER BY COUNT(*) DESC, srcaddr LIMIT {top})
UNION ALL
(SELECT 'dst', dstaddr, NULL, COUNT(*), NULL FROM flows GROUP BY dstaddr
 ORDER BY COUNT(*) DESC, dstaddr LIMIT {top})"""
TERMINAL_FAILURES = {"FAILED", "CANCELLED"}


# NOTE: the statement filters on `start` only. A table partitioned by date scans every
# partition unless the table uses partition projection or the query adds a partition filter.
def athena_query(start: int, end: int) -> str:
    """Return the statement for flows that started in [start, end) (Unix seconds)."""
    table = f'"{settings.SIEM_ATHENA_DATABASE}"."{settings.SIEM_ATHENA_FLOW_TABLE}"'
    return ATHENA_QUERY.format(table=table, start=start, end=end, top=TOP_TALKERS)


def athena_vpc_stats(*, start: datetime, end: datetime) -> dict:
    """Run the statement, wait for it, and map its rows to the endpoint's JSON."""
    client = aws.client("athena")
    request = {
        "QueryString": athena_query(int(start.timestamp()), int(end.timestamp())),
        "QueryExecutionContext": {"Database": settings.SIEM_ATHENA_DATABASE},
        "WorkGroup": settings.SIEM_ATHENA_WORKGROUP,
    }
    if settings.SIEM_ATHENA_OUTPUT_LOCATION:
        request["ResultConfiguration"] = {"OutputLocation": settings.SIEM_ATHENA_OUTPUT_LOCATION}
    try:
        execution_id = client.start_query_execution(**request)["QueryExecutionId"]
        try:
            poll_until_done(
                lambda: _finished(client, execution_id), description=f"Athena query {execution_id}"
            )
        except aws.AwsUnavailable:
            # An abandoned query would still scan, and bill, the whole window.
            logger.warning("stopping Athena query %s after the timeout", execution_id)
            client.stop_query_execution(QueryExecutionId=execution_id)
            raise
        rows = _result_rows(client, execution_id)
    except (BotoCoreError, ClientError) as err:
        raise aws.AwsError(
            f"Athena query on {settings.SIEM_ATHENA_FLOW_TABLE} failed: {err}"
        ) from err
    return _payload(rows)


def _finished(client, execution_id: str) -> bool | None:
    status = client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Status"]
    state = status["State"]
    if state in TERMINAL_FAILURES:
        reason = status.get("StateChangeReason", "no reason given")
        raise aws.AwsError(f"Athena query {execution_id} ended {state}: {reason}")
    return True if state == "SUCCEEDED" else None


def _result_rows(client, execution_id: str) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    for page in client.get_paginator("get_query_results").paginate(QueryExecutionId=execution_id):
        for row in page["ResultSet"]["Rows"]:
            rows.append([cell.get("VarCharValue") for cell in row["Data"]])
    return rows[1:]  # the first row contains the column names


def _payload(rows: list[list[str | None]]) -> dict:
    traffic: list[TrafficTotal] = []
    talkers: dict[str, dict[str, int]] = {"src": {}, "dst": {}}
    for kind, name, protocol, flows, byte_count in rows:
        if kind == "traffic":
            number = int(protocol) if protocol is not None else None
            traffic.append(TrafficTotal(name or "", number, int(flows or 0), int(byte_count or 0)))
        elif kind in talkers and name is not None:
            talkers[kind][name] = int(flows or 0)
    # UNION ALL keeps no order between its parts, so the talkers are sorted again here.
    return vpc_stats_payload(
        traffic=traffic,
        top_sources=top_talkers(talkers["src"]),
        top_destinations=top_talkers(talkers["dst"]),
    )
