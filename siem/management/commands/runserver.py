"""Django's development server, listening on port 5000 as the dashboard expects."""

from django.core.management.commands.runserver import Command as RunserverCommand


class Command(RunserverCommand):
    default_port = "5000"
