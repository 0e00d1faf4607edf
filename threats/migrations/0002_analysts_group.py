"""Create the Analysts group: it may view and change security events, and nothing else."""

from django.db import migrations

ANALYSTS_GROUP = "Analysts"
ANALYST_PERMISSIONS = ("view_securityevent", "change_securityevent")


def create_analysts_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now so a fresh
    # database gets the group with its permissions in one `migrate`.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("threats")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ANALYSTS_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label="threats", codename__in=ANALYST_PERMISSIONS
    )
    group.permissions.set(permissions)


def delete_analysts_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ANALYSTS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("threats", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_analysts_group, delete_analysts_group)]
