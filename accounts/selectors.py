"""Reads of accounts and their tokens."""

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import User


def user_unrevoked_tokens(*, user: User) -> QuerySet[OutstandingToken]:
    """Return the user's recorded tokens that have not expired and are not blacklisted."""
    return OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    )


def user_profile(*, user: User) -> dict[str, str]:
    """Return the public view of an account, as `/api/me` and `/api/login` show it."""
    return {"name": user.name, "email": user.email}
