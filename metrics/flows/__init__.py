"""VPC flow statistics: rollup accumulation and storage, and the readers behind /api/metrics/vpc."""
