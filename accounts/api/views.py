"""HTTP layer of the account endpoints: validate the body, call a service, serialize the result."""

import logging

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import ratelimit, services
from accounts.api.serializers import (
    LoginResponseSerializer,
    LoginSerializer,
    RegisterSerializer,
    UserSerializer,
)
from accounts.models import normalize_email_address
from accounts.selectors import user_profile
from siem.serializers import MessageSerializer

logger = logging.getLogger(__name__)

EXAMPLE_EMAIL = "john@example.com"
EXAMPLE_PASSWORD = "securePassword123"


class InvalidCredentials(APIException):
    """A failed sign-in: the same 401 for an unknown email and a wrong password."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = "Invalid credentials"
    default_code = "invalid_credentials"
    auth_header = 'Bearer realm="api"'


def validated_body(serializer_class: type, request: Request) -> dict:
    """Return the serializer's validated data, requiring the body to be a JSON object."""
    if not isinstance(request.data, dict):
        fields = ", ".join(serializer_class().fields)
        raise ValidationError(f"The request body must be a JSON object with {fields}.")
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class RegisterView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=RegisterSerializer,
        responses={201: MessageSerializer, 400: MessageSerializer, 429: MessageSerializer},
        examples=[
            OpenApiExample(
                "New analyst",
                value={"name": "John Doe", "email": EXAMPLE_EMAIL, "password": EXAMPLE_PASSWORD},
                request_only=True,
            )
        ],
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        ratelimit.enforce_rate_limit(
            request,
            group=ratelimit.REGISTER_IP_GROUP,
            rate=settings.SIEM_REGISTER_RATE_PER_IP,
            key=ratelimit.ip_key,
        )
        data = validated_body(RegisterSerializer, request)

        try:
            user = services.user_create(**data)
        except services.UserAlreadyExists as err:
            raise ValidationError("User already exists") from err
        except DjangoValidationError as err:
            raise ValidationError({"password": err.messages}) from err

        logger.info(
            "registered user",
            extra={
                "user_id": user.pk,
                "email": user.email,
                "remote_addr": ratelimit.client_ip(request),
            },
        )
        return Response({"message": "User registered successfully"}, status=status.HTTP_201_CREATED)


class LoginView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: LoginResponseSerializer,
            400: MessageSerializer,
            401: MessageSerializer,
            429: MessageSerializer,
        },
        examples=[
            OpenApiExample(
                "Analyst login",
                value={"email": EXAMPLE_EMAIL, "password": EXAMPLE_PASSWORD},
                request_only=True,
            )
        ],
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        self.enforce_rate_limits(request)
        data = validated_body(LoginSerializer, request)
        email = normalize_email_address(data["email"])
        remote_addr = ratelimit.client_ip(request)

        user = authenticate(request, email=email, password=data["password"])
        if user is None:
            logger.warning("login failed", extra={"email": email, "remote_addr": remote_addr})
            raise InvalidCredentials()

        token = services.access_token_issue(user=user)
        logger.info(
            "login succeeded",
            extra={"user_id": user.pk, "email": email, "remote_addr": remote_addr},
        )
        return Response({"token": str(token), "user": user_profile(user=user)})

    def enforce_rate_limits(self, request: Request) -> None:
        try:
            ratelimit.check_login_rate_limits(request, email_key=ratelimit.json_email_key)
        except ratelimit.RateLimitExceeded as err:
            raise ratelimit.TooManyRequests(wait=err.retry_after) from err


class LogoutView(APIView):
    @extend_schema(
        request=None,
        responses={200: MessageSerializer, 401: MessageSerializer},
        description="Revoke the access token sent with the request.",
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        services.access_token_revoke(token=request.auth)
        logger.info(
            "logout",
            extra={"user_id": request.user.pk, "remote_addr": ratelimit.client_ip(request)},
        )
        return Response({"message": "Logout successful"})


class MeView(APIView):
    @extend_schema(responses={200: UserSerializer, 401: MessageSerializer}, tags=["accounts"])
    def get(self, request: Request) -> Response:
        return Response(user_profile(user=request.user))
