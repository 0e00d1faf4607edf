from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        # Imported for their side effects: the token revocation receivers and the OpenAPI scheme.
        from accounts import schema, signals  # noqa: F401
