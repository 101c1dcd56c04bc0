from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class HearthAdminConfig(AdminConfig):
    default_site = "community.admin.HearthAdminSite"


class CommunityConfig(AppConfig):
    """The project itself, installed so that its deploy checks run (community/checks.py)."""

    name = "community"

    def ready(self):
        from community import checks  # noqa: F401 (registers the checks)
