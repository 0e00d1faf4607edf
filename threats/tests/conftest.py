"""Actors and clients for the threats tests."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from conftest import USER_PASSWORD

ANALYST_PERMISSIONS = ("view_securityevent", "change_securityevent")


def analysts_group() -> Group:
    """Return the Analysts group, recreating it where a transactional test flushed it."""
    group, created = Group.objects.get_or_create(name="Analysts")
    if created:
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="threats", codename__in=ANALYST_PERMISSIONS
            )
        )
    return group


@pytest.fixture
def analyst(django_user_model):
    """A staff user whose only permissions come from the Analysts group."""
    user = django_user_model.objects.create_user(
        email="triage@example.com", password=USER_PASSWORD, name="Tri Age", is_staff=True
    )
    user.groups.add(analysts_group())
    return user


@pytest.fixture
def analyst_client(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def admin_user_client(django_user_model) -> Client:
    superuser = django_user_model.objects.create_superuser(
        email="root@example.com", password=USER_PASSWORD, name="Root"
    )
    client = Client()
    client.force_login(superuser)
    return client
