"""CloudWatch metrics for the dashboard: definitions, sources, series building and caching."""
