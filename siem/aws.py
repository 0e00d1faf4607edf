"""The one place that creates boto3 clients, and the errors AWS calls are translated into."""

import logging

import boto3
from botocore.config import Config
from django.conf import settings

logger = logging.getLogger(__name__)


class AwsError(Exception):
    """An AWS call failed; `status` is the HTTP status the API answers with (502 or 503)."""

    status = 502

    def __init__(self, message: str, *, code: str = "aws_error") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class AwsNotConfigured(AwsError):
    """No region or no credentials: the feature cannot run until AWS is configured."""

    status = 503


class AwsUnavailable(AwsError):
    """AWS throttled or timed out after botocore's retries."""

    status = 503


def client(service_name: str, region_name: str | None = None):
    """Return a boto3 client with the service's region, retry mode and timeouts.

    Credentials come from boto3's standard chain and are never read here. boto3 also honours
    AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) by itself, which points it at a local
    moto server for manual end-to-end checks.
    """
    region = region_name or settings.AWS_REGION
    if not region:
        raise AwsNotConfigured(
            "AWS is not configured: set AWS_REGION (and credentials through the standard "
            "AWS chain) to use this feature.",
            code="aws_not_configured",
        )
    config = Config(
        region_name=region,
        connect_timeout=settings.AWS_CONNECT_TIMEOUT_SECONDS,
        read_timeout=settings.AWS_READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "max_attempts": settings.AWS_MAX_ATTEMPTS},
    )
    return boto3.session.Session().client(service_name, config=config)
