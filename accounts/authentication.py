"""Bearer-token authentication for the API, on top of SimpleJWT."""

import logging

from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.tokens import Token

from accounts.models import User
from accounts.ratelimit import client_ip

logger = logging.getLogger(__name__)

BEARER_SCHEME = b"bearer"


class BearerTokenAuthentication(JWTAuthentication):
    """Authenticate `Authorization: Bearer <access token>`, rejecting revoked tokens.

    The scheme is matched without regard to case. A header with another scheme is ignored, and
    a Bearer header with no token or two tokens is rejected, so both end in 401 on views that
    require a user. Revocation checks come from the token class (blacklist) and SimpleJWT's
    CHECK_REVOKE_TOKEN and CHECK_USER_IS_ACTIVE settings.
    """

    def authenticate(self, request: Request) -> tuple[User, Token] | None:
        try:
            return super().authenticate(request)
        except (AuthenticationFailed, InvalidToken) as err:
            logger.warning(
                "rejected bearer token",
                extra={"remote_addr": client_ip(request), "reason": _reason(err)},
            )
            raise

    def get_header(self, request: Request) -> bytes | None:
        try:
            return super().get_header(request)
        except UnicodeEncodeError as err:
            raise AuthenticationFailed("Authorization header is not ISO-8859-1 text.") from err

    def get_raw_token(self, header: bytes) -> bytes | None:
        parts = header.split()
        if not parts:
            return None
        if parts[0].lower() != BEARER_SCHEME:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Authorization header must be 'Bearer <token>'.")
        return parts[1]

    def get_user(self, validated_token: Token) -> User:
        try:
            return super().get_user(validated_token)
        except (ValueError, TypeError) as err:
            # A correctly signed token whose user_id is not a valid primary key.
            raise InvalidToken("Token contained no recognizable user identification") from err


def _reason(err: Exception) -> str:
    detail = getattr(err, "detail", "")
    if isinstance(detail, dict):
        messages = detail.get("messages") or []
        if messages and isinstance(messages[0], dict):
            return str(messages[0].get("message", ""))
        return str(detail.get("detail", ""))
    return str(detail)
