"""Read-only admin pages for the ingest checkpoints: what was read, when, and with what counts."""

from django.contrib import admin

from ingest.models import IngestedObject, LogStreamCheckpoint


class ReadOnlyAdmin(admin.ModelAdmin):
    """Checkpoints change only through `manage.py ingest`; editing one would recount or skip data."""

    actions = None

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IngestedObject)
class IngestedObjectAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "log_format", "records", "flows", "malformed", "ingested_at"]
    list_filter = ["kind", "log_format"]
    search_fields = ["key", "content_sha256"]
    date_hierarchy = "ingested_at"


@admin.register(LogStreamCheckpoint)
class LogStreamCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["log_group", "log_stream", "last_timestamp", "updated_at"]
    list_filter = ["log_group"]
    search_fields = ["log_group", "log_stream"]
