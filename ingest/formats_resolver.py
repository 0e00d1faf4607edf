"""The Route 53 Resolver query log format of the ingest pipeline.

Batches are `ParsedBatch[ResolverQuery]`. No consumer is registered here: the detectors
register their own.
"""

from ingest.formats_lines import line_parser
from ingest.pipeline import register_format
from logparsers.resolver import FORMAT_NAME, detect_resolver, parse_resolver_lines

register_format(FORMAT_NAME, detect=detect_resolver, parse=line_parser(parse_resolver_lines))
