"""The one place that creates boto3 clients, and the errors AWS calls are translated into."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from django.conf import settings

logger = logging.getLogger(__name__)

_SHARED_LOADER = botocore.loaders.create_loader()


class AwsError(Exception):
    """An AWS call failed; `status` is the HTTP status the API returns (502 or 503)."""

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
    created = _new_session().client(service_name, config=config)
    created.meta.events.register("before-send", _retry_log)
    return created


def _new_session() -> boto3.session.Session:
    """Return a fresh session that shares one model loader with every other.

    A session per client keeps credential resolution independent between calls, while the
    shared loader parses each service's JSON model once per process instead of once per client.
    """
    core = botocore.session.get_session()
    core.register_component("data_loader", _SHARED_LOADER)
    return boto3.session.Session(botocore_session=core)


def _retry_log(request, event_name: str = "", **kwargs) -> None:
    """Log each retry botocore sends; botocore itself logs retries only at DEBUG level."""
    attempt = request.context.get("retries", {}).get("attempt", 1)
    if attempt > 1:
        # event_name is "before-send.<service>.<Operation>".
        logger.warning(
            "aws request retried: call=%s attempt=%d", event_name.removeprefix("before-send."), attempt
        )


# Error codes AWS uses for the same conditions across services (botocore 1.44 reports them in
# ClientError.response["Error"]["Code"]).
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "TooManyRequestsException",
        "SlowDown",
    }
)
ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
)
REJECTED_CREDENTIALS_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
        "AuthFailure",
    }
)


def translate_error(err: Exception, *, action: str) -> AwsError:
    """Map a botocore error raised by the IAM action `action` (e.g. "cloudwatch:GetMetricData")
    to the AwsError whose status the API responds with.

    AWS's own error messages are not passed on, because they can contain account ids and ARNs.
    """
    if isinstance(err, AwsError):
        return err
    if isinstance(err, NoCredentialsError | PartialCredentialsError | NoRegionError):
        return AwsNotConfigured(
            f"AWS credentials are missing, so {action} could not be called: configure them "
            "through the standard AWS chain (environment, profile or instance role).",
            code="aws_not_configured",
        )
    if isinstance(err, ConnectTimeoutError | ReadTimeoutError):
        return AwsUnavailable(f"AWS call {action} timed out: try again in a minute.", code="aws_timeout")
    if isinstance(err, EndpointConnectionError):
        return AwsUnavailable(
            f"Could not connect to the AWS endpoint for {action}: check AWS_ENDPOINT_URL and the "
            "network, then try again.",
            code="aws_unreachable",
        )
    if isinstance(err, ClientError):
        return _translate_client_error(err, action=action)
    return AwsError(f"AWS call {action} failed ({type(err).__name__}).")


def _translate_client_error(err: ClientError, *, action: str) -> AwsError:
    code = err.response.get("Error", {}).get("Code", "Unknown")
    if code in THROTTLING_CODES:
        return AwsUnavailable(
            f"AWS throttled {action} after {settings.AWS_MAX_ATTEMPTS} attempts: try again "
            "in a minute.",
            code="aws_throttled",
        )
    if code in ACCESS_DENIED_CODES:
        return AwsError(
            f"AWS denied {action}: allow the IAM action {action} for the service's role or user.",
            code="aws_access_denied",
        )
    if code in REJECTED_CREDENTIALS_CODES:
        return AwsNotConfigured(
            f"AWS rejected the configured credentials ({code}) for {action}: renew or replace "
            "them.",
            code="aws_credentials_rejected",
        )
    return AwsError(f"AWS call {action} failed with {code}.", code="aws_error")


@contextmanager
def translated_errors(action: str, **ids: str) -> Iterator[None]:
    """Raise botocore errors inside the block as AwsError, logging each with `ids`."""
    try:
        yield
    except (BotoCoreError, ClientError) as err:
        translated = translate_error(err, action=action)
        logger.warning(
            "aws call failed: action=%s code=%s ids=%s error=%s",
            action,
            translated.code,
            ids,
            type(err).__name__,
        )
        raise translated from err
