"""Time-bucketed rollups of VPC Flow Log records."""
