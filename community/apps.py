from django.contrib.admin.apps import AdminConfig


class HearthAdminConfig(AdminConfig):
    default_site = "community.admin.HearthAdminSite"
