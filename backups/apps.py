from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Export and import of the whole archive; the top floor: it reads every app, none imports it."""

    name = "backups"
    verbose_name = "Backups"
