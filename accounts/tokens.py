"""The API's bearer token: a SimpleJWT access token that can be revoked one by one."""

from rest_framework_simplejwt.tokens import AccessToken, BlacklistMixin


class RevocableAccessToken(BlacklistMixin["RevocableAccessToken"], AccessToken):
    """An access token recorded as an `OutstandingToken` when issued and checked against the blacklist.

    SimpleJWT's own `AccessToken` is stateless, so logging out could not revoke it. The mixin
    adds the blacklist lookup to `verify()`, which costs one indexed query per request.
    """
