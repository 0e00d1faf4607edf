"""Receivers that revoke a user's tokens and log admin sign-ins.

Tokens are revoked when the admin or code deactivates a user or changes their password.

Tokens also stop working without these receivers: SimpleJWT rejects an inactive user, and the
`hash_password` claim (CHECK_REVOKE_TOKEN) no longer matches after a password change. The
receivers blacklist the tokens recorded at login as well, so they stay revoked after reactivation.
`QuerySet.update()` sends no signals and therefore relies on those two checks alone.

NOTE: Django re-hashes a password at login when its hasher settings changed (for example a
PBKDF2 hash, once bcrypt-sha256 is preferred). That save counts as a password change here, so
the user's older tokens are revoked once.
"""

import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User, normalize_email_address
from accounts.ratelimit import client_ip
from accounts.services import user_tokens_revoke

logger = logging.getLogger(__name__)


@receiver(pre_save, sender=User, dispatch_uid="accounts.flag_token_revocation")
def flag_token_revocation(sender, instance: User, raw: bool, update_fields=None, **kwargs) -> None:
    instance._revoke_tokens_after_save = (
        not raw
        and instance.pk is not None
        and (_password_changed(instance) or _deactivated(instance))
    )


@receiver(post_save, sender=User, dispatch_uid="accounts.revoke_tokens_after_save")
def revoke_tokens_after_save(sender, instance: User, created: bool, **kwargs) -> None:
    if created or not getattr(instance, "_revoke_tokens_after_save", False):
        return
    instance._revoke_tokens_after_save = False
    user_tokens_revoke(user=instance)


def _password_changed(user: User) -> bool:
    # set_password() keeps the new raw password in `_password` until save() completes.
    return user._password is not None


def _deactivated(user: User) -> bool:
    if user.is_active:
        return False
    return User.objects.filter(pk=user.pk, is_active=True).exists()


def _is_admin_request(request: HttpRequest | None) -> bool:
    # The API views log their own sign-ins, so only the admin's are logged here.
    return request is not None and request.path.startswith("/admin/")


@receiver(user_logged_in, dispatch_uid="accounts.log_admin_login")
def log_admin_login(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    if _is_admin_request(request):
        logger.info(
            "admin login succeeded",
            extra={"user_id": user.pk, "email": user.email, "remote_addr": client_ip(request)},
        )


@receiver(user_login_failed, dispatch_uid="accounts.log_admin_login_failure")
def log_admin_login_failure(
    sender, credentials: dict, request: HttpRequest | None = None, **kwargs
) -> None:
    if _is_admin_request(request):
        email = normalize_email_address(str(credentials.get("username", "")))
        logger.warning(
            "admin login failed", extra={"email": email, "remote_addr": client_ip(request)}
        )
