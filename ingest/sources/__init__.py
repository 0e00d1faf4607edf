"""Readers of log sources, each yielding objects with their own checkpoint.

A SOURCE argument of `manage.py ingest` is `s3://bucket/prefix`, `logs://log-group-name`
(CloudWatch Logs), or a local file, folder or glob pattern.
"""

from collections.abc import Iterator
from datetime import datetime

from ingest.pipeline import SourceObject


def source_objects(spec: str, *, since: datetime | None = None) -> Iterator[SourceObject]:
    """Yield the objects a SOURCE argument names, in a stable order."""
    if spec.startswith("s3://"):
        from ingest.sources.s3 import s3_objects

        return s3_objects(spec)
    if spec.startswith("logs://"):
        from ingest.sources.cloudwatch import cloudwatch_objects

        return cloudwatch_objects(spec.removeprefix("logs://"), since=since)
    from ingest.sources.files import file_objects

    return file_objects(spec)
