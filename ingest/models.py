"""Checkpoints of what has been ingested, so running the same ingest twice counts nothing twice."""

import hashlib

from django.db import models


def key_digest(*parts: str) -> str:
    """Return the SHA-256 of a key, because MariaDB cannot index long text in a unique key."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class IngestedObject(models.Model):
    """One object (local file or S3 object) whose records were ingested, with its counts."""

    class Kind(models.TextChoices):
        FILE = "file", "local file"
        S3 = "s3", "S3 object"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.TextField(help_text="Absolute path, or s3://bucket/key.")
    key_hash = models.CharField(max_length=64, editable=False)
    version = models.CharField(
        max_length=128, help_text="ETag for S3; size and modification time (ns) for files."
    )
    content_sha256 = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Files only: a moved copy is skipped."
    )
    log_format = models.CharField(max_length=32)
    records = models.BigIntegerField(default=0)
    flows = models.BigIntegerField(default=0)
    nodata = models.BigIntegerField(default=0)
    skipdata = models.BigIntegerField(default=0)
    malformed = models.BigIntegerField(default=0)
    ingested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key_hash", "version"], name="ingest_object_version_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.version})"

    def save(self, *args, **kwargs) -> None:
        self.key_hash = key_digest(self.key)
        super().save(*args, **kwargs)


class LogStreamCheckpoint(models.Model):
    """Position of the last ingested event of one CloudWatch Logs stream."""

    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    log_group = models.CharField(max_length=512)
    log_stream = models.CharField(max_length=512)
    last_timestamp = models.BigIntegerField(help_text="Event timestamp in Unix milliseconds.")
    # Several events can share the last timestamp; their ids tell which were already read.
    last_event_ids = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.log_group}/{self.log_stream} @ {self.last_timestamp}"

    def save(self, *args, **kwargs) -> None:
        self.key_hash = key_digest(self.log_group, self.log_stream)
        super().save(*args, **kwargs)
