from django.apps import AppConfig


class EditorConfig(AppConfig):
    """The editors' workspace: pages that combine the archive and its annotations. No models."""

    name = "editor"
    verbose_name = "Editor workspace"
