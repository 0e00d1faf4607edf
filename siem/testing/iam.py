"""Map botocore operations to IAM actions and check them against docs/iam-policy.json."""

import fnmatch
import json
from pathlib import Path
from typing import Any

POLICY_PATH = Path(__file__).resolve().parents[2] / "docs" / "iam-policy.json"

# IAM action prefixes that differ from the service model's signing name.
PREFIX_BY_SIGNING_NAME = {"monitoring": "cloudwatch"}

# Operations that IAM authorises under another action name (AWS Service Authorization Reference).
ACTION_BY_OPERATION = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "ListObjectVersions"): "s3:ListBucketVersions",
    ("s3", "CreateMultipartUpload"): "s3:PutObject",
    ("s3", "UploadPart"): "s3:PutObject",
    ("s3", "CompleteMultipartUpload"): "s3:PutObject",
}


def iam_action(signing_name: str, operation_name: str) -> str:
    """Return the IAM action, e.g. `cloudwatch:GetMetricData`, that authorises an operation."""
    prefix = PREFIX_BY_SIGNING_NAME.get(signing_name, signing_name)
    return ACTION_BY_OPERATION.get((prefix, operation_name), f"{prefix}:{operation_name}")


def load_policy(path: Path = POLICY_PATH) -> dict[str, Any]:
    """Read an IAM policy document."""
    return json.loads(path.read_text(encoding="utf-8"))


def statement_actions(policy: dict[str, Any], effect: str) -> list[str]:
    """Return the action patterns of every statement with `effect` (Allow or Deny)."""
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]

    patterns: list[str] = []
    for statement in statements:
        if statement.get("Effect") != effect:
            continue
        actions = statement.get("Action", [])
        patterns.extend([actions] if isinstance(actions, str) else actions)
    return patterns


def action_matches(action: str, pattern: str) -> bool:
    """Match an action against an IAM pattern: case-insensitive, with `*` and `?` wildcards."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def missing_actions(actions: set[str], policy: dict[str, Any]) -> list[str]:
    """Return the actions that `policy` does not allow, sorted.

    NOTE: only actions are compared. Resource ARNs and conditions are not evaluated, so a call
    on a bucket or log group outside the policy's resources still passes this check.
    """
    allowed = statement_actions(policy, "Allow")
    denied = statement_actions(policy, "Deny")
    missing = []
    for action in sorted(actions):
        is_allowed = any(action_matches(action, pattern) for pattern in allowed)
        is_denied = any(action_matches(action, pattern) for pattern in denied)
        if is_denied or not is_allowed:
            missing.append(action)
    return missing
