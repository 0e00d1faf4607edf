"""Test-suite tooling that ships with the project: the pytest plugin that checks the IAM policy."""
