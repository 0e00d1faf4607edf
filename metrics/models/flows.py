"""Time-bucketed rollups of VPC Flow Log records, the only data /api/metrics/vpc reads locally.

Each bucket is stored at several resolutions (5 minutes, 1 hour, 6 hours) so a window is read
as a few coarse buckets plus finer ones at its edges. `bucket_start` is Unix seconds, a
multiple of `resolution`, and a flow is counted in the bucket that contains its `start` time.
"""

from django.db import models


class FlowTrafficRollup(models.Model):
    """Flows, bytes and packets of one bucket, action and IP protocol."""

    resolution = models.PositiveIntegerField(help_text="Bucket length in seconds.")
    bucket_start = models.BigIntegerField(help_text="Bucket start in Unix seconds.")
    action = models.CharField(max_length=8, blank=True, help_text="ACCEPT, REJECT, or empty.")
    protocol = models.SmallIntegerField(help_text="IANA protocol number, -1 when absent.")
    flows = models.BigIntegerField(default=0)
    bytes = models.BigIntegerField(default=0)
    packets = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "bucket_start", "action", "protocol"],
                name="flow_traffic_bucket_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resolution}s@{self.bucket_start} {self.action} {self.protocol}: {self.flows}"


class FlowTalkerRollup(models.Model):
    """Number of flows one address sent (`src`) or received (`dst`) in one bucket."""

    class Direction(models.TextChoices):
        SOURCE = "src", "source"
        DESTINATION = "dst", "destination"

    resolution = models.PositiveIntegerField(help_text="Bucket length in seconds.")
    bucket_start = models.BigIntegerField(help_text="Bucket start in Unix seconds.")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    # 45 characters hold the longest textual IPv6 address (IPv4-mapped form).
    address = models.CharField(max_length=45)
    flows = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "direction", "bucket_start", "address"],
                name="flow_talker_bucket_key",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.resolution}s@{self.bucket_start} {self.direction} {self.address}: {self.flows}"
        )


class FlowTopTalker(models.Model):
    """One of the addresses with the most flows in one bucket, kept for fast top-N queries.

    Each bucket keeps its top `TOP_LIST_SIZE` rows of FlowTalkerRollup, refreshed whenever
    the bucket changes, so a window's top talkers are found from a few hundred rows.
    """

    resolution = models.PositiveIntegerField(help_text="Bucket length in seconds.")
    bucket_start = models.BigIntegerField(help_text="Bucket start in Unix seconds.")
    direction = models.CharField(max_length=3, choices=FlowTalkerRollup.Direction.choices)
    address = models.CharField(max_length=45)
    flows = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["resolution", "direction", "bucket_start"], name="flow_top_talker_bucket"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.resolution}s@{self.bucket_start} {self.direction} {self.address}: {self.flows}"
        )
