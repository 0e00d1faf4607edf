"""State changes of accounts: registration, token issue and token revocation."""

import logging

from django.contrib.auth import password_validation
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.models import User, normalize_email_address
from accounts.selectors import user_unrevoked_tokens
from accounts.tokens import RevocableAccessToken

logger = logging.getLogger(__name__)


class UserAlreadyExists(Exception):
    """An account with this email address, compared without regard to case, already exists."""


@transaction.atomic
def user_create(*, name: str, email: str, password: str) -> User:
    """Create an active account after Django's password validators accept the password.

    Raises `UserAlreadyExists`, or Django's `ValidationError` listing every rule the
    password breaks.
    """
    email = normalize_email_address(email)
    if User.objects.filter(email=email).exists():
        raise UserAlreadyExists(email)

    user = User(name=name, email=email)
    password_validation.validate_password(password, user=user)
    user.set_password(password)
    try:
        # The savepoint keeps the outer transaction usable when a concurrent sign-up wins.
        with transaction.atomic():
            user.save()
    except IntegrityError as err:
        raise UserAlreadyExists(email) from err
    return user


@transaction.atomic
def access_token_issue(*, user: User) -> RevocableAccessToken:
    """Issue a 24-hour access token, recorded so that logging out can revoke it."""
    token = RevocableAccessToken.for_user(user)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return token


@transaction.atomic
def access_token_revoke(*, token: RevocableAccessToken) -> None:
    """Blacklist one access token, so it is rejected from now on."""
    token.blacklist()


@transaction.atomic
def user_tokens_revoke(*, user: User) -> int:
    """Blacklist every unexpired token issued to the user and return how many were revoked."""
    tokens = list(user_unrevoked_tokens(user=user))
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in tokens], ignore_conflicts=True
    )
    if tokens:
        logger.info(
            "revoked all tokens of user", extra={"user_id": user.pk, "token_count": len(tokens)}
        )
    return len(tokens)


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    """Deactivate an account; the save revokes all of its tokens (see accounts.signals)."""
    user.is_active = False
    user.save(update_fields=["is_active"])
