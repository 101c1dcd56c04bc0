from django import template
from django.urls import reverse

register = template.Library()

# The settings pages, in the order the navigation lists them: (label, the page's view name,
# the view names of every page that belongs to it).
SETTINGS_PAGES = [
    ("Profile", "accounts:profile_edit", {"accounts:profile_edit"}),
    ("Circle and blocks", "accounts:circle", {"accounts:circle"}),
    ("Reading", "accounts:reading", {"accounts:reading"}),
    ("Notifications", "forums:notification_settings", {"forums:notification_settings"}),
    ("E-mail address", "account_email", {"account_email"}),
    ("Password", "account_change_password", {"account_change_password", "account_set_password"}),
    (
        "Two-factor authentication",
        "mfa_index",
        {
            "mfa_index",
            "mfa_activate_totp",
            "mfa_deactivate_totp",
            "mfa_view_recovery_codes",
            "mfa_generate_recovery_codes",
        },
    ),
    ("Signed-in devices", "usersessions_list", {"usersessions_list"}),
    ("Your data and account", "accounts:data", {"accounts:data"}),
]


@register.simple_tag(takes_context=True)
def settings_pages(context):
    """The settings navigation: (label, url, whether it is the page shown)."""
    match = context["request"].resolver_match
    current = match.view_name if match else None
    return [(label, reverse(name), current in pages) for label, name, pages in SETTINGS_PAGES]
