"""VPC Flow Log field names, the layouts of header-less records, and IANA protocol names.

Field names and orders follow the AWS VPC User Guide ("Flow log records", versions 2 to 8)
and the Transit Gateway Guide ("Transit Gateway Flow Log records").
"""

import re

import pyarrow as pa

DEFAULT_FIELDS = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol "
    "packets bytes start end action log-status"
).split()

# Versions 3 to 5, in the documented order that follows the default fields.
V5_EXTRA_FIELDS = (
    "vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id "
    "sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction "
    "traffic-path"
).split()

# Version 7 adds ECS fields, version 8 adds reject-reason.
ECS_FIELDS = (
    "ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id "
    "ecs-container-id ecs-second-container-id ecs-service-name ecs-task-definition-arn "
    "ecs-task-arn ecs-task-id"
).split()

TRANSIT_GATEWAY_FIELDS = (
    "version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id "
    "tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id "
    "tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr "
    "srcport dstport protocol packets bytes start end log-status type packets-lost-no-route "
    "packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region "
    "flow-direction pkt-src-aws-service pkt-dst-aws-service"
).split()

ALL_V5_FIELDS = DEFAULT_FIELDS + V5_EXTRA_FIELDS

# Records without a header line are matched to a layout by their field count. These are
# the formats AWS writes without a custom field list: 14 default, 29 all v5 fields,
# 36 transit gateway default, 39 with the ECS fields, 40 with reject-reason.
HEADERLESS_LAYOUTS: dict[int, tuple[str, ...]] = {
    len(layout): tuple(layout)
    for layout in (
        DEFAULT_FIELDS,
        ALL_V5_FIELDS,
        TRANSIT_GATEWAY_FIELDS,
        ALL_V5_FIELDS + ECS_FIELDS,
        ALL_V5_FIELDS + ECS_FIELDS + ["reject-reason"],
    )
}

KNOWN_FIELDS = frozenset(ALL_V5_FIELDS + ECS_FIELDS + TRANSIT_GATEWAY_FIELDS + ["reject-reason"])

# Whole-number fields and the largest value each may hold.
INTEGER_FIELDS: dict[str, int] = {
    "version": 2**31,
    "srcport": 65535,
    "dstport": 65535,
    "protocol": 255,
    "packets": 2**63 - 1,
    "bytes": 2**63 - 1,
    "start": 2**63 - 1,
    "end": 2**63 - 1,
    "tcp-flags": 65535,
    "traffic-path": 255,
    "packets-lost-no-route": 2**63 - 1,
    "packets-lost-blackhole": 2**63 - 1,
    "packets-lost-mtu-exceeded": 2**63 - 1,
    "packets-lost-ttl-expired": 2**63 - 1,
}

LOG_STATUSES = frozenset({"OK", "NODATA", "SKIPDATA"})

FIELD_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

# Protocol numbers from the IANA "Assigned Internet Protocol Numbers" registry. 58 uses the
# common name ICMPv6 rather than IANA's keyword IPv6-ICMP, as the dashboard shows it.
PROTOCOL_NAMES = {
    0: "HOPOPT", 1: "ICMP", 2: "IGMP", 3: "GGP", 4: "IPv4", 5: "ST", 6: "TCP", 7: "CBT",
    8: "EGP", 9: "IGP", 12: "PUP", 17: "UDP", 20: "HMP", 22: "XNS-IDP", 27: "RDP",
    29: "ISO-TP4", 33: "DCCP", 36: "XTP", 37: "DDP", 41: "IPv6", 43: "IPv6-Route",
    44: "IPv6-Frag", 45: "IDRP", 46: "RSVP", 47: "GRE", 50: "ESP", 51: "AH",
    58: "ICMPv6", 59: "IPv6-NoNxt", 60: "IPv6-Opts", 88: "EIGRP", 89: "OSPFIGP",
    94: "IPIP", 97: "ETHERIP", 98: "ENCAP", 103: "PIM", 108: "IPComp", 112: "VRRP",
    115: "L2TP", 124: "ISIS", 132: "SCTP", 133: "FC", 135: "Mobility Header",
    136: "UDPLite", 137: "MPLS-in-IP", 139: "HIP", 140: "Shim6", 141: "WESP", 142: "ROHC",
    143: "Ethernet", 253: "Experimentation", 254: "Experimentation", 255: "Reserved",
}  # fmt: skip


def protocol_name(number: int | None) -> str:
    """Return the IANA name of an IP protocol number, or the number itself when unassigned."""
    if number is None:
        return "Unknown"
    return PROTOCOL_NAMES.get(number, str(number))


def column_name(field_name: str) -> str:
    """Return the table column of an AWS field name: `log-status` becomes `log_status`."""
    return field_name.replace("-", "_")


def layout_schema(fields: tuple[str, ...]) -> pa.Schema:
    """Return the table schema of a layout: int64 for whole-number fields, strings otherwise."""
    return pa.schema(
        [
            (column_name(name), pa.int64() if name in INTEGER_FIELDS else pa.string())
            for name in fields
        ]
    )


def is_header(tokens: list[str]) -> bool:
    """Decide whether a line is a field-name header such as the one AWS writes to S3 files.

    Unknown field names are accepted so newer formats still parse, but the first name must be
    known, because a data line of lower-case values (`ingress us-east-1`) must not match.
    """
    if not tokens or tokens[0] not in KNOWN_FIELDS:
        return False
    return all(FIELD_NAME.match(token) for token in tokens)
